/**
 * The audit trail (`npm run audit`, tools/audit/) on a real Git repository with real GnuPG
 * signatures: a bare repository whose main has signed (trusted key), untrusted-key-signed and
 * unsigned commits and a merged pull request, and an `environments/local` branch of hydrated
 * commits each carrying `hydrator.metadata`; Argo CD 3.6 Application objects (checked against the
 * release's CRD), a `pulumi stack history --json` file, the notifications webhook's JSON lines and
 * the local stack's real Terraform state. One object's chain, the stack's timeline, `--since`, the
 * three formats, the redaction of planted canary secrets, and the CLI's exit codes.
 */
import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Redactor } from "../tools/plan/redaction";
import { fileCluster } from "../tools/audit/cluster";
import { CommitIndex } from "../tools/audit/commit-index";
import { readGitHistory } from "../tools/audit/git-history";
import type { ArgoApplication, AuditReport, AuditSources, HydratedCommit, LiveObject } from "../tools/audit/model";
import { parseNotifications } from "../tools/audit/notifications";
import { pullRequestIndex } from "../tools/audit/pull-request";
import { parsePulumiHistory } from "../tools/audit/pulumi-history";
import { auditRedactor, redactReport } from "../tools/audit/redact";
import { FORMATS, render } from "../tools/audit/render";
import { loadAuditSources } from "../tools/audit/sources";
import { stackTerraformSource } from "../tools/audit/terraform-state";
import { parseObjectRef, parseTrackingId } from "../tools/audit/tracking-id";
import { auditTrail } from "../tools/audit/trail";
import { crdValidator } from "./support/argocd-crd-schema";

const ROOT = path.resolve(__dirname, "..");
const CLI = path.join(ROOT, "tools", "audit", "cli.ts");

/** Canaries: each must never appear in any output. */
const AWS_CANARY = "AKIAZCANARY000SECRET"; // an AWS access key id's shape, in an annotation and an operation message
const GITHUB_CANARY = `ghp_${"C4nary".repeat(6)}`; // a GitHub token's shape, in a notification message
const KEYNAME_CANARY = "plain-canary-value-7f3a9c"; // under a credential's key name, repeated in a condition message
const SECRET_DATA_CANARY = "secret-data-canary-51e0d2"; // a Secret's data

/** The fixed times of the story. */
const T = {
    c1: "2026-03-01T10:00:00Z",
    f1: "2026-03-02T10:00:00Z",
    m1: "2026-03-03T10:00:00Z",
    c3: "2026-03-04T10:00:00Z",
    c4: "2026-03-05T10:00:00Z",
};
const plusHours = (iso: string, h: number) => new Date(Date.parse(iso) + h * 3600_000).toISOString().replace(".000Z", "Z");

const P0 = "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f"; // the program's commit of the first pulumi up
const P1 = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"; // the program's commit the Applications were last changed from
const REPO_URL = "https://git.example.invalid/platform/gitops-platform.git";

interface Fixture {
    dir: string;
    bare: string;
    gnupgHome: string;
    otherHome: string;
    trustedFpr: string;
    strangerFpr: string;
    sha: Record<"c1" | "f1" | "m1" | "c3" | "c4" | "h1" | "h2" | "h3", string>;
    files: { applications: string; pulumi: string; notifications: string; webObject: string; legacyObject: string; secretObject: string };
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
    return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", ...env } });
}

function makeKey(home: string, uid: string): string {
    fs.mkdirSync(home, { recursive: true, mode: 0o700 });
    run("gpg", ["--batch", "--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign", "never"], home, { GNUPGHOME: home });
    const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(run("gpg", ["--batch", "--with-colons", "--list-secret-keys"], home, { GNUPGHOME: home }))?.[1];
    assert.ok(fpr, `gpg made no key for ${uid}`);
    return fpr;
}

/** Commits in `work` at a fixed time, signed with `key` (in `home`) when given; returns the sha. */
function commit(work: string, when: string, message: string[], sign?: { key: string; home: string }): string {
    const env = { GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when, GNUPGHOME: sign?.home ?? "" };
    const signing = sign ? ["-c", "gpg.program=gpg", "-c", `user.signingkey=${sign.key}`] : [];
    run("git", ["-c", "user.name=Dev One", "-c", "user.email=dev1@example.invalid", ...signing, "commit", "--quiet", ...(sign ? ["-S"] : []), ...message.flatMap((m) => ["-m", m])], work, env);
    return run("git", ["rev-parse", "HEAD"], work).trim();
}

function write(file: string, text: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
}

