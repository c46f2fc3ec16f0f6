/**
 * Auditable deployments for real (issue 24): Argo CD's source hydrator commits the rendered
 * manifests of `hello-audited` to `environments/local`, signed by the commit server; every project
 * verifies every commit strictly against the keys the stack trusts; an unsigned commit and one
 * signed by a stranger are neither hydrated nor synced, and signing them again makes them sync.
 * `hello-service` syncs straight from the dry branch beside it, so both paths run in one loop.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import type { GitRepository } from "../../tools/local-cluster/git-repository";
import { AUDITED_APP, AUDITED_NAMESPACE, LoopKeys } from "../../tools/local-cluster/loop-keys";
import { Kubectl } from "../../tools/local-cluster/kubectl";
import { pollUntil } from "../../tools/local-cluster/managed-process";
import { E2eRun, roundSeconds as round } from "./e2e-run";

const BRANCH = "environments/local";
const VALUES = "charts/hello-service/values-dev.yaml";

export interface AuditSummary {
    /** Dry commit to Synced: hydrated (and both signatures checked) against direct (signature checked). */
    commitToSyncedSeconds: { hydrated: number | null; direct: number | null };
    hydratedCommit: string | null;
    /** What the refusals said. */
    refusals: string[];
    /** Events the audit webhook received. */
    notifications: number;
    /** `npm run audit` of the hydrated Deployment, and of the whole stack. */
    auditSeconds: { object: number | null; stack: number | null };
}

export interface AuditContext {
    kubectl: () => Kubectl;
    git: () => GitRepository;
    keys: () => LoopKeys;
    /** What the audit webhook received from Argo CD's notifications controller. */
    events: () => Record<string, unknown>[];
    namespace: string;
    /** The application synced straight from the dry branch. */
    direct: { app: string; namespace: string };
    /** The control plane's kubeconfig, the stack file and the stack's CLI arguments, for `npm run audit`. */
    kubeconfig: () => string;
    eventsFile: () => string;
    configFile: string;
    stackArgs: string[];
}

interface ApplicationObject {
    metadata: { annotations?: Record<string, string> };
    status?: {
        sync?: { status?: string; revision?: string };
        health?: { status?: string };
        conditions?: { type: string; message: string }[];
        operationState?: { phase?: string; message?: string };
        sourceHydrator?: { lastSuccessfulOperation?: { drySHA?: string; hydratedSHA?: string }; currentOperation?: { phase?: string; message?: string; drySHA?: string } };
    };
}

