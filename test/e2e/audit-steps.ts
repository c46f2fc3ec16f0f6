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
import { GpgKey, makeGpgKey, publicKey, secretKey, stopGpgAgent } from "../../tools/local-cluster/gpg";
import { SIGNING_KEY_SECRET } from "../../tools/local-cluster/argocd-commit-server";
import { Kubectl } from "../../tools/local-cluster/kubectl";
import { pollUntil } from "../../tools/local-cluster/managed-process";
import { E2eRun, roundSeconds as round } from "./e2e-run";

/** The hydrated application, and where it runs. */
export const AUDITED_APP = "hello-audited";
const AUDITED_NAMESPACE = "hello-audited";
const BRANCH = "environments/local";
const VALUES = "charts/hello-service/values-dev.yaml";

/** The loop's keys, and the keyring that verifies with the trusted ones only. */
export interface LoopKeys {
    developer: GpgKey;
    commitServer: GpgKey;
    stranger: GpgKey;
    /** Folder of the trusted public keys, relative to the project root (the stack's keysDirectory). */
    keysDirectory: string;
    /** A GNUPGHOME holding the trusted public keys, for `git verify-commit`. */
    verifier: string;
    /** The commit server's private key as the Secret Argo CD reads it: made here, outside Pulumi. */
    applySigningKeySecret(kubectl: Kubectl, namespace: string): Promise<void>;
    /** Stops every gpg-agent the keys started. */
    stop(): void;
}

export function makeLoopKeys(projectRoot: string, dir: string): LoopKeys {
    const developer = makeGpgKey(dir, "Dana Developer", "dana@gitops-platform.invalid");
    const commitServer = makeGpgKey(dir, "Argo CD commit server", "commit-server@gitops-platform.invalid");
    const stranger = makeGpgKey(dir, "Sam Stranger", "sam@stranger.invalid");
    // Under out/ (git-ignored): a stack's keysDirectory is a path in the repository.
    const keysDirectory = "out/e2e/signing-keys";
    const keysDir = path.join(projectRoot, keysDirectory);
    fs.rmSync(keysDir, { recursive: true, force: true });
    fs.mkdirSync(keysDir, { recursive: true });
    const verifier = path.join(dir, "gnupg-verifier");
    fs.mkdirSync(verifier, { recursive: true, mode: 0o700 });
    for (const key of [developer, commitServer]) {
        const armored = publicKey(key);
        fs.writeFileSync(path.join(keysDir, `${key.fingerprint}.asc`), armored);
        execFileSync("gpg", ["--homedir", verifier, "--batch", "--import"], { input: armored, stdio: ["pipe", "ignore", "ignore"] });
        // Trusted ultimately: `git verify-commit` then says G (good), as Argo CD's keyring does.
        execFileSync("gpg", ["--homedir", verifier, "--batch", "--import-ownertrust"], { input: `${key.fingerprint}:6:\n`, stdio: ["pipe", "ignore", "ignore"] });
    }
    return {
        developer,
        commitServer,
        stranger,
        keysDirectory,
        verifier,
        applySigningKeySecret: (kubectl, namespace) =>
            kubectl.apply(
                { apiVersion: "v1", kind: "Secret", metadata: { name: SIGNING_KEY_SECRET, namespace, labels: { "app.kubernetes.io/part-of": "argocd" } }, stringData: { signingKey: secretKey(commitServer) } },
                `Secret ${namespace}/${SIGNING_KEY_SECRET}`,
            ),
        stop: () => [developer, commitServer, stranger].forEach(stopGpgAgent),
    };
}

/**
 * The local stack as the loop runs it: strict source integrity with the developer's and the commit
 * server's keys, hydration signed by the commit server; `hello-service` synced straight from main
 * (hydration off), `hello-audited` (the same chart) hydrated.
 */
export function auditedStack(keys: LoopKeys): (platform: Record<string, unknown>) => void {
    return (platform) => {
        const gitops = platform.gitops as Record<string, unknown> & { projects: { name: string; destinations: unknown[] }[]; applications: Record<string, unknown>[] };
        gitops.sourceIntegrity = { mode: "strict", keys: [keys.developer.fingerprint, keys.commitServer.fingerprint], keysDirectory: keys.keysDirectory };
        gitops.hydration = { signingKey: keys.commitServer.fingerprint };
        const direct = gitops.applications.find((a) => a.name === "hello-service");
        if (!direct) throw new Error("stacks/Pulumi.local.yaml declares no application hello-service");
        direct.hydration = { enabled: false };
        gitops.applications.push({ ...direct, name: AUDITED_APP, destination: { namespace: AUDITED_NAMESPACE }, hydration: { enabled: true } });
        gitops.projects.find((p) => p.name === "team-hello")!.destinations.push({ namespace: AUDITED_NAMESPACE });
    };
}