function buildRepository(dir: string): Pick<Fixture, "bare" | "gnupgHome" | "otherHome" | "trustedFpr" | "strangerFpr" | "sha"> {
    const gnupgHome = path.join(dir, "gnupg");
    const otherHome = path.join(dir, "gnupg-stranger");
    const trustedFpr = makeKey(gnupgHome, "Dev One <dev1@example.invalid>");
    const strangerFpr = makeKey(otherHome, "Stranger <stranger@example.invalid>");
    // The stranger's public key is in the keyring, with no trust: git reports U (good, validity unknown).
    const exported = execFileSync("gpg", ["--batch", "--armor", "--export", strangerFpr], { env: { ...process.env, GNUPGHOME: otherHome } });
    execFileSync("gpg", ["--batch", "--import"], { input: exported, env: { ...process.env, GNUPGHOME: gnupgHome }, stdio: ["pipe", "ignore", "ignore"] });

    const bare = path.join(dir, "gitops-platform.git");
    const work = path.join(dir, "work");
    run("git", ["init", "--quiet", "--bare", "--initial-branch", "main", bare], dir);
    run("git", ["init", "--quiet", "--initial-branch", "main", work], dir);
    const trusted = { key: trustedFpr, home: gnupgHome };
    const stranger = { key: strangerFpr, home: otherHome };

    write(path.join(work, "charts/web/values.yaml"), "image: web:v1\nreplicas: 2\n");
    write(path.join(work, "charts/legacy/values.yaml"), "settings: {}\n");
    run("git", ["add", "--all"], work);
    const c1 = commit(work, T.c1, ["Initial layout"]);
    run("git", ["checkout", "--quiet", "-b", "web-v2"], work);
    write(path.join(work, "charts/web/values.yaml"), "image: web:v2\nreplicas: 2\n");
    run("git", ["add", "--all"], work);
    const f1 = commit(work, T.f1, ["web: image v2"], trusted);
    run("git", ["checkout", "--quiet", "main"], work);
    // The pull request's merge commit, signed by the trusted key.
    const mergeEnv = { GIT_AUTHOR_DATE: T.m1, GIT_COMMITTER_DATE: T.m1, GNUPGHOME: gnupgHome };
    run("git", ["-c", "user.name=Dev One", "-c", "user.email=dev1@example.invalid", "-c", "gpg.program=gpg", "-c", `user.signingkey=${trustedFpr}`, "merge", "--quiet", "--no-ff", "-S", "-m", "Merge pull request #12 from team/web-v2", "web-v2"], work, mergeEnv);
    const merge = run("git", ["rev-parse", "HEAD"], work).trim();
    write(path.join(work, "charts/web/values.yaml"), "image: web:v2\nreplicas: 3\n");
    run("git", ["add", "--all"], work);
    const c3 = commit(work, T.c3, ["Tune replicas", "Pull-request: #15"], stranger);
    write(path.join(work, "charts/legacy/values.yaml"), "settings: {mode: legacy}\n");
    run("git", ["add", "--all"], work);
    const c4 = commit(work, T.c4, ["Legacy settings"]);
    run("git", ["push", "--quiet", bare, "main"], work);

    // The hydrator's branch: manifests and hydrator.metadata at the root, one commit per dry commit.
    run("git", ["checkout", "--quiet", "--orphan", "environments/local"], work);
    run("git", ["rm", "-r", "--quiet", "--cached", "."], work);
    fs.rmSync(path.join(work, "charts"), { recursive: true, force: true });
    const hydrate = (dry: string, subject: string, when: string) => {
        write(path.join(work, "hydrator.metadata"), JSON.stringify({ repoURL: REPO_URL, drySha: dry, author: "Dev One <dev1@example.invalid>", subject, date: when, references: [] }, null, 2));
        write(path.join(work, "in-cluster/web/manifest.yaml"), `# hydrated from ${dry}\nkind: Deployment\n`);
        run("git", ["add", "--all"], work);
        return commit(work, plusHours(when, 1), [`${dry.slice(0, 7)}: ${subject}`, `Co-authored-by: Dev One <dev1@example.invalid>`]);
    };
    const h1 = hydrate(c1, "Initial layout", T.c1);
    const h2 = hydrate(merge, "Merge pull request #12 from team/web-v2", T.m1);
    const h3 = hydrate(c3, "Tune replicas", T.c3);
    run("git", ["push", "--quiet", bare, "environments/local"], work);
    return { bare, gnupgHome, otherHome, trustedFpr, strangerFpr, sha: { c1, f1, m1: merge, c3, c4, h1, h2, h3 } };
}