export async function auditSteps(run: E2eRun, ctx: AuditContext): Promise<AuditSummary> {
    const summary: AuditSummary = { commitToSyncedSeconds: { hydrated: null, direct: null }, hydratedCommit: null, refusals: [], notifications: 0, auditSeconds: { object: null, stack: null } };
    /** Waits for the audit webhook to receive an event that `match` accepts. */
    const notified = async (what: string, match: (e: Record<string, unknown>) => boolean) => {
        await pollUntil(async () => ctx.events().some(match), 120_000, `the audit webhook to receive ${what}`, () => JSON.stringify(ctx.events().map((e) => [e.event, e.app, String(e.revision).slice(0, 12)])));
        return ctx.events().find(match)!;
    };
    const kubectl = () => ctx.kubectl();
    const app = (name: string) => kubectl().get<ApplicationObject>(["applications.argoproj.io", name, "-n", ctx.namespace]);
    // The chart names its objects after the release, prefixed unless the release is the chart's name.
    const configMap = (name: string) => (name === AUDITED_APP ? ["configmap", `${AUDITED_APP}-hello-service`, "-n", AUDITED_NAMESPACE] : ["configmap", name, "-n", ctx.direct.namespace]);
    const message = async (name: string) => (await kubectl().get<{ data: Record<string, string> }>(configMap(name)))?.data.PODINFO_UI_MESSAGE;
    // What a Git webhook does: the dry source is looked at (and hydrated) now, not at the next resync.
    const refresh = async (name: string) => {
        await kubectl().run(["annotate", "applications.argoproj.io", name, "-n", ctx.namespace, "--overwrite", "argocd.argoproj.io/refresh=hard", "argocd.argoproj.io/hydrate=normal"]);
    };
    const hydratedAt = async (dry: string) => {
        const a = await app(AUDITED_APP);
        const done = a?.status?.sourceHydrator?.lastSuccessfulOperation;
        return done?.drySHA === dry && a?.status?.sync?.status === "Synced" && a.status.sync.revision === done.hydratedSHA ? done.hydratedSHA : undefined;
    };
    const waitBoth = async (dry: string, text: string, timeoutMs: number) => {
        const started = Date.now();
        const seconds = { hydrated: null as number | null, direct: null as number | null };
        let last = "";
        await pollUntil(
            async () => {
                last = JSON.stringify({ seconds, audited: (await app(AUDITED_APP))?.status, direct: (await app(ctx.direct.app))?.status?.sync }).slice(0, 3000);
                if (seconds.direct === null) {
                    const d = await app(ctx.direct.app);
                    if (d?.status?.sync?.status === "Synced" && d.status.sync.revision === dry && (await message(ctx.direct.app)) === text) seconds.direct = round((Date.now() - started) / 1000);
                }
                if (seconds.hydrated === null && (await hydratedAt(dry)) && (await message(AUDITED_APP)) === text) seconds.hydrated = round((Date.now() - started) / 1000);
                return seconds.direct !== null && seconds.hydrated !== null;
            },
            timeoutMs,
            `${dry.slice(0, 12)} hydrated and synced in ${AUDITED_APP}, synced in ${ctx.direct.app}`,
            () => last,
        );
        return seconds;
    };

    await run.step(`a signed commit is hydrated to ${BRANCH} by the commit server, signed with its key, and synced (${AUDITED_APP}); ${ctx.direct.app} syncs it straight from main`, async () => {
        const text = `audited ${Date.now()}`;
        const dry = ctx.git().commitChange(VALUES, (t) => t.replace(/PODINFO_UI_MESSAGE: .*/, `PODINFO_UI_MESSAGE: "${text}"`), "change the dev message (signed)");
        await Promise.all([AUDITED_APP, ctx.direct.app].map(refresh));
        summary.commitToSyncedSeconds = await waitBoth(dry, text, 300_000);
        const hydrated = ctx.git().head(BRANCH);
        summary.hydratedCommit = hydrated;
        const { status, fingerprint } = ctx.git().signature(hydrated, ctx.keys().verifier);
        assert.strictEqual(status, "G", `the hydrated commit ${hydrated} has no good signature (git says ${status})`);
        assert.strictEqual(fingerprint, ctx.keys().commitServer.fingerprint, "the hydrated commit is signed by another key");
        const event = await notified(`the sync of ${hydrated.slice(0, 12)}`, (e) => e.event === "on-audit-sync-succeeded" && e.app === AUDITED_APP && e.revision === hydrated && e.drySha === dry);
        assert.ok(event.receivedAt, "the receiver stamps what it received");
        return `dry ${dry.slice(0, 12)} -> hydrated ${hydrated.slice(0, 12)} (signed by the commit server); Synced in ${summary.commitToSyncedSeconds.hydrated} s hydrated, ${summary.commitToSyncedSeconds.direct} s direct`;
    });

    await run.step("the hydrated manifests in Git equal the objects the cluster holds, field by field (server-set fields aside)", async () => {
        const manifest = ctx.git().show(BRANCH, `in-cluster/${AUDITED_APP}/manifest.yaml`);
        const objects = YAML.parseAllDocuments(manifest).map((d) => d.toJSON() as Record<string, unknown> | null).filter((o): o is Record<string, unknown> => o !== null);
        assert.ok(objects.length > 0, "the hydrated manifest holds no object");
        const differences: string[] = [];
        for (const object of objects) {
            const meta = object.metadata as { name: string; namespace?: string };
            const kind = `${object.kind}.${String(object.apiVersion).includes("/") ? String(object.apiVersion).split("/")[0] : ""}`.replace(/\.$/, "");
            const live = await kubectl().get<Record<string, unknown>>([kind, meta.name, "-n", meta.namespace ?? AUDITED_NAMESPACE]);
            if (!live) {
                differences.push(`${object.kind} ${meta.name}: not in the cluster`);
                continue;
            }
            differences.push(...subsetDifferences(object, live, `${object.kind} ${meta.name}`));
        }
        assert.deepStrictEqual(differences, [], "hydrated manifests and live objects differ");
        return `${objects.length} objects (${objects.map((o) => o.kind).join(", ")})`;
    });

    await run.step("hydrator.metadata (file and git note) and the hydrated commit's message name the dry commit", async () => {
        const dry = ctx.git().head();
        const metadata = JSON.parse(ctx.git().show(BRANCH, "hydrator.metadata")) as { drySha?: string; repoURL?: string; author?: string; subject?: string };
        assert.strictEqual(metadata.drySha, dry, `hydrator.metadata names ${metadata.drySha}, the dry branch is at ${dry}`);
        const body = ctx.git().log(["-1", "--format=%B", BRANCH]);
        assert.ok(body.includes(dry.slice(0, 7)), `the hydrated commit's message does not name ${dry.slice(0, 7)}:\n${body}`);
        // The commit server also notes the dry commit on the hydrated one (git notes, ref hydrator.metadata).
        const note = JSON.parse(ctx.git().log(["-1", "--notes=hydrator.metadata", "--format=%N", BRANCH]).trim() || "{}") as { drySha?: string };
        assert.strictEqual(note.drySha, dry, "the hydrator.metadata note names another dry commit");
        const trailers = ctx.git().log(["-1", "--format=%(trailers:only,unfold)", BRANCH]).trim();
        return `drySha ${dry.slice(0, 12)} (file and note), author ${metadata.author}; message "${body.split("\n")[0]}"${trailers ? `; trailers: ${trailers.replace(/\n/g, "; ")}` : ""}`;
    });

    let base = "";
    const refused = async (what: string, commit: () => string, reason: RegExp) => {
        base ||= ctx.git().head();
        const before = { hydrated: ctx.git().head(BRANCH), audited: await message(AUDITED_APP), direct: await message(ctx.direct.app) };
        const since = new Date().toISOString();
        commit();
        await Promise.all([AUDITED_APP, ctx.direct.app].map(refresh));
        let why = "";
        await pollUntil(
            async () => {
                const texts = await Promise.all([AUDITED_APP, ctx.direct.app].map(async (n) => {
                    const s = (await app(n))?.status;
                    return [...(s?.conditions ?? []).map((c) => `${c.type}: ${c.message}`), s?.sourceHydrator?.currentOperation?.message ?? "", s?.operationState?.message ?? ""].join(" | ");
                }));
                const [audited, direct] = texts.map((t) => (/GPG/.test(t) && reason.test(t) ? t : ""));
                why = `${AUDITED_APP}: ${audited.slice(0, 300)} / ${ctx.direct.app}: ${direct.slice(0, 300)}`;
                return audited !== "" && direct !== "";
            },
            180_000,
            `both Applications to say why ${what} is refused`,
            () => why,
        );
        // Give the controllers the time a sync would take, then nothing may have moved.
        await new Promise((r) => setTimeout(r, 15_000));
        assert.strictEqual(ctx.git().head(BRANCH), before.hydrated, `${what} was hydrated`);
        assert.strictEqual(await message(AUDITED_APP), before.audited, `${what} reached ${AUDITED_APP}`);
        assert.strictEqual(await message(ctx.direct.app), before.direct, `${what} reached ${ctx.direct.app}`);
        summary.refusals.push(why);
        // Every failed verification reaches the audit sink too.
        // (hello-audited's is a failed hydration; hello-service's condition may still name the first bad
        // commit of the history, an earlier one, so it is not sent again.)
        await notified(`the failed verification of ${what}`, (e) => ["on-audit-comparison-error", "on-audit-hydration-failed"].includes(String(e.event)) && /GPG|sign|integrity/i.test(String(e.message)) && String(e.receivedAt) >= since);
        summary.notifications = ctx.events().length;
        return why;
    };
    const change = (text: string) => (t: string) => t.replace(/PODINFO_UI_MESSAGE: .*/, `PODINFO_UI_MESSAGE: "${text}"`);

    await run.step("a commit signed by a key nobody trusts is neither hydrated nor synced: the Applications say why, the cluster is unchanged", () =>
        refused("a stranger's commit", () => ctx.git().commitChange(VALUES, change(`from a stranger ${Date.now()}`), "a stranger's change", ctx.keys().stranger), /Sam Stranger.*not in keyring/),
    );

    await run.step("an unsigned commit is neither hydrated nor synced: the Applications say why, the cluster is unchanged", async () => {
        // The stranger's commit dropped first (force-pushed away), so what is refused is this one alone.
        ctx.git().resetTo(base);
        return refused("an unsigned commit", () => ctx.git().commitChange(VALUES, change(`unsigned ${Date.now()}`), "an unsigned change", null), /unsigned/);
    });

    await run.step("signing it again (a maintainer's reviewed rebase) makes it hydrate and sync", async () => {
        const head = ctx.git().resignSince(base);
        const text = ctx.git().show(head, VALUES).match(/PODINFO_UI_MESSAGE: "(.*)"/)?.[1] ?? "";
        await Promise.all([AUDITED_APP, ctx.direct.app].map(refresh));
        const seconds = await waitBoth(head, text, 300_000);
        return `re-signed ${head.slice(0, 12)} ("${text}"): ${seconds.hydrated} s hydrated, ${seconds.direct} s direct`;
    });

    await run.step("npm run audit traces the hydrated Deployment to its signed dry commit and signer, the hydrated commit, the sync and its notification, the Pulumi update and the Terraform state", async () => {
        // `stack history` takes no --config-file: the stack alone.
        const history = await run.cli(["stack", "history", "--json", "--stack", ctx.stackArgs[ctx.stackArgs.indexOf("--stack") + 1]]);
        assert.strictEqual(history.code, 0, history.stderr);
        const historyFile = path.join(run.work, "pulumi-history.json");
        fs.writeFileSync(historyFile, history.stdout);
        const keys = ctx.keys();
        const out = path.join(run.work, "audit");
        const sources = [
            "--git-dir", ctx.git().bare, "--gnupghome", keys.verifier, "--trusted-keys", `${keys.developer.fingerprint},${keys.commitServer.fingerprint}`,
            "--kubeconfig", ctx.kubeconfig(), "--namespace", ctx.namespace, "--notifications", ctx.eventsFile(), "--pulumi-history", historyFile, "--config-file", ctx.configFile,
        ];
        const deployment = `deployment/${AUDITED_NAMESPACE}/${AUDITED_APP}-hello-service`;
        const started = Date.now();
        const object = audit(run, ["--stack", "local", ...sources, "--object", deployment, "--out", out]);
        summary.auditSeconds.object = round((Date.now() - started) / 1000);
        const stackStarted = Date.now();
        audit(run, ["--stack", "local", ...sources, "--out", out]);
        summary.auditSeconds.stack = round((Date.now() - stackStarted) / 1000);
        assert.match(object, /\S/, "npm run audit printed nothing");
        const report = JSON.parse(fs.readFileSync(path.join(out, "audit", "local", `deployment.${AUDITED_NAMESPACE}.${AUDITED_APP}-hello-service.json`), "utf8")) as AuditJson;
        const chain = report.chain!;
        const dry = ctx.git().head();
        const hydrated = ctx.git().head(BRANCH);
        assert.strictEqual(chain.application?.name, AUDITED_APP);
        assert.strictEqual(chain.dryCommit?.sha, dry, "the chain's dry commit");
        assert.ok(chain.dryCommit?.signature.verified, `the dry commit is not shown verified: ${JSON.stringify(chain.dryCommit?.signature)}`);
        assert.strictEqual(chain.dryCommit?.signature.fingerprint, keys.developer.fingerprint, "the dry commit's signer");
        assert.strictEqual(chain.hydratedCommit?.sha, hydrated, "the chain's hydrated commit");
        assert.strictEqual(chain.hydratedCommit?.signature?.fingerprint, keys.commitServer.fingerprint, "the hydrated commit's signer");
        assert.strictEqual(chain.sync?.revision, hydrated, "the sync's revision");
        assert.ok(chain.notifications.some((n) => n.event === "on-audit-sync-succeeded" && n.revision === hydrated), `no notification of that sync: ${JSON.stringify(chain.notifications)}`);
        assert.ok(chain.pulumiUpdate && chain.pulumiUpdate.kind === "update", `no Pulumi update: ${JSON.stringify(chain.pulumiUpdate)}`);
        assert.ok(chain.terraform?.lineage, "no Terraform lineage");
        const stack = JSON.parse(fs.readFileSync(path.join(out, "audit", "local", "stack.json"), "utf8")) as AuditJson;
        const kinds = new Set(stack.timeline.map((e) => e.kind));
        for (const kind of ["dry-commit", "hydrated-commit", "sync", "notification", "pulumi-update"]) assert.ok(kinds.has(kind), `the stack's timeline has no ${kind}`);
        for (const file of fs.readdirSync(path.join(out, "audit", "local"))) run.record(`npm run audit ${file}`, fs.readFileSync(path.join(out, "audit", "local", file), "utf8"));
        return `dry ${dry.slice(0, 12)} signed by ${chain.dryCommit!.signature.fingerprint!.slice(-16)} -> hydrated ${hydrated.slice(0, 12)} -> sync #${chain.sync!.historyId} -> Pulumi update ${chain.pulumiUpdate!.version} -> Terraform serial ${chain.terraform!.serial}; ${stack.timeline.length} events in the stack's timeline; ${summary.auditSeconds.object} s for the object, ${summary.auditSeconds.stack} s for the stack`;
    });

    return summary;
}