export interface AuditSummary {
    /** Dry commit to Synced: hydrated (and both signatures checked) against direct (signature checked). */
    commitToSyncedSeconds: { hydrated: number | null; direct: number | null };
    hydratedCommit: string | null;
    /** What the refusals said. */
    refusals: string[];
}

export interface AuditContext {
    kubectl: () => Kubectl;
    git: () => GitRepository;
    keys: () => LoopKeys;
    namespace: string;
    /** The application synced straight from the dry branch. */
    direct: { app: string; namespace: string };
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
    const summary: AuditSummary = { commitToSyncedSeconds: { hydrated: null, direct: null }, hydratedCommit: null, refusals: [] };
    const kubectl = () => ctx.kubectl();
    const app = (name: string) => kubectl().get<ApplicationObject>(["applications.argoproj.io", name, "-n", ctx.namespace]);
    const message = async (name: string) => (await kubectl().get<{ data: Record<string, string> }>(["configmap", name, "-n", name === AUDITED_APP ? AUDITED_NAMESPACE : ctx.direct.namespace]))?.data.PODINFO_UI_MESSAGE;
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

    await run.step("hydrator.metadata and the hydrated commit's message name the dry commit", async () => {
        const dry = ctx.git().head();
        const metadata = JSON.parse(ctx.git().show(BRANCH, "hydrator.metadata")) as { drySha?: string; repoURL?: string; author?: string; subject?: string };
        assert.strictEqual(metadata.drySha, dry, `hydrator.metadata names ${metadata.drySha}, the dry branch is at ${dry}`);
        const body = ctx.git().log(["-1", "--format=%B", BRANCH]);
        assert.ok(body.includes(dry.slice(0, 7)), `the hydrated commit's message does not name ${dry.slice(0, 7)}:\n${body}`);
        const trailers = ctx.git().log(["-1", "--format=%(trailers:only,unfold)", BRANCH]).trim();
        return `drySha ${dry.slice(0, 12)}, author ${metadata.author}; message "${body.split("\n")[0]}"${trailers ? `; trailers: ${trailers.replace(/\n/g, "; ")}` : ""}`;
    });

    let base = "";
    const refused = async (what: string, commit: () => string) => {
        base ||= ctx.git().head();
        const before = { hydrated: ctx.git().head(BRANCH), audited: await message(AUDITED_APP), direct: await message(ctx.direct.app) };
        commit();
        await Promise.all([AUDITED_APP, ctx.direct.app].map(refresh));
        let why = "";
        await pollUntil(
            async () => {
                const texts = await Promise.all([AUDITED_APP, ctx.direct.app].map(async (n) => {
                    const s = (await app(n))?.status;
                    return [...(s?.conditions ?? []).map((c) => `${c.type}: ${c.message}`), s?.sourceHydrator?.currentOperation?.message ?? "", s?.operationState?.message ?? ""].join(" | ");
                }));
                const [audited, direct] = texts.map((t) => (/signature|signed|verif|gpg/i.test(t) ? t : ""));
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
        return why;
    };
    const change = (text: string) => (t: string) => t.replace(/PODINFO_UI_MESSAGE: .*/, `PODINFO_UI_MESSAGE: "${text}"`);

    await run.step("a commit signed by a key nobody trusts is neither hydrated nor synced: the Applications say why, the cluster is unchanged", () =>
        refused("a stranger's commit", () => ctx.git().commitChange(VALUES, change(`from a stranger ${Date.now()}`), "a stranger's change", ctx.keys().stranger)),
    );

    await run.step("an unsigned commit is neither hydrated nor synced: the Applications say why, the cluster is unchanged", () =>
        refused("an unsigned commit", () => ctx.git().commitChange(VALUES, change(`unsigned ${Date.now()}`), "an unsigned change", null)),
    );

    await run.step("signing them again (a maintainer's reviewed rebase) makes them hydrate and sync", async () => {
        const head = ctx.git().resignSince(base);
        const text = ctx.git().show(head, VALUES).match(/PODINFO_UI_MESSAGE: "(.*)"/)?.[1] ?? "";
        await Promise.all([AUDITED_APP, ctx.direct.app].map(refresh));
        const seconds = await waitBoth(head, text, 300_000);
        return `re-signed ${head.slice(0, 12)} ("${text}"): ${seconds.hydrated} s hydrated, ${seconds.direct} s direct`;
    });

    ctx.keys()?.stop();
    return summary;
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