function applications(sha: Fixture["sha"]): ArgoApplication[] {
    const hydrator = { drySource: { repoURL: REPO_URL, targetRevision: "main", path: "charts/web" }, syncSource: { targetBranch: "environments/local", path: "in-cluster/web" } };
    const auditLabels = (commitLabel: string) => ({
        "app.kubernetes.io/managed-by": "pulumi",
        "gitops.platform/stack": "local",
        "gitops.platform/project": "gitops-platform",
        "gitops.platform/owner": "platform",
        "gitops.platform/git-commit": commitLabel,
    });
    const web: ArgoApplication = {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Application",
        metadata: {
            name: "web",
            namespace: "argocd",
            uid: "7d0f3c1e-0000-4000-8000-000000000001",
            labels: auditLabels(P1),
            annotations: { "gitops.platform/api-token": KEYNAME_CANARY, "gitops.platform/note": `rotated ${AWS_CANARY}` },
            creationTimestamp: "2026-02-28T09:00:00Z",
        },
        spec: { project: "team-web", destination: { server: "https://kubernetes.default.svc", namespace: "hello" }, sourceHydrator: hydrator },
        status: {
            sync: { status: "OutOfSync", revision: sha.h3 },
            health: { status: "Healthy" },
            history: [
                { id: 1, revision: sha.h1, deployStartedAt: plusHours(T.c1, 2), deployedAt: plusHours(T.c1, 2), initiatedBy: { automated: true }, source: { repoURL: REPO_URL, targetRevision: "environments/local", path: "in-cluster/web" } },
                { id: 2, revision: sha.h2, deployStartedAt: plusHours(T.m1, 2), deployedAt: plusHours(T.m1, 2), initiatedBy: { username: "alice" }, source: { repoURL: REPO_URL, targetRevision: "environments/local", path: "in-cluster/web" } },
            ],
            operationState: {
                phase: "Succeeded",
                message: `successfully synced (all tasks run); rotated ${AWS_CANARY}`,
                startedAt: plusHours(T.m1, 2),
                finishedAt: plusHours(T.m1, 2),
                operation: { initiatedBy: { username: "alice" }, sync: { revision: sha.h2 } },
                syncResult: { revision: sha.h2, resources: [{ group: "apps", version: "v1", kind: "Deployment", namespace: "hello", name: "web", status: "Synced", message: "deployment.apps/web configured", syncPhase: "Sync" }] },
            },
            sourceHydrator: {
                lastSuccessfulOperation: { drySHA: sha.c3, hydratedSHA: sha.h3, sourceHydrator: hydrator },
                currentOperation: { phase: "Hydrated", message: "", drySHA: sha.c3, hydratedSHA: sha.h3, startedAt: plusHours(T.c3, 1), finishedAt: plusHours(T.c3, 1), sourceHydrator: hydrator },
            },
            conditions: [{ type: "SyncError", message: `previous attempt failed: token ${KEYNAME_CANARY} refused`, lastTransitionTime: plusHours(T.m1, 1) }],
        },
    };
    const legacy: ArgoApplication = {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Application",
        metadata: { name: "legacy", namespace: "team-a", labels: auditLabels("unknown"), creationTimestamp: "2026-02-28T09:00:00Z" },
        spec: { project: "team-a", destination: { server: "https://kubernetes.default.svc", namespace: "legacy" }, source: { repoURL: REPO_URL, targetRevision: "main", path: "charts/legacy" } },
        status: {
            sync: { status: "Synced", revision: sha.c4 },
            health: { status: "Healthy" },
            history: [{ id: 1, revision: sha.c4, deployStartedAt: plusHours(T.c4, 1), deployedAt: plusHours(T.c4, 1), initiatedBy: { automated: true }, source: { repoURL: REPO_URL, targetRevision: "main", path: "charts/legacy" } }],
            conditions: [{ type: "ComparisonError", message: `Target revision ${sha.c4} in Git is not signed: signature verification failed (no GPG signature)`, lastTransitionTime: plusHours(T.c4, 2) }],
        },
    };
    return [web, legacy];
}

function pulumiHistory(): unknown[] {
    const env = (head: string) => ({ "exec.kind": "cli", "git.author": "Platform Bot", "git.author.email": "bot@example.invalid", "git.head": head, "git.dirty": "false", "pulumi.env.PULUMI_CONFIG_PASSPHRASE": "set", "pulumi.version": "v3.274.1" });
    const config = { "gitops-platform:argocdAdminPassword": { value: "[secret]", secret: true } };
    return [
        { version: 3, kind: "update", startTime: "2026-03-06T09:00:00.000Z", message: "no changes", environment: env(P1), config, result: "succeeded", endTime: "2026-03-06T09:01:00.000Z", resourceChanges: { same: 40 } },
        { version: 2, kind: "update", startTime: "2026-03-02T12:00:00.000Z", message: "Applications from the hydrator", environment: env(P1), config, result: "succeeded", endTime: "2026-03-02T12:02:00.000Z", resourceChanges: { update: 2, same: 38 } },
        { version: 1, kind: "update", startTime: "2026-02-28T09:00:00.000Z", message: "first", environment: env(P0), config, result: "succeeded", endTime: "2026-02-28T09:03:00.000Z", resourceChanges: { create: 40 } },
    ];
}

function notificationLines(sha: Fixture["sha"]): string {
    const body = (event: string, app: string, revision: string, phase: string, message: string | null, at: string, initiatedBy: { username: string | null; automated: boolean }, dry: string | null, hydrated: string | null) =>
        JSON.stringify({ event, app, project: app === "web" ? "team-web" : "team-a", revision, phase, message, at, initiatedBy, drySha: dry, hydratedSha: hydrated, receivedAt: plusHours(at, 0.001) });
    return [
        body("on-audit-sync-running", "web", sha.h2, "Running", "waiting", plusHours(T.m1, 1.99), { username: "alice", automated: false }, sha.m1, sha.h2),
        body("on-audit-sync-succeeded", "web", sha.h2, "Succeeded", "successfully synced (all tasks run)", plusHours(T.m1, 2), { username: "alice", automated: false }, sha.m1, sha.h2),
        body("on-audit-comparison-error", "legacy", sha.c4, "Succeeded", `signature verification failed; debug ${GITHUB_CANARY}`, plusHours(T.c4, 2), { username: null, automated: true }, null, null),
    ].join("\n") + "\n";
}

