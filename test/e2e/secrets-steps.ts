/**
 * Secret management for real (issue 29): the Git credentials Argo CD uses come from the loop's
 * secrets store through External Secrets Operator. A credential rotated in the store only (no
 * commit, no `pulumi up`) reaches Argo CD within the refresh interval and the old one is refused; an
 * unreachable store and a missing key are clear ExternalSecret conditions while Argo CD keeps syncing
 * with its last working credential; the credentials are in no file the loop leaves.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { Kubectl } from "../../tools/local-cluster/kubectl";
import type { CredentialKeys, LoopGit } from "../../tools/local-cluster/loop-git";
import type { LoopSecrets } from "../../tools/local-cluster/loop-secrets";
import { pollUntil } from "../../tools/local-cluster/managed-process";
import { waitForApplication } from "../../tools/local-cluster/applications";
import { filesUnder, findCanary } from "./canary";
import { E2eRun, roundSeconds as round } from "./e2e-run";

/** The ExternalSecret (and Secret) of the repository's read credentials: `repo-<repository>`. */
export const READ_EXTERNAL_SECRET = "repo-gitops-platform";

export interface SecretsSummary {
    /** Store write to the new value in Argo CD's repository Secret, with the stack's refresh interval. */
    rotationToSecretSeconds: number | null;
    /** Store write to the first sync of a new commit with the new credential (the old one revoked). */
    rotationToSyncSeconds: number | null;
    refreshInterval: string | null;
    /** What the ExternalSecret said with the store down, and with its key gone. */
    unreachableStore: string | null;
    missingKey: string | null;
}

export interface SecretsContext {
    kubectl: () => Kubectl;
    secrets: () => LoopSecrets;
    git: () => LoopGit;
    keys: () => CredentialKeys;
    namespace: string;
    app: string;
    appNamespace: string;
    /** Where the loop writes: its logs, the stack file, the Pulumi backend, the reports. */
    places: () => { logs: string; stackFile: string; backend: string; reports: string; projectRoot: string };
}

interface Condition {
    type: string;
    status: string;
    reason?: string;
    message?: string;
}

