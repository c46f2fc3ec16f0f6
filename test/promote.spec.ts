/**
 * `npm run promote` on a real, throwaway Git repository (no network) with Argo CD Applications as
 * kubectl returns them and a clock that stands still: a verified release is committed to the next
 * environment's release file (that line and nothing else, with its trailers, signed where the
 * repository signs); every refusal writes nothing; a pull request leaves the branch alone; a
 * rollback is a new commit back to the value before the last change.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { makeGpgKey, stopGpgAgents } from "../tools/local-cluster/gpg";
import { clusterApplications } from "../tools/promote/applications";
import { WorkingTree } from "../tools/promote/git";
import { PromotionRefused, type ReleaseLine } from "../tools/promote/model";
import { promote } from "../tools/promote/promote";
import { ReleaseFileError, readRelease, writeRelease } from "../tools/promote/release-file";
import { rollback } from "../tools/promote/rollback";
import {
    FakeClock,
    git,
    HELLO_FLEET,
    helloFleet,
    makeRepo,
    platformWith,
    PROD_FILE,
    PROJECT_ROOT,
    reader,
    STAGING_FILE,
    stagingApps,
    T0,
    type TestRepo,
    withTag,
} from "./fixtures/promote/harness";

describe("promote: a release from one environment to the next", function () {
    this.timeout(60_000);
    let repo: TestRepo;
    let line: ReleaseLine;
    /** The commit staging runs: its release file says 6.7.2. */
    let staged: string;

    beforeEach(() => {
        repo = makeRepo();
        staged = repo.commit({ [STAGING_FILE]: withTag(repo, STAGING_FILE, "6.7.2") }, "Release 6.7.2 to staging");
        line = helloFleet(repo);
    });
    afterEach(() => repo.remove());

    const run = (apps = stagingApps(staged), extra: Partial<Parameters<typeof promote>[0]> = {}) =>
        promote({ line, from: "staging", to: "prod", tree: repo.tree, readApplications: reader(apps), clock: new FakeClock(), ...extra });

    /** Runs a promotion expected to be refused; asserts nothing was written and returns the message. */
    async function refused(promotion: Promise<unknown>): Promise<string> {
        const before = { head: repo.head(), count: repo.count(), status: repo.status(), branches: repo.branches() };
        const err = await promotion.then(() => assert.fail("expected a refusal"), (e: Error) => e);
        assert.ok(err instanceof PromotionRefused, `a refusal, got ${err.stack}`);
        assert.deepStrictEqual({ head: repo.head(), count: repo.count(), status: repo.status(), branches: repo.branches() }, before, "nothing written");
        return err.message;
    }

    it("commits the verified release to the target's release file, that line and nothing else, with its trailers", async () => {
        const before = repo.count();
        const result = await run();
        assert.strictEqual(result.sha, repo.head());
        assert.strictEqual(repo.count(), before + 1);
        assert.strictEqual(git(repo.dir, ["show", "--name-only", "--format=", "HEAD"]), PROD_FILE);
        const diff = git(repo.dir, ["diff", "--unified=0", "HEAD~1", "HEAD"]).split("\n").filter((l) => /^[-+][^-+]/.test(l));
        assert.deepStrictEqual(diff, ['-  tag: "6.7.0" # quoted: a tag is text', '+  tag: "6.7.2" # quoted: a tag is text']);
        assert.strictEqual(repo.status(), "", "the working tree is clean");
        assert.strictEqual(git(repo.dir, ["log", "-1", "--format=%s"]), "Promote hello-fleet 6.7.2 from staging to prod");
        const trailers = repo.tree.trailers("HEAD");
        assert.deepStrictEqual(trailers["Promoted-From"], ["staging"]);
        assert.deepStrictEqual(trailers["Promoted-To"], ["prod"]);
        assert.deepStrictEqual(trailers.Release, ["image.tag=6.7.2"]);
        assert.deepStrictEqual(trailers.Verified, [`3 Applications Synced and Healthy at ${staged.slice(0, 7)} for 45s (soak 20s)`]);
        // git's own trailer parser agrees.
        const parsed = spawnSync("git", ["interpret-trailers", "--parse"], { input: git(repo.dir, ["log", "-1", "--format=%B"]), encoding: "utf8" }).stdout;
        assert.match(parsed, /^Release: image\.tag=6\.7\.2$/m);
        assert.strictEqual(result.previous, "6.7.0");
        assert.strictEqual(result.verification.verified, true);
        assert.strictEqual(result.verification.healthyForMs, 45_000);
    });

    it("refuses when an Application of the source is not Synced, and says which", async () => {
        const message = await refused(run(stagingApps(staged, 45, { "eu-1": { sync: "OutOfSync" } })));
        assert.match(message, /staging does not verify hello-fleet 6\.7\.2; not promoted to prod/);
        assert.match(message, /eu-1-hello-fleet-staging: not Synced \(OutOfSync\)/);
        assert.doesNotMatch(message, /in-cluster-hello-fleet-staging/, "only the Applications at fault are listed");
    });

    it("refuses when an Application is not Healthy", async () => {
        const message = await refused(run(stagingApps(staged, 45, { "eu-2": { health: "Degraded", healthMessage: "Deployment has 0/2 ready pods" } })));
        assert.match(message, /eu-2-hello-fleet-staging: not Healthy \(Degraded: Deployment has 0\/2 ready pods\)/);
    });

    it("refuses while the soak is not over, saying how long is left", async () => {
        const message = await refused(run(stagingApps(staged, 45, { "in-cluster": { healthySince: new Date(T0.getTime() - 5000).toISOString() } })));
        assert.match(message, /in-cluster-hello-fleet-staging: Healthy for 5s only: 15s of the 20s soak left/);
    });

    it("reads the healthy time from the last sync's end when health has no transition time", async () => {
        const apps = stagingApps(staged, 45, { "eu-1": { healthySince: undefined, finishedAt: new Date(T0.getTime() - 8000).toISOString() } });
        assert.match(await refused(run(apps)), /eu-1-hello-fleet-staging: Healthy for 8s only: 12s of the 20s soak left/);
    });

    it("dates the soak from the release's sync when the Application stayed Healthy through it", async () => {
        // Healthy since long before (the release before), synced to this release 3 s ago without leaving Healthy.
        const apps = stagingApps(staged, 45, { "eu-1": { healthySince: new Date(T0.getTime() - 600_000).toISOString(), finishedAt: new Date(T0.getTime() - 3000).toISOString() } });
        assert.match(await refused(run(apps)), /eu-1-hello-fleet-staging: Healthy for 3s only: 17s of the 20s soak left/);
    });

    it("refuses when an Application runs a revision whose release file holds another release", async () => {
        const older = git(repo.dir, ["rev-parse", "HEAD~1"]);
        const message = await refused(run(stagingApps(staged, 45, { "eu-2": { revision: older } })));
        assert.match(message, new RegExp(`eu-2-hello-fleet-staging: synced at ${older.slice(0, 7)}, whose ${STAGING_FILE} has image\\.tag "6\\.7\\.1", not "6\\.7\\.2"`));
    });

    it("refuses a revision the repository does not have", async () => {
        const message = await refused(run(stagingApps("f".repeat(40))));
        assert.match(message, /synced at fffffff, a commit .* does not have \(git fetch\?\)/);
    });

    it("refuses when the source has no Applications at all", async () => {
        const message = await refused(run([]));
        assert.match(message, /no Applications of ApplicationSet app-hello-fleet-staging in the cluster: nothing runs 6\.7\.2 in staging/);
    });

    it("refuses a target that is not after the source, and names the order", async () => {
        assert.match(await refused(run(undefined, { from: "prod", to: "staging" })), /--to staging is not after --from prod in hello-fleet's order \(staging → prod\)/);
        assert.match(await refused(run(undefined, { to: "staging" })), /--to staging is not after --from staging/);
    });

    it("refuses an unknown environment or release line", async () => {
        assert.match(await refused(run(undefined, { to: "qa" })), /--to qa: no environment of that name in hello-fleet; its environments in order: staging → prod/);
        assert.throws(() => helloFleet(repo, platformWith(), "nope"), /--app nope: no release line of that name in gitops\.promotion of stack local; known: hello-fleet/);
    });

    it("refuses when the target's release file has uncommitted changes", async () => {
        fs.appendFileSync(path.join(repo.dir, PROD_FILE), "# a local edit\n");
        const message = await refused(run());
        assert.match(message, new RegExp(`${PROD_FILE} \\(prod\\) has uncommitted changes`));
        assert.match(repo.read(PROD_FILE), /# a local edit/, "the local edit is kept");
    });

    it("refuses when the target has the release already", async () => {
        repo.commit({ [PROD_FILE]: withTag(repo, PROD_FILE, "6.7.2") }, "prod by hand");
        assert.match(await refused(run(stagingApps(staged))), /prod has hello-fleet 6\.7\.2 already/);
    });

    it("refuses when the cluster cannot be reached, naming the kubeconfig", async () => {
        const bin = path.join(repo.dir, "..", "kubectl");
        fs.writeFileSync(bin, "#!/bin/sh\necho 'E0302 12:00:00.000000 1 memcache.go:265] could not get current server API group list' >&2\necho 'The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?' >&2\nexit 1\n", { mode: 0o755 });
        const readApplications = clusterApplications({ binary: bin, kubeconfig: "/tmp/hub.kubeconfig" });
        const message = await refused(promote({ line, from: "staging", to: "prod", tree: repo.tree, readApplications }));
        assert.match(message, /cannot read Argo CD's Applications \(kubeconfig \/tmp\/hub\.kubeconfig, namespace argocd\): The connection to the server 127\.0\.0\.1:1 was refused - did you specify the right host or port\?$/);
    });

    it("reads the Applications kubectl lists", async () => {
        const bin = path.join(repo.dir, "..", "kubectl");
        const list = { apiVersion: "v1", kind: "List", items: stagingApps(staged) };
        fs.writeFileSync(path.join(repo.dir, "..", "apps.json"), JSON.stringify(list));
        fs.writeFileSync(bin, `#!/bin/sh\necho "$@" > "${path.join(repo.dir, "..", "args")}"\ncat "${path.join(repo.dir, "..", "apps.json")}"\n`, { mode: 0o755 });
        const result = await promote({ line, from: "staging", to: "prod", tree: repo.tree, readApplications: clusterApplications({ binary: bin, kubeconfig: "hub.yaml" }), clock: new FakeClock(), dryRun: true });
        assert.strictEqual(result.verification.applications.length, 3);
        assert.strictEqual(fs.readFileSync(path.join(repo.dir, "..", "args"), "utf8").trim(), "--kubeconfig hub.yaml --request-timeout=20s get applications.argoproj.io -n argocd -o json");
    });

    it("--dry-run works out the diff and message and writes nothing", async () => {
        const before = { head: repo.head(), count: repo.count() };
        const result = await run(undefined, { dryRun: true });
        assert.strictEqual(result.sha, undefined);
        assert.match(result.diff, /^-  tag: "6\.7\.0" # quoted: a tag is text$/m);
        assert.match(result.diff, /^\+  tag: "6\.7\.2" # quoted: a tag is text$/m);
        assert.match(result.message, /^Promote hello-fleet 6\.7\.2 from staging to prod\n\nPromoted-From: staging\n/);
        assert.deepStrictEqual({ head: repo.head(), count: repo.count() }, before);
        assert.strictEqual(repo.status(), "");
    });

    it("--pull-request commits on a new branch and leaves the current branch, index and files as they were", async () => {
        const head = repo.head();
        const result = await run(undefined, { pullRequest: true });
        assert.strictEqual(repo.head(), head, "main did not move");
        assert.strictEqual(repo.status(), "");
        assert.match(repo.read(PROD_FILE), /tag: "6\.7\.0"/);
        assert.deepStrictEqual(repo.branches(), ["main", "promote/hello-fleet/prod-6.7.2"]);
        assert.strictEqual(git(repo.dir, ["rev-parse", "promote/hello-fleet/prod-6.7.2"]), result.sha);
        assert.strictEqual(git(repo.dir, ["rev-parse", "promote/hello-fleet/prod-6.7.2~1"]), head);
        assert.match(git(repo.dir, ["show", "promote/hello-fleet/prod-6.7.2:" + PROD_FILE]), /tag: "6\.7\.2"/);
        assert.strictEqual(result.pullRequest?.reviewHint, "git switch promote/hello-fleet/prod-6.7.2 && npm run review -- --base main --stack local");
        assert.strictEqual(git(repo.dir, ["worktree", "list", "--porcelain"]).split("\n").filter((l) => l.startsWith("worktree ")).length, 1, "the scratch worktree is gone");
        // A second run finds the branch and refuses.
        assert.match(await refused(run(undefined, { pullRequest: true })), /branch promote\/hello-fleet\/prod-6\.7\.2 exists already/);
    });

    it("leaves nothing behind when the commit itself fails (a hook refuses it), on the branch or for a pull request", async () => {
        const hook = path.join(repo.dir, ".git", "hooks", "pre-commit");
        fs.writeFileSync(hook, "#!/bin/sh\necho 'refused by policy' >&2\nexit 1\n", { mode: 0o755 });
        const before = { head: repo.head(), count: repo.count(), status: repo.status(), branches: repo.branches(), prod: repo.read(PROD_FILE) };
        await assert.rejects(run(), /refused by policy/);
        await assert.rejects(run(undefined, { pullRequest: true }), /refused by policy/);
        assert.deepStrictEqual({ head: repo.head(), count: repo.count(), status: repo.status(), branches: repo.branches(), prod: repo.read(PROD_FILE) }, before);
    });

    it("--push pushes the commit to the branch's remote, not forced", async () => {
        const remote = path.join(repo.dir, "..", "remote.git");
        git(repo.dir, ["init", "--quiet", "--bare", remote]);
        git(repo.dir, ["remote", "add", "origin", remote]);
        git(repo.dir, ["push", "--quiet", "-u", "origin", "main"]);
        const result = await run(undefined, { push: true });
        assert.strictEqual(result.pushed, true);
        assert.strictEqual(git(remote, ["rev-parse", "main"]), result.sha);
    });
});

describe("promote --rollback", function () {
    this.timeout(60_000);
    let repo: TestRepo;
    let line: ReleaseLine;

    beforeEach(() => {
        repo = makeRepo();
        line = helloFleet(repo);
    });
    afterEach(() => repo.remove());

    /** Promotes whatever staging runs at HEAD (every staging Application at HEAD, soaked). */
    const promoteHead = () => promote({ line, from: "staging", to: "prod", tree: repo.tree, readApplications: reader(stagingApps(repo.head())), clock: new FakeClock() });

    it("after two promotions, returns to the previous value as a new commit, history kept", async () => {
        const first = await promoteHead();
        repo.commit({ [STAGING_FILE]: withTag(repo, STAGING_FILE, "6.7.2"), "README.md": "unrelated\n" }, "Release 6.7.2 to staging");
        // A change of the file that leaves the release alone is not the change rolled back.
        const second = await promoteHead();
        repo.commit({ [PROD_FILE]: repo.read(PROD_FILE).replace("replicaCount: 3", "replicaCount: 4") }, "prod: four replicas");
        const count = repo.count();
        const result = rollback({ line, environment: "prod", tree: repo.tree, reason: "latency up after 6.7.2" });
        assert.strictEqual(repo.count(), count + 1, "git log grows");
        assert.strictEqual(result.sha, repo.head());
        assert.strictEqual(result.undone, second.sha);
        assert.strictEqual(result.release, "6.7.1");
        assert.match(repo.read(PROD_FILE), /tag: "6\.7\.1" # quoted: a tag is text/);
        assert.match(repo.read(PROD_FILE), /replicaCount: 4/, "the rest of the file is as it was");
        assert.strictEqual(git(repo.dir, ["log", "-1", "--format=%s"]), "Roll back hello-fleet in prod to 6.7.1");
        assert.deepStrictEqual(repo.tree.trailers("HEAD"), { "Rolled-Back": [second.sha!], Release: ["image.tag=6.7.1"], Reason: ["latency up after 6.7.2"] });
        for (const sha of [first.sha!, second.sha!]) assert.strictEqual(git(repo.dir, ["merge-base", "--is-ancestor", sha, "HEAD"]), "", "both promotions stay in the history");
        assert.strictEqual(repo.status(), "");
        // Rolling back again passes over the rollback and the change it undid: the release before, never the one rolled back.
        const again = rollback({ line, environment: "prod", tree: repo.tree });
        assert.strictEqual(again.undone, first.sha);
        assert.strictEqual(again.replaced, "6.7.1");
        assert.strictEqual(again.release, first.previous);
    });

    it("defaults the reason to requested, and a dry run writes nothing", async () => {
        await promoteHead();
        const head = repo.head();
        const dry = rollback({ line, environment: "prod", tree: repo.tree, dryRun: true });
        assert.strictEqual(repo.head(), head);
        assert.match(dry.message, /\nReason: requested\n/);
        assert.match(dry.diff, /^\+  tag: "6\.7\.0"/m);
    });

    it("refuses when the release file has no earlier value, writing nothing", () => {
        const head = repo.head();
        assert.throws(() => rollback({ line, environment: "prod", tree: repo.tree }), (e: Error) => e instanceof PromotionRefused && /release-prod\.yaml: image\.tag has no earlier value than "6\.7\.0" \(set by [0-9a-f]{7}, the first to set it\)/.test(e.message));
        assert.strictEqual(repo.head(), head);
    });

    it("refuses an unknown environment", () => {
        assert.throws(() => rollback({ line, environment: "qa", tree: repo.tree }), /--env qa: no environment of that name in hello-fleet/);
    });
});

describe("promote in a repository that signs its commits", function () {
    this.timeout(120_000);
    let home: string;
    let repo: TestRepo;

    before(() => {
        home = fs.mkdtempSync(path.join(os.tmpdir(), "promote-gpg-"));
        const key = makeGpgKey(home, "Release Bot", "release-bot@example.invalid");
        repo = makeRepo({ ...process.env, GNUPGHOME: key.home });
        for (const [k, v] of [["commit.gpgsign", "true"], ["user.signingkey", key.fingerprint], ["gpg.format", "openpgp"]]) git(repo.dir, ["config", k, v]);
    });
    after(() => {
        stopGpgAgents(home);
        fs.rmSync(home, { recursive: true, force: true });
        repo.remove();
    });

    it("signs the promotion, the pull-request branch and the rollback with the repository's key", async () => {
        const env = repo.tree.env;
        const staged = repo.commit({ [STAGING_FILE]: withTag(repo, STAGING_FILE, "6.7.2") }, "Release 6.7.2 to staging");
        const line = helloFleet(repo);
        const options = { line, from: "staging", to: "prod", tree: repo.tree, readApplications: reader(stagingApps(staged)), clock: new FakeClock() };
        const branch = await promote({ ...options, pullRequest: true });
        const promoted = await promote(options);
        const undone = rollback({ line, environment: "prod", tree: repo.tree });
        for (const sha of [branch.sha!, promoted.sha!, undone.sha!]) assert.strictEqual(git(repo.dir, ["log", "-1", "--format=%G?", sha], env), "G", `${sha} has a good signature`);
    });
});

describe("promote between stacks (an environment that is another stack's entry)", function () {
    this.timeout(60_000);
    let repo: TestRepo;
    const line = {
        application: "hello-service",
        environments: [
            { name: "dev", stack: "dev", application: "hello-service" },
            { name: "prod", stack: "prod", application: "hello-service", soak: "1m" },
        ],
    };

    beforeEach(() => (repo = makeRepo()));
    afterEach(() => repo.remove());

    it("promotes the chart version dev runs to prod's stack file, that line only", async () => {
        const resolved = helloFleet(repo, platformWith([line]), "hello-service");
        const devApp = { metadata: { name: "hello-service", namespace: "argocd" }, status: { sync: { status: "Synced", revision: "0.1.2" }, health: { status: "Healthy", lastTransitionTime: new Date(T0.getTime() - 90_000).toISOString() } } };
        const seen: string[] = [];
        const result = await promote({
            line: resolved,
            from: "dev",
            to: "prod",
            tree: repo.tree,
            readApplications: async (env) => (seen.push(env.name), [devApp]),
            clock: new FakeClock(),
        });
        assert.deepStrictEqual(seen, ["dev"]);
        assert.strictEqual(git(repo.dir, ["show", "--name-only", "--format=", "HEAD"]), "stacks/Pulumi.prod.yaml");
        const diff = git(repo.dir, ["diff", "--unified=0", "HEAD~1", "HEAD"]).split("\n").filter((l) => /^[-+][^-+]/.test(l));
        assert.deepStrictEqual(diff, ["-            version: 0.1.1", "+            version: 0.1.2"]);
        assert.deepStrictEqual(repo.tree.trailers("HEAD").Release, ["source.version=0.1.2"]);
        assert.match(result.verification.summary, /^1 Application Synced and Healthy at 0\.1\.2 for 1m30s \(soak 0s\)$/);
    });

    it("refuses while dev runs another chart version", async () => {
        const resolved = helloFleet(repo, platformWith([line]), "hello-service");
        const devApp = { metadata: { name: "hello-service" }, status: { sync: { status: "Synced", revision: "0.1.1" }, health: { status: "Healthy" } } };
        await assert.rejects(promote({ line: resolved, from: "dev", to: "prod", tree: repo.tree, readApplications: async () => [devApp], clock: new FakeClock() }), /hello-service: synced at chart version 0\.1\.1, not 0\.1\.2/);
    });

    it("refuses an entry the stack file does not have", () => {
        const bad = { ...line, environments: [line.environments[0], { name: "prod", stack: "prod", application: "nope" }] };
        assert.throws(() => helloFleet(repo, platformWith([bad]), "hello-service"), /gitops\.promotion\[0\]\.environments\[1\]\.application: stacks\/Pulumi\.prod\.yaml has no gitops\.applications entry "nope"/);
    });
});

describe("a release file", () => {
    const location = { file: "release.yaml", key: ["image", "tag"], shownKey: "image.tag" };

    it("keeps comments, quoting and every other line when the release is written", () => {
        const text = "# top\nimage:\n  # the tag\n  tag: 1.10 # pinned\nother: {a: b}\n";
        assert.strictEqual(readRelease(text, location, "release.yaml"), "1.10", "a tag that looks like a number is read as written");
        assert.strictEqual(writeRelease(text, location, "1.11", "release.yaml"), '# top\nimage:\n  # the tag\n  tag: "1.11" # pinned\nother: {a: b}\n');
        assert.strictEqual(writeRelease("image: {tag: '6.7.1'}\n", location, "6.7.2", "f"), "image: {tag: '6.7.2'}\n");
    });

    it("names the file and key path when the release is missing or not a string or number", () => {
        const fails = (text: string, pattern: RegExp) => assert.throws(() => readRelease(text, location, "charts/x/release-prod.yaml at HEAD"), (e: Error) => e instanceof ReleaseFileError && pattern.test(e.message));
        fails("image: {}\n", /^charts\/x\/release-prod\.yaml at HEAD: image\.tag: not set; expected the release there \(a string or number\)$/);
        fails("replicaCount: 3\n", /image\.tag: not set/);
        fails("image:\n  tag: {a: 1}\n", /image\.tag: expected a string or number, found a mapping$/);
        fails("image:\n  tag: true\n", /image\.tag: expected a string or number, found boolean$/);
        fails("image: ghcr.io/x\n", /image\.tag: expected a mapping on the way to "tag"$/);
        fails("image: [\n", /release-prod\.yaml at HEAD: not valid YAML/);
    });
});

describe("npm run promote (the CLI)", function () {
    this.timeout(120_000);
    let repo: TestRepo;
    let stackFile: string;

    before(() => {
        repo = makeRepo();
        const doc = YAML.parseDocument(fs.readFileSync(path.join(PROJECT_ROOT, "stacks", "Pulumi.local.yaml"), "utf8"));
        doc.setIn(["config", "gitops-platform:platform"], doc.createNode(platformWith([HELLO_FLEET])));
        stackFile = path.join(repo.dir, "..", "Pulumi.local.yaml");
        fs.writeFileSync(stackFile, doc.toString());
    });
    after(() => repo.remove());

    const cli = (...args: string[]) => spawnSync(path.join(PROJECT_ROOT, "node_modules", ".bin", "ts-node"), ["--transpile-only", path.join(PROJECT_ROOT, "tools", "promote", "cli.ts"), ...args], { cwd: PROJECT_ROOT, encoding: "utf8" });

    it("prints a rollback's diff and message on a dry run, exit 0, nothing written", () => {
        git(repo.dir, ["commit", "--quiet", "--allow-empty", "-m", "nothing"]);
        repo.commit({ [PROD_FILE]: withTag(repo, PROD_FILE, "6.7.1") }, "prod 6.7.1");
        const head = repo.head();
        const res = cli("--rollback", "--app", "hello-fleet", "--env", "prod", "--repo", repo.dir, "--config-file", stackFile, "--dry-run");
        assert.strictEqual(res.status, 0, res.stderr);
        assert.match(res.stdout, /^\+  tag: "6\.7\.0"/m);
        assert.match(res.stdout, /Roll back hello-fleet in prod to 6\.7\.0\n\nRolled-Back: [0-9a-f]{40}\nRelease: image\.tag=6\.7\.0\nReason: requested/);
        assert.strictEqual(repo.head(), head);
    });

    it("refuses an unknown environment with exit 1 and one message; bad flags with exit 2 and the usage", () => {
        const refused = cli("--app", "hello-fleet", "--from", "staging", "--to", "qa", "--repo", repo.dir, "--config-file", stackFile, "--kubeconfig", stackFile);
        assert.strictEqual(refused.status, 1, refused.stderr);
        assert.strictEqual(refused.stderr.trim(), "promote: --to qa: no environment of that name in hello-fleet; its environments in order: staging → prod");
        const bad = cli("--app", "hello-fleet", "--rollback", "--from", "staging");
        assert.strictEqual(bad.status, 2);
        assert.match(bad.stderr, /--rollback takes --env[\s\S]*usage: npm run promote/);
    });

    it("says a directory that is no Git working tree is one", () => {
        const plain = fs.mkdtempSync(path.join(os.tmpdir(), "promote-plain-"));
        const res = cli("--rollback", "--app", "hello-fleet", "--env", "prod", "--repo", plain, "--config-file", stackFile);
        fs.rmSync(plain, { recursive: true, force: true });
        assert.strictEqual(res.status, 1);
        assert.match(res.stderr, /--repo .*: not a Git working tree/);
    });
});

describe("a WorkingTree", () => {
    it("refuses a detached HEAD for a commit on the current branch", () => {
        const repo = makeRepo();
        try {
            git(repo.dir, ["checkout", "--quiet", "--detach"]);
            assert.throws(() => new WorkingTree(repo.dir).branch(), /HEAD is detached/);
        } finally {
            repo.remove();
        }
    });
});