function liveObject(kind: string, apiVersion: string, namespace: string, name: string, trackingId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { apiVersion, kind, metadata: { name, namespace, uid: `uid-${name}`, creationTimestamp: "2026-03-01T12:00:00Z", annotations: { "argocd.argoproj.io/tracking-id": trackingId }, labels: { "app.kubernetes.io/name": name } }, ...extra };
}

function buildFixture(): Fixture {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-trail-"));
    const repo = buildRepository(dir);
    const files = {
        applications: path.join(dir, "applications.json"),
        pulumi: path.join(dir, "pulumi-history.json"),
        notifications: path.join(dir, "notifications.jsonl"),
        webObject: path.join(dir, "web-deployment.json"),
        legacyObject: path.join(dir, "legacy-configmap.json"),
        secretObject: path.join(dir, "web-secret.json"),
    };
    write(files.applications, JSON.stringify({ apiVersion: "v1", kind: "List", items: applications(repo.sha) }, null, 2));
    write(files.pulumi, JSON.stringify(pulumiHistory(), null, 2));
    write(files.notifications, notificationLines(repo.sha));
    write(files.webObject, JSON.stringify(liveObject("Deployment", "apps/v1", "hello", "web", "web:apps/Deployment:hello/web", { spec: { replicas: 2 } })));
    write(files.legacyObject, JSON.stringify(liveObject("ConfigMap", "v1", "legacy", "settings", "team-a_legacy:/ConfigMap:legacy/settings", { data: { mode: "legacy" } })));
    const secretData = Buffer.from(SECRET_DATA_CANARY).toString("base64");
    const secret = liveObject("Secret", "v1", "hello", "web-credentials", "web:/Secret:hello/web-credentials", { type: "Opaque", data: { password: secretData } });
    (secret.metadata as { annotations: Record<string, string> }).annotations["kubectl.kubernetes.io/last-applied-configuration"] = JSON.stringify({ kind: "Secret", data: { password: secretData } });
    write(files.secretObject, JSON.stringify(secret));
    return { dir, ...repo, files };
}

/** Sources as the CLI reads them from saved files, for the object (or the whole stack). */
async function sourcesFor(f: Fixture, objectFile: string | undefined, object: string | undefined, options: { trustedKeys?: string[]; redactor?: Redactor } = {}): Promise<AuditSources> {
    return loadAuditSources({
        projectRoot: ROOT,
        stack: "local",
        cluster: fileCluster({ applicationsFile: f.files.applications, objectFile, redactor: options.redactor }),
        git: { repository: f.bare, gnupgHome: f.gnupgHome },
        object: object ? parseObjectRef(object) : undefined,
        pulumi: { file: f.files.pulumi },
        notificationsFile: f.files.notifications,
        terraform: {},
        trustedKeys: options.trustedKeys,
        redactor: options.redactor,
    });
}

async function safeReport(sources: AuditSources, report: AuditReport, base?: Redactor): Promise<AuditReport> {
    return redactReport(report, await auditRedactor(sources, base));
}

