/**
 * The loop's Git repository (tools/local-cluster/git-repository.ts) signs as it is told: the
 * developer's key by default, another key when given, none when asked for an unsigned commit; a
 * branch it opens is signed; a re-signed history is signed throughout. The end-to-end run's
 * refusals rely on each of these being what it says.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GitRepository } from "../tools/local-cluster/git-repository";
import { GpgKey, makeGpgKey, publicKey, stopGpgAgents } from "../tools/local-cluster/gpg";

describe("the loop's Git repository signs as it is told", function () {
    this.timeout(60_000);
    let dir: string;
    let developer: GpgKey;
    let stranger: GpgKey;
    let verifier: string;
    let repo: GitRepository;

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "git-repository-"));
        developer = makeGpgKey(dir, "Dana Developer", "dana@example.invalid");
        stranger = makeGpgKey(dir, "Sam Stranger", "sam@example.invalid");
        // Trusts the developer only, as Argo CD's keyring would.
        verifier = path.join(dir, "gnupg-verifier");
        fs.mkdirSync(verifier, { mode: 0o700 });
        execFileSync("gpg", ["--homedir", verifier, "--batch", "--import"], { input: publicKey(developer), stdio: ["pipe", "ignore", "ignore"] });
        execFileSync("gpg", ["--homedir", verifier, "--batch", "--import-ownertrust"], { input: `${developer.fingerprint}:6:\n`, stdio: ["pipe", "ignore", "ignore"] });
        const tree = path.join(dir, "tree");
        fs.mkdirSync(path.join(tree, "charts"), { recursive: true });
        fs.writeFileSync(path.join(tree, "charts", "values.yaml"), "message: first\n");
        repo = GitRepository.fromWorkingTree(tree, path.join(dir, "repos"), ["charts"], developer);
    });

    after(() => {
        stopGpgAgents(dir);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    const edit = (text: string) => () => `message: ${text}\n`;

    it("signs the first commit and every change with the developer's key by default", () => {
        assert.deepStrictEqual(repo.signature(repo.head(), verifier), { status: "G", fingerprint: developer.fingerprint });
        const signed = repo.commitChange("charts/values.yaml", edit("signed"), "signed");
        assert.deepStrictEqual(repo.signature(signed, verifier), { status: "G", fingerprint: developer.fingerprint });
    });

    it("makes an unsigned commit when asked (null), and one signed by another key when given", () => {
        const unsigned = repo.commitChange("charts/values.yaml", edit("unsigned"), "unsigned", null);
        assert.strictEqual(repo.signature(unsigned, verifier).status, "N");
        const foreign = repo.commitChange("charts/values.yaml", edit("stranger"), "stranger", stranger);
        // E: the verifier cannot check it (the key is not in its keyring).
        assert.strictEqual(repo.signature(foreign, verifier).status, "E");
    });

    it("opens a branch with a signed empty commit, and re-signs a history after a base", () => {
        const opened = repo.openBranch("environments/local", "open");
        assert.deepStrictEqual(repo.signature(opened, verifier), { status: "G", fingerprint: developer.fingerprint });
        assert.strictEqual(repo.openBranch("environments/local", "again"), opened, "an open branch is left as it is");
        const base = repo.log(["--format=%H", "--max-count=1", "--skip=2", "main"]).trim();
        const head = repo.resignSince(base);
        for (const commit of repo.log(["--format=%H", `${base}..${head}`]).trim().split("\n")) {
            assert.strictEqual(repo.signature(commit, verifier).status, "G", `${commit} is not signed by the developer after the rebase`);
        }
        assert.strictEqual(repo.show(head, "charts/values.yaml"), "message: stranger\n");
    });

    it("a pull request's branch: proposed signed without moving main, merged as a fast-forward, then reverted signed (the tour's flow, on the repository opened again)", () => {
        const opened = GitRepository.open(path.join(dir, "repos"), developer);
        const main = opened.head();
        const proposed = opened.proposeChange("tour/change", "charts/values.yaml", () => "message: proposed\n", "propose");
        assert.strictEqual(opened.head(), main, "main moved before the merge");
        assert.strictEqual(opened.head("tour/change"), proposed);
        assert.deepStrictEqual(opened.signature(proposed, verifier), { status: "G", fingerprint: developer.fingerprint });
        assert.strictEqual(opened.mergeFastForward("tour/change"), proposed, "the merge made a commit of its own");
        const reverted = opened.revert(proposed);
        assert.deepStrictEqual(opened.signature(reverted, verifier), { status: "G", fingerprint: developer.fingerprint });
        assert.strictEqual(opened.show(reverted, "charts/values.yaml"), opened.show(main, "charts/values.yaml"));
        assert.throws(() => GitRepository.open(path.join(dir, "nowhere")), /no loop repository/);
    });
});
