/**
 * Issue 24, program side: the keys a stack trusts (public keys in Git, checked by fingerprint) make
 * every AppProject verify its Git repositories, in the form the stack's Argo CD release reads
 * (sourceIntegrity from 3.5, signatureKeys before); Argo CD's source hydrator is on where the release
 * has it, and hydrated Applications sync from `environments/<stack>`; every combination that could
 * not work (a feature the release lacks, unsigned hydrated commits under source integrity, no push
 * credentials) is refused with its key path before anything is registered.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { configError, ofType, PROJECT_ROOT, problemPaths as paths, runProgram, withAuditCommit } from "./support/program";
import type { ProgramRun } from "./support/program";

/** Under out/ (git-ignored): a keysDirectory is relative to the project root. */
const KEYS_DIR = "out/test-signing-keys";

interface Key {
    fingerprint: string;
    armored: string;
    secret: string;
}

function makeKey(home: string, email: string): Key {
    const gpg = (args: string[]) => execFileSync("gpg", ["--homedir", home, "--batch", ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    gpg(["--passphrase", "", "--quick-generate-key", `Test <${email}>`, "ed25519", "sign", "never"]);
    const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(gpg(["--with-colons", "--fingerprint", email]))![1];
    return { fingerprint, armored: gpg(["--armor", "--export", fingerprint]), secret: gpg(["--pinentry-mode", "loopback", "--passphrase", "", "--armor", "--export-secret-keys", fingerprint]) };
}

const appOf = (run: ProgramRun, name: string) => ofType(run, "kubernetes:argoproj.io/v1alpha1:Application").find((a) => (a.inputs as { metadata: { name: string } }).metadata.name === name)!.inputs as { spec: Record<string, unknown> };
const projectOf = (run: ProgramRun, name: string) => ofType(run, "kubernetes:argoproj.io/v1alpha1:AppProject").find((a) => (a.inputs as { metadata: { name: string } }).metadata.name === name)!.inputs as { spec: Record<string, unknown> };
const argoValues = (run: ProgramRun) => (run.resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.name === "argocd")!.inputs as { values: Record<string, Record<string, Record<string, unknown>>> }).values;

describe("the audit trail in the program: trusted keys, source integrity, hydration", function () {
    this.timeout(120_000);
    let home: string;
    let developer: Key;
    let committer: Key;
    let other: Key;
    const keysDir = path.join(PROJECT_ROOT, KEYS_DIR);

    before(() => {
        withAuditCommit();
        home = fs.mkdtempSync(path.join(os.tmpdir(), "git-trail-gpg-"));
        developer = makeKey(home, "dev@example.invalid");
        committer = makeKey(home, "commit-server@example.invalid");
        other = makeKey(home, "other@example.invalid");
        fs.rmSync(keysDir, { recursive: true, force: true });
        fs.mkdirSync(keysDir, { recursive: true });
        for (const k of [developer, committer]) fs.writeFileSync(path.join(keysDir, `${k.fingerprint}.asc`), k.armored);
    });

    after(() => {
        execFileSync("gpgconf", ["--kill", "gpg-agent"], { env: { ...process.env, GNUPGHOME: home } });
        fs.rmSync(home, { recursive: true, force: true });
        fs.rmSync(keysDir, { recursive: true, force: true });
    });

    const integrity = (mode = "strict") => ({ sourceIntegrity: { mode, keys: [developer.fingerprint, committer.fingerprint], keysDirectory: KEYS_DIR } });

    it("local (Argo CD 3.6.1): hydrates this repository's chart to environments/local, commit server on, nothing signed by default", async () => {
        const run = await runProgram({ stack: "local" });
        const spec = appOf(run, "hello-service").spec;
        assert.strictEqual(spec.source, undefined, "a hydrated Application has no source");
        assert.deepStrictEqual((spec.sourceHydrator as Record<string, unknown>).syncSource, { targetBranch: "environments/local", path: "in-cluster/hello-service" });
        assert.strictEqual(((spec.sourceHydrator as Record<string, Record<string, unknown>>).drySource).path, "charts/hello-service");
        const values = argoValues(run);
        assert.strictEqual(values.configs.params["hydrator.enabled"], "true");
        assert.strictEqual(values.configs.params["commitserver.signing.key.path"], undefined);
        assert.deepStrictEqual(values.commitServer, { enabled: true });
        assert.strictEqual(projectOf(run, "team-hello").spec.sourceIntegrity, undefined);
    });

    it("local with trusted keys: strict sourceIntegrity on the projects' Git repositories only, the keys in argocd-gpg-keys-cm, hydrated commits signed", async () => {
        const run = await runProgram({ stack: "local", platform: { gitops: { ...integrity(), hydration: { signingKey: committer.fingerprint } } } });
        const ids = [developer, committer].map((k) => k.fingerprint.slice(-16));
        assert.deepStrictEqual(projectOf(run, "team-hello").spec.sourceIntegrity, {
            git: { policies: [{ repos: [{ url: "https://github.com/acme-platform/gitops-platform.git" }], gpg: { mode: "strict", keys: ids } }] },
        });
        // Helm and OCI charts cannot carry a Git signature: that project gets no policy.
        assert.strictEqual(projectOf(run, "platform-addons").spec.sourceIntegrity, undefined);
        const values = argoValues(run);
        assert.deepStrictEqual(values.configs.gpg, { keys: { [ids[0]]: developer.armored, [ids[1]]: committer.armored } });
        assert.strictEqual(values.configs.params["commitserver.signing.key.path"], "/app/config/gpg/signing/signingKey");
        assert.ok(!JSON.stringify(run.resources).includes("PRIVATE KEY"), "a private key in the program's resources");
    });

    it("promotion by pull request: the hydrator commits to <branch>-next, Argo CD syncs <branch>", async () => {
        const run = await runProgram({ stack: "local", platform: { gitops: { applications: [{ ...localApp(), hydration: { promoteByPullRequest: true } }] } } });
        const hydrator = appOf(run, "hello-service").spec.sourceHydrator as Record<string, unknown>;
        assert.deepStrictEqual(hydrator.hydrateTo, { targetBranch: "environments/local-next" });
        assert.deepStrictEqual((hydrator.syncSource as Record<string, unknown>).targetBranch, "environments/local");
    });

    it("dev (Argo CD 3.4.4): no hydrator; trusted keys become signatureKeys (head only), strict is refused", async () => {
        const run = await runProgram({ stack: "dev", platform: { gitops: integrity("head") } });
        assert.ok(appOf(run, "hello-service").spec.source, "dev syncs straight from its source");
        assert.deepStrictEqual(projectOf(run, "team-hello").spec.signatureKeys, [developer, committer].map((k) => ({ keyID: k.fingerprint.slice(-16) })));
        assert.strictEqual(projectOf(run, "team-hello").spec.sourceIntegrity, undefined, "3.4.4's CRD has no sourceIntegrity: the API server would drop it");
        assert.strictEqual(argoValues(run).commitServer, undefined);
        const err = await configError({ stack: "dev", platform: { gitops: { ...integrity("strict"), hydration: { enabled: true, signingKey: committer.fingerprint } } } });
        // dev's repository has no push credentials either.
        assert.deepStrictEqual(paths(err), ["platform.gitops.applications[0].hydration", "platform.gitops.hydration.enabled", "platform.gitops.hydration.signingKey", "platform.gitops.sourceIntegrity.mode"]);
        assert.match(err.message, /strict verification needs Argo CD 3\.5 or later .* this stack runs Argo CD v3\.4\.4/);
    });

    it("refuses hydrated commits that source integrity would refuse, and hydration without push credentials", async () => {
        const unsigned = await configError({ stack: "local", platform: { gitops: integrity() } });
        assert.deepStrictEqual(paths(unsigned), ["platform.gitops.hydration.signingKey"]);
        assert.match(unsigned.message, /source integrity verifies the hydrated branch too/);
        const untrusted = await configError({ stack: "local", platform: { gitops: { ...integrity(), hydration: { signingKey: other.fingerprint } } } });
        assert.match(untrusted.message, new RegExp(`the commit server's key ${other.fingerprint} is not trusted`));
        const noPush = await configError({ stack: "local", platform: { gitops: { repositories: localRepos().map((r) => ({ ...r, writeCredentials: undefined })) } } });
        assert.deepStrictEqual(paths(noPush), ["platform.gitops.applications[0].hydration"]);
        // Turned off for the application, nothing needs pushing.
        await runProgram({ stack: "local", platform: { gitops: { repositories: localRepos().map((r) => ({ ...r, writeCredentials: undefined })), applications: [{ ...localApp(), hydration: { enabled: false } }] } } });
    });

    it("refuses a trusted key file that is missing, holds another key, or holds a private key, naming the key path and file", async () => {
        const wrong = path.join(keysDir, `${other.fingerprint}.asc`);
        const privateKey = makeKey(home, "private@example.invalid");
        try {
            fs.writeFileSync(wrong, developer.armored);
            fs.writeFileSync(path.join(keysDir, `${privateKey.fingerprint}.asc`), privateKey.secret);
            const missing = "0".repeat(40);
            const err = await configError({
                stack: "local",
                platform: { gitops: { sourceIntegrity: { keys: [developer.fingerprint, missing, other.fingerprint, privateKey.fingerprint], keysDirectory: KEYS_DIR }, hydration: { enabled: false } } },
            });
            assert.deepStrictEqual(paths(err), [1, 2, 3].map((i) => `platform.gitops.sourceIntegrity.keys[${i}]`));
            assert.match(err.message, new RegExp(`${KEYS_DIR}/${missing}\\.asc: no such file`));
            assert.match(err.message, new RegExp(`${other.fingerprint}\\.asc: holds the key ${developer.fingerprint}, not ${other.fingerprint}`));
            assert.match(err.message, /holds a private key: only the public key belongs in Git/);
            assert.ok(!err.message.includes("BEGIN PGP"), "the message shows a key");
        } finally {
            fs.rmSync(wrong, { force: true });
            fs.rmSync(path.join(keysDir, `${privateKey.fingerprint}.asc`), { force: true });
        }
    });

    it("refuses a fingerprint that is not 40 upper-case hex digits, and hydration of a Helm chart", async () => {
        const err = await configError({ stack: "local", platform: { gitops: { sourceIntegrity: { keys: [developer.fingerprint.slice(-16)] }, hydration: { enabled: false } } } });
        assert.deepStrictEqual(paths(err), ["platform.gitops.sourceIntegrity.keys[0]"]);
        const helm = await configError({ stack: "staging", platform: { gitops: { applications: [{ name: "hello-service", project: "team-hello", source: { repository: "platform-charts", chart: "hello-service", version: "0.1.1" }, destination: { namespace: "hello" }, hydration: { enabled: true } }] } } });
        assert.ok(paths(helm).includes("platform.gitops.applications[0].hydration.enabled"), paths(helm).join(", "));
    });
});

/** The committed local stack's repositories and application. */
function localPlatform(): { gitops: { repositories: Record<string, unknown>[]; applications: Record<string, unknown>[] } } {
    return YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, "stacks", "Pulumi.local.yaml"), "utf8")).config["gitops-platform:platform"];
}
const localRepos = () => localPlatform().gitops.repositories;
const localApp = () => localPlatform().gitops.applications[0];