export async function secretsSteps(run: E2eRun, ctx: SecretsContext): Promise<SecretsSummary> {
    const summary: SecretsSummary = { rotationToSecretSeconds: null, rotationToSyncSeconds: null, refreshInterval: null, unreachableStore: null, missingKey: null };
    const kubectl = () => ctx.kubectl();
    const ready = async () =>
        (await kubectl().get<{ status?: { conditions?: Condition[] } }>(["externalsecret", READ_EXTERNAL_SECRET, "-n", ctx.namespace]))?.status?.conditions?.find((c) => c.type === "Ready");
    const username = async () => {
        const s = await kubectl().get<{ data?: Record<string, string> }>(["secret", READ_EXTERNAL_SECRET, "-n", ctx.namespace]);
        return Buffer.from(s?.data?.username ?? "", "base64").toString();
    };
    /** The condition's message and the operator's last warning about the ExternalSecret (the cause). */
    const failure = async () => {
        const condition = (await ready())!;
        assert.strictEqual(condition.reason, "SecretSyncedError");
        const events = await kubectl().get<{ items: { type: string; message: string; lastTimestamp?: string; eventTime?: string }[] }>([
            "events", "-n", ctx.namespace, "--field-selector", `involvedObject.name=${READ_EXTERNAL_SECRET},type=Warning`,
        ]);
        const last = (events?.items ?? []).sort((a, b) => String(a.lastTimestamp ?? a.eventTime).localeCompare(String(b.lastTimestamp ?? b.eventTime))).pop();
        return `${condition.message}: ${last?.message ?? "(no event)"}`;
    };
    /** A chart change committed and synced, as a Git webhook would refresh it: proof Argo CD read Git. */
    const commitSynced = async (what: string) => {
        const text = `${what} ${Date.now()}`;
        const commit = ctx.git().repo.commitChange("charts/hello-service/values-dev.yaml", (t) => t.replace(/PODINFO_UI_MESSAGE: .*/, `PODINFO_UI_MESSAGE: "${text}"`), what);
        await kubectl().run(["annotate", "applications.argoproj.io", ctx.app, "-n", ctx.namespace, "--overwrite", "argocd.argoproj.io/refresh=hard"]);
        await waitForApplication(kubectl(), ctx.namespace, ctx.app, (s) => s.sync === "Synced" && s.revision === commit, 180_000);
        await pollUntil(async () => (await kubectl().get<{ data: Record<string, string> }>(["configmap", ctx.app, "-n", ctx.appNamespace]))?.data.PODINFO_UI_MESSAGE === text, 60_000, "the new message in the cluster");
        return commit;
    };
    const rotated: { old?: { username: string; password: string }; current?: { username: string; password: string } } = {};

    await run.step("a Git credential rotated in the store only (no commit, no pulumi up) reaches Argo CD within the refresh interval; a new commit syncs with it and the old one is refused", async () => {
        const es = await kubectl().get<{ spec: { refreshInterval: string } }>(["externalsecret", READ_EXTERNAL_SECRET, "-n", ctx.namespace]);
        summary.refreshInterval = es!.spec.refreshInterval;
        const started = Date.now();
        const rotation = await ctx.git().rotateReader(ctx.secrets(), ctx.keys());
        Object.assign(rotated, rotation);
        await pollUntil(async () => (await username()) === rotation.current.username, 120_000, "the rotated credential in Argo CD's repository Secret");
        summary.rotationToSecretSeconds = round((Date.now() - started) / 1000);
        rotation.revoke();
        assert.strictEqual(await ctx.git().reads(rotation.old), false, "the Git server still takes the old credential");
        assert.strictEqual(await ctx.git().reads(rotation.current), true, "the Git server refuses the new credential");
        await commitSynced("synced with the rotated credential");
        summary.rotationToSyncSeconds = round((Date.now() - started) / 1000);
        return `refresh interval ${summary.refreshInterval}: in the Secret after ${summary.rotationToSecretSeconds} s, a new commit Synced ${summary.rotationToSyncSeconds} s after the store write; the old credential answered 401`;
    });

    await run.step("the store unreachable: the ExternalSecret says so, Argo CD keeps its last working credential and syncs; the store's return heals it", async () => {
        await ctx.secrets().store.process.stop();
        await pollUntil(async () => (await ready())?.status === "False", 120_000, "the ExternalSecret to report the store");
        summary.unreachableStore = await failure();
        assert.match(summary.unreachableStore, /connection refused|connect:|dial tcp/i, "the cause is not named");
        assert.strictEqual(await username(), rotated.current!.username, "the repository Secret lost its credential");
        await commitSynced("synced while the store is down");
        await ctx.secrets().store.restart();
        await pollUntil(async () => (await ready())?.status === "True", 120_000, "the ExternalSecret to recover");
        return `"${summary.unreachableStore}"`;
    });

    await run.step("a key missing from the store: the ExternalSecret says so, Argo CD keeps its last working credential; the key's return heals it", async () => {
        await ctx.secrets().remove(ctx.keys().read);
        await pollUntil(async () => (await ready())?.status === "False", 120_000, "the ExternalSecret to report the missing key");
        summary.missingKey = await failure();
        assert.match(summary.missingKey, /does not exist/, "the cause is not named");
        assert.strictEqual(await username(), rotated.current!.username, "the repository Secret lost its credential");
        await commitSynced("synced while the key is missing");
        await ctx.secrets().put(ctx.keys().read, rotated.current!);
        await pollUntil(async () => (await ready())?.status === "True", 120_000, "the ExternalSecret to recover");
        return `"${summary.missingKey}"`;
    });

    await run.step("the Git credentials are in no file of the repository, no Pulumi state, no report and no log the loop writes", async () => {
        const where = ctx.places();
        const logs = filesUnder(where.logs).filter((f) => f.endsWith(".log"));
        const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: where.projectRoot, encoding: "utf8" }).split("\0").filter(Boolean).map((f) => path.join(where.projectRoot, f)).filter((f) => fs.existsSync(f));
        const files = [...logs, where.stackFile, ...filesUnder(where.backend), ...filesUnder(where.reports), ...tracked];
        for (const credential of [rotated.old!, rotated.current!]) {
            const hits = findCanary(credential.password, { files, texts: run.outputs() });
            assert.deepStrictEqual(hits, [], `a Git password appears in ${hits.join(", ")}`);
        }
        return `${files.length} files (${logs.length} logs) and the CLI's output: neither the old nor the new password`;
    });
    return summary;
}