describe("audit trail", function () {
    this.timeout(120_000);
    let f: Fixture;
    const tfState = JSON.parse(fs.readFileSync(path.join(ROOT, "stacks/local/terraform/terraform.tfstate"), "utf8")) as { lineage: string; serial: number };

    before(() => {
        f = buildFixture();
    });
    after(() => {
        if (!f) return;
        for (const home of [f.gnupgHome, f.otherHome]) spawnSync("gpgconf", ["--kill", "gpg-agent"], { env: { ...process.env, GNUPGHOME: home } });
        fs.rmSync(f.dir, { recursive: true, force: true });
    });

    it("the Application fixtures are what Argo CD 3.6's CRD accepts", function () {
        const argocd = path.join(ROOT, ".tools", "bin", "argocd");
        if (!fs.existsSync(argocd)) this.skip();
        const crds = path.join(path.dirname(fs.realpathSync(argocd)), "crds");
        if (!fs.existsSync(path.join(crds, "application-crd.yaml"))) this.skip();
        const validate = crdValidator(crds, "Application");
        for (const app of applications(f.sha)) assert.ok(validate(app), `${app.metadata.name}: ${JSON.stringify(validate.errors)}`);
    });

    it("reads main's commits with their signatures as git checks them, and the hydrated commits with hydrator.metadata", async () => {
        const git = await readGitHistory({ repository: f.bare, environmentBranches: ["environments/local", "environments/nowhere"], gnupgHome: f.gnupgHome });
        const by = (sha: string) => git.dryCommits.find((c) => c.sha === sha)!;
        assert.equal(git.dryTip, f.sha.c4);
        assert.equal(by(f.sha.m1).signature?.status, "G");
        assert.equal(by(f.sha.m1).signature?.fingerprint, f.trustedFpr);
        assert.equal(by(f.sha.m1).parents.length, 2);
        assert.equal(by(f.sha.f1).signature?.status, "G");
        assert.equal(by(f.sha.c3).signature?.status, "U");
        assert.equal(by(f.sha.c3).signature?.fingerprint, f.strangerFpr);
        assert.deepEqual(by(f.sha.c3).trailers, [{ key: "Pull-request", value: "#15" }]);
        assert.equal(by(f.sha.c4).signature?.status, "N");
        assert.equal(git.hydratedCommits.length, 3);
        assert.deepEqual(
            git.hydratedCommits.map((h) => [h.sha, h.metadata?.drySha]),
            [
                [f.sha.h3, f.sha.c3],
                [f.sha.h2, f.sha.m1],
                [f.sha.h1, f.sha.c1],
            ],
        );
        assert.deepEqual(git.branchesRead, ["environments/local"]);
        assert.ok(git.notes.some((n) => n.includes("environments/nowhere")));
    });

    it("chains a live object to its sync, notification, hydrated commit, signed dry commit, pull request, Pulumi update and Terraform state", async () => {
        const sources = await sourcesFor(f, f.files.webObject, "deployment/hello/web");
        const report = auditTrail(sources, { object: parseObjectRef("deployment/hello/web") });
        const c = report.chain!;
        assert.equal(c.object.trackingId, "web:apps/Deployment:hello/web");
        assert.equal(c.application?.name, "web");
        assert.equal(c.application?.auditLabels["gitops.platform/git-commit"], P1);
        assert.equal(c.sync?.historyId, 2);
        assert.equal(c.sync?.revision, f.sha.h2);
        assert.equal(c.sync?.initiatedBy, "alice");
        assert.equal(c.sync?.automated, false);
        assert.equal(c.sync?.objectResult, "Synced: deployment.apps/web configured");
        assert.deepEqual(c.notifications.map((n) => n.event), ["on-audit-sync-running", "on-audit-sync-succeeded"]);
        assert.equal(c.hydratedCommit?.sha, f.sha.h2);
        assert.equal(c.hydratedCommit?.branch, "environments/local");
        assert.equal(c.hydratedCommit?.drySource, "hydrator.metadata");
        assert.equal(c.dryCommit?.sha, f.sha.m1);
        assert.equal(c.dryCommit?.signature.status, "G");
        assert.equal(c.dryCommit?.signature.fingerprint, f.trustedFpr);
        assert.equal(c.dryCommit?.signature.verified, true);
        assert.deepEqual(c.pullRequest, { number: 12, from: "merge-subject", commit: f.sha.m1 });
        assert.equal(c.pulumiUpdate?.version, 2);
        assert.equal(c.pulumiUpdate?.matchedBy, "git-commit-label");
        assert.equal(c.terraform?.lineage, tfState.lineage);
        assert.equal(c.terraform?.serial, tfState.serial);
        assert.deepEqual(c.gaps, []);
        // Only the commits the chain can need were checked (gpg runs once per signed commit).
        assert.equal(sources.dryCommits.find((d) => d.sha === f.sha.c4)?.signature, undefined);
        assert.ok(sources.summaries.find((s) => s.name === "Git")?.detail.includes("signatures checked of the"));
        // The object's timeline: its Application's events and the chain's commits, newest first.
        assert.ok(report.timeline.some((e) => e.kind === "sync" && e.revision === f.sha.h2 && e.who === "alice"));
        assert.ok(report.timeline.some((e) => e.kind === "dry-commit" && e.revision === f.sha.m1 && e.status === "verified"));
        assert.ok(!report.timeline.some((e) => e.application === "legacy"));
    });

    it("says plainly where a link is missing: a direct sync from main of an unsigned commit, found through a namespace_name tracking id", async () => {
        const sources = await sourcesFor(f, f.files.legacyObject, "configmap/legacy/settings");
        const c = auditTrail(sources, { object: parseObjectRef("configmap/legacy/settings") }).chain!;
        assert.equal(c.application?.namespace, "team-a");
        assert.equal(c.sync?.revision, f.sha.c4);
        assert.equal(c.sync?.automated, true);
        assert.equal(c.hydratedCommit, undefined);
        assert.ok(c.gaps.some((g) => g.step === "hydrated-commit" && g.reason.startsWith("no hydrated commit: the Application syncs directly from main")), JSON.stringify(c.gaps));
        assert.equal(c.dryCommit?.sha, f.sha.c4);
        assert.equal(c.dryCommit?.signature.status, "N");
        assert.equal(c.dryCommit?.signature.verified, false);
        assert.equal(c.dryCommit?.signature.meaning, "no signature");
        assert.ok(c.gaps.some((g) => g.step === "pull-request"));
        assert.ok(c.application?.conditions.some((x) => x.type === "ComparisonError" && x.signatureProblem));
        assert.deepEqual(c.notifications.map((n) => n.event), ["on-audit-comparison-error"]);
        // The label says "unknown": the latest update that changed resources, and why.
        assert.equal(c.pulumiUpdate?.version, 2);
        assert.equal(c.pulumiUpdate?.matchedBy, "resource-changes");
        assert.ok(c.gaps.some((g) => g.step === "pulumi-update" && g.reason.includes("unknown")));
    });

    it("counts a good signature by a trusted key as verified with --trusted-keys, and no other", async () => {
        const sources = await sourcesFor(f, f.files.webObject, "deployment/hello/web", { trustedKeys: [f.strangerFpr] });
        const c = auditTrail(sources, { object: parseObjectRef("deployment/hello/web") }).chain!;
        assert.equal(c.dryCommit?.signature.status, "G");
        assert.equal(c.dryCommit?.signature.trustedKey, false);
        assert.equal(c.dryCommit?.signature.verified, false);
        const timeline = auditTrail(sources).timeline;
        assert.equal(timeline.find((e) => e.revision === f.sha.c3 && e.kind === "dry-commit")?.status, "verified");
        assert.equal(timeline.find((e) => e.revision === f.sha.m1 && e.kind === "dry-commit")?.status, "not verified (G)");
    });

    it("finds pull requests from merge subjects (for the merged branch's commits too), trailers and squash subjects", async () => {
        const sources = await sourcesFor(f, undefined, undefined);
        const prs = pullRequestIndex(sources.dryCommits, sources.dryTip);
        assert.deepEqual(prs.get(f.sha.f1), { number: 12, from: "merge-subject", commit: f.sha.m1 });
        assert.deepEqual(prs.get(f.sha.c3), { number: 15, from: "trailer", commit: f.sha.c3 });
        assert.equal(prs.get(f.sha.c1), undefined);
        const squash = pullRequestIndex([{ ...sources.dryCommits[0], sha: "a".repeat(40), parents: [], subject: "Tune (#31)", trailers: [] }], "a".repeat(40));
        assert.equal(squash.get("a".repeat(40))?.number, 31);
    });

    it("makes the stack's timeline newest first, and --since leaves older events out", async () => {
        const sources = await sourcesFor(f, undefined, undefined);
        const all = auditTrail(sources).timeline;
        const times = all.map((e) => Date.parse(e.at));
        assert.deepEqual(times, [...times].sort((a, b) => b - a));
        const kinds = new Set(all.map((e) => e.kind));
        for (const k of ["dry-commit", "hydrated-commit", "sync", "hydration", "condition", "notification", "pulumi-update"]) assert.ok(kinds.has(k as never), `no ${k} event`);
        // legacy lives in team-a: the stack's timeline lists Argo CD's namespace, so it is not in it.
        assert.ok(!all.some((e) => e.application === "legacy" && e.kind === "sync"));
        const since = "2026-03-03T12:00:00Z";
        const recent = auditTrail(sources, { since }).timeline;
        // Read for a --since timeline, only the later commits' signatures are checked, and the timeline is the same.
        const windowed = await loadAuditSources({ projectRoot: ROOT, stack: "local", cluster: fileCluster({ applicationsFile: f.files.applications }), git: { repository: f.bare, gnupgHome: f.gnupgHome }, since, pulumi: { file: f.files.pulumi }, notificationsFile: f.files.notifications });
        assert.equal(windowed.dryCommits.find((d) => d.sha === f.sha.m1)?.signature, undefined);
        assert.equal(windowed.dryCommits.find((d) => d.sha === f.sha.c3)?.signature?.status, "U");
        assert.deepEqual(auditTrail(windowed, { since }).timeline, recent);
        assert.ok(recent.length > 0 && recent.length < all.length);
        assert.ok(recent.every((e) => Date.parse(e.at) >= Date.parse(since)));
        assert.deepEqual(recent, all.filter((e) => Date.parse(e.at) >= Date.parse(since)));
        assert.ok(!recent.some((e) => e.revision === f.sha.c1));
    });

    it("renders markdown, JSON and a self-contained HTML page", async () => {
        const sources = await sourcesFor(f, f.files.webObject, "deployment/hello/web");
        const report = await safeReport(sources, auditTrail(sources, { object: parseObjectRef("deployment/hello/web") }));
        const md = render(report, "md");
        assert.match(md, /## Chain of Deployment hello\/web/);
        assert.ok(md.includes(f.trustedFpr) && md.includes("verified: yes") && md.includes("#12"));
        const json = JSON.parse(render(report, "json")) as AuditReport;
        assert.equal(json.chain?.dryCommit?.sha, f.sha.m1);
        const html = render(report, "html");
        assert.match(html, /^<!doctype html>/);
        assert.ok(html.includes(f.trustedFpr));
        assert.doesNotMatch(html, /\b(src|href|action)\s*=\s*["']?\s*(https?:)?\/\//i);
        assert.doesNotMatch(html, /<(script|link|img|iframe|object|embed)\b/i);
        assert.doesNotMatch(html, /@import|url\(/i);
        // Everything is escaped: a subject with markup stays text.
        const hostile = { ...report, timeline: [{ at: "2026-03-01T00:00:00Z", kind: "dry-commit" as const, summary: `<script>alert(1)</script><img src="https://x.invalid/a.png">` }] };
        const page = render(hostile, "html");
        assert.doesNotMatch(page, /<script>|<img/);
        assert.doesNotMatch(render(hostile, "md"), /(^|[^\\])<(script|img)/);
    });

    it("never shows a secret: canaries in an Application, an operation and condition message, a notification and a Secret's data", async () => {
        const canaries = [AWS_CANARY, GITHUB_CANARY, KEYNAME_CANARY, SECRET_DATA_CANARY, Buffer.from(SECRET_DATA_CANARY).toString("base64")];
        const outputs: string[] = [];
        for (const [file, object] of [
            [undefined, undefined],
            [f.files.webObject, "deployment/hello/web"],
            [f.files.legacyObject, "configmap/legacy/settings"],
            [f.files.secretObject, "secret/hello/web-credentials"],
        ] as const) {
            const redactor = new Redactor();
            const sources = await sourcesFor(f, file, object, { redactor });
            const raw = auditTrail(sources, { object: object ? parseObjectRef(object) : undefined });
            const safe = await safeReport(sources, raw, redactor);
            for (const format of FORMATS) outputs.push(render(safe, format));
            if (object === "deployment/hello/web") {
                // The canaries were there to leak: the unredacted report carries the operation's message and the condition.
                assert.ok(JSON.stringify(raw).includes(AWS_CANARY) && JSON.stringify(raw).includes(KEYNAME_CANARY));
                assert.ok(safe.chain?.sync?.message?.includes("[secret]"));
            }
            if (object === "secret/hello/web-credentials") {
                assert.equal(safe.chain?.object.kind, "Secret");
                assert.match(safe.chain?.object.metadataOnly ?? "", /metadata only/);
                assert.equal(safe.chain?.application?.name, "web");
                const live = sources.liveObject as LiveObject & { data?: unknown };
                assert.equal(live.data, undefined);
                assert.equal(live.metadata.annotations?.["kubectl.kubernetes.io/last-applied-configuration"], undefined);
            }
            if (object === undefined) assert.ok(JSON.stringify(raw).includes(GITHUB_CANARY) || !raw.timeline.some((e) => e.application === "legacy"));
        }
        for (const text of outputs) for (const canary of canaries) assert.ok(!text.includes(canary), `${canary} in output:\n${text.slice(0, 400)}`);
        // The commit shas, fingerprints and times are not mistaken for secrets.
        assert.ok(outputs.some((t) => t.includes(f.sha.m1) && t.includes(f.trustedFpr)));
    });

    it("parses tracking ids, object refs, a dry sha from a trailer, the file backend's unnumbered history and bad notification lines", () => {
        assert.deepEqual(parseTrackingId("web:apps/Deployment:hello/web"), { application: { name: "web" }, group: "apps", kind: "Deployment", namespace: "hello", name: "web" });
        assert.deepEqual(parseTrackingId("team-a_legacy:/ConfigMap:legacy/settings"), { application: { namespace: "team-a", name: "legacy" }, group: "", kind: "ConfigMap", namespace: "legacy", name: "settings" });
        assert.deepEqual(parseTrackingId("ops:rbac.authorization.k8s.io/ClusterRole:/viewer")?.namespace, undefined);
        assert.equal(parseTrackingId("not a tracking id"), undefined);
        assert.deepEqual(parseObjectRef("clusterrole/viewer"), { kind: "clusterrole", name: "viewer" });
        assert.equal(parseObjectRef("a/b/c/d"), undefined);
        assert.equal(parseObjectRef("deployment//web")?.namespace, undefined);

        const dry = "d".repeat(40);
        const base = { parents: [], author: "Argo CD", authorEmail: "argocd@example.invalid", authorDate: T.c1, committer: "Argo CD", committerDate: T.c1, subject: "x", signature: { status: "N" as const }, branch: "environments/local" };
        const withTrailer: HydratedCommit = { ...base, sha: "e".repeat(40), trailers: [{ key: "Argocd-dry-sha", value: dry }] };
        const withBoth: HydratedCommit = { ...base, sha: "f".repeat(40), trailers: [{ key: "Argocd-dry-sha", value: dry }], metadata: { drySha: "c".repeat(40) } };
        const index = new CommitIndex([], [withTrailer, withBoth]);
        assert.deepEqual(index.dryShaOf(withTrailer), { drySha: dry, drySource: "trailer" });
        assert.deepEqual(index.dryShaOf(withBoth), { drySha: "c".repeat(40), drySource: "hydrator.metadata" });
        assert.equal(index.hydrated("eeeeeee")?.sha, "e".repeat(40));

        const fileBackend = JSON.stringify([
            { version: 0, kind: "update", startTime: "2026-12-03T07:09:46.000Z", environment: { "git.head": P1, "pulumi.env.PULUMI_CONFIG_PASSPHRASE": "set" }, config: {}, result: "succeeded", resourceChanges: { create: 1 } },
            { version: 0, kind: "update", startTime: "2026-12-03T07:09:42.000Z", environment: {}, config: {}, result: "succeeded", resourceChanges: { create: 2 } },
            { version: 0, kind: "update", startTime: "2026-12-03T07:09:42.000Z", environment: {}, config: {}, result: "succeeded", resourceChanges: { create: 2 } },
        ]);
        const parsed = parsePulumiHistory(fileBackend, "history");
        assert.equal(parsed.renumbered, true);
        assert.deepEqual(parsed.updates.map((u) => u.version), [3, 2, 1]);
        assert.deepEqual(parsed.updates[0].environment, { "git.head": P1 });
        assert.throws(() => parsePulumiHistory("{}", "Pulumi history file h.json"), /Pulumi history file h.json: expected an array/);
        assert.throws(() => parseNotifications('{"event":"x","app":"a"}\n{oops\n', "notifications file n.jsonl"), /notifications file n.jsonl: line 2: not JSON/);
        assert.throws(() => parseNotifications('{"app":"a"}\n', "notifications file n.jsonl"), /line 1: expected "event" and "app"/);
    });

    it("reads the stack's Terraform source from its stack file", () => {
        assert.deepEqual(stackTerraformSource(ROOT, "local"), { backend: "local", path: "stacks/local/terraform/terraform.tfstate" });
    });

    describe("the CLI", () => {
        const cli = (args: string[], timeout = 60_000) => spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", CLI, ...args], { cwd: ROOT, encoding: "utf8", timeout });
        const fileArgs = () => ["--stack", "local", "--git-dir", f.bare, "--gnupghome", f.gnupgHome, "--applications", f.files.applications, "--pulumi-history", f.files.pulumi, "--notifications", f.files.notifications];

        it("prints an object's chain as JSON, and writes all three formats with --out", () => {
            const r = cli([...fileArgs(), "--live-object", f.files.webObject, "--object", "deployment/hello/web", "--format", "json"]);
            assert.equal(r.status, 0, r.stderr);
            const report = JSON.parse(r.stdout) as AuditReport;
            assert.equal(report.chain?.dryCommit?.signature.verified, true);
            assert.equal(report.chain?.pullRequest?.number, 12);
            for (const canary of [AWS_CANARY, KEYNAME_CANARY, GITHUB_CANARY]) assert.ok(!r.stdout.includes(canary));
            const out = path.join(f.dir, "out");
            const w = cli([...fileArgs(), "--since", "2026-03-01", "--out", out]);
            assert.equal(w.status, 0, w.stderr);
            assert.deepEqual(fs.readdirSync(path.join(out, "audit", "local")).sort(), ["stack.html", "stack.json", "stack.md"]);
        });

        it("exits 2 on bad input, naming what was wrong", () => {
            const unknown = cli(["--stack", "local", "--bogus"]);
            assert.equal(unknown.status, 2);
            assert.match(unknown.stderr, /Unknown option '--bogus'/);
            const since = cli([...fileArgs(), "--since", "last tuesday"]);
            assert.equal(since.status, 2);
            assert.match(since.stderr, /--since last tuesday: expected an ISO 8601 date/);
            const missing = cli([...fileArgs().slice(0, -1), path.join(f.dir, "no-such.jsonl")]);
            assert.equal(missing.status, 2);
            assert.match(missing.stderr, /notifications file .*no-such\.jsonl: no such file/);
            const notFound = cli([...fileArgs(), "--live-object", f.files.webObject, "--object", "deployment/hello/other"]);
            assert.equal(notFound.status, 2);
            assert.match(notFound.stderr, /--object deployment\/hello\/other: not found/);
            const notGit = cli([...fileArgs().map((a) => (a === f.bare ? f.dir : a))]);
            assert.equal(notGit.status, 2);
            assert.match(notGit.stderr, /Git repository .*: has no branch main|not a Git repository/);
        });

        it("fails fast with a clear error when the API server is unreachable", function () {
            if (!fs.existsSync(path.join(ROOT, ".tools", "bin", "kubectl"))) this.skip();
            const kubeconfig = path.join(f.dir, "unreachable", "kubeconfig");
            write(kubeconfig, ["apiVersion: v1", "kind: Config", "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:9'}}]", "users: [{name: u, user: {token: not-a-real-token}}]", "contexts: [{name: c, context: {cluster: c, user: u}}]", "current-context: c", ""].join("\n"));
            const started = Date.now();
            const r = cli(["--stack", "local", "--git-dir", f.bare, "--kubeconfig", kubeconfig, "--object", "deployment/hello/web"], 90_000);
            assert.equal(r.status, 2, r.stderr);
            assert.match(r.stderr, /Kubernetes API \(kubeconfig .*\): .*the API server is unreachable/);
            assert.ok(Date.now() - started < 60_000, `took ${Date.now() - started} ms`);
        });
    });
});