/** The parts of `npm run audit`'s JSON the loop checks (tools/audit/model.ts). */
interface AuditJson {
    chain?: {
        application?: { name: string };
        dryCommit?: { sha: string; signature: { verified: boolean; fingerprint?: string } };
        hydratedCommit?: { sha: string; signature?: { fingerprint?: string } };
        sync?: { revision: string; historyId?: number };
        notifications: { event: string; revision?: string }[];
        pulumiUpdate?: { version: number; kind: string };
        terraform?: { lineage?: string; serial?: number };
    };
    timeline: { kind: string }[];
}

/** Runs `npm run audit` (its CLI through ts-node, as npm does); its output joins the canary check. */
function audit(run: E2eRun, args: string[]): string {
    const cli = path.join(run.projectRoot, "tools", "audit", "cli.ts");
    const out = execFileSync(path.join(run.projectRoot, "node_modules", ".bin", "ts-node"), ["--transpile-only", cli, ...args], { cwd: run.projectRoot, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    run.record(`npm run audit ${args.filter((a) => !a.startsWith("/")).join(" ")}`, out);
    return out;
}

/** Every leaf of `want` that `live` lacks or holds otherwise, by path; what the server adds is not compared. */
function subsetDifferences(want: unknown, live: unknown, at: string): string[] {
    if (want !== null && typeof want === "object" && !Array.isArray(want)) {
        if (live === null || typeof live !== "object" || Array.isArray(live)) return [`${at}: ${JSON.stringify(want)} in Git, ${JSON.stringify(live)} live`];
        return Object.entries(want as Record<string, unknown>).flatMap(([k, v]) => subsetDifferences(v, (live as Record<string, unknown>)[k], `${at}.${k}`));
    }
    if (Array.isArray(want)) {
        if (!Array.isArray(live) || live.length !== want.length) return [`${at}: ${want.length} items in Git, ${Array.isArray(live) ? live.length : "none"} live`];
        return want.flatMap((v, i) => subsetDifferences(v, live[i], `${at}[${i}]`));
    }
    return String(want) === String(live) ? [] : [`${at}: ${JSON.stringify(want)} in Git, ${JSON.stringify(live)} live`];
}
