/**
 * The audit trail's cost on the real local loop (control plane, Argo CD 3.6.1 with its commit server
 * and notifications controller, `pulumi up` with the policy pack), set up as the e2e loop does
 * (test/e2e/loop-steps.ts): strict source integrity on the developer's and the commit server's keys,
 * `hello-audited` hydrated to environments/local by the commit server (signed) and synced from there,
 * `hello-service` synced straight from main; both from the same chart and values file.
 *
 * Figures, for GIT_TRAIL_COMMITS (default 5) signed commits to charts/hello-service/values-dev.yaml:
 * seconds from the commit on the Git server to each Application Synced at it with the new message in
 * its ConfigMap (both refreshed as a Git webhook would, polled side by side as audit-steps.ts's
 * `waitBoth` does), median, max and the hydrated/direct ratio; then `npm run audit` for one object
 * and for the whole stack. Then, on the same loop, GIT_TRAIL_ROTATIONS (default 3) rotations of the
 * reader's Git credential in the secrets store only (loop-secrets.ts): seconds from the store write to
 * the new credential in Argo CD's repository Secret (External Secrets Operator's refresh, the stack's
 * refreshInterval) and to the first sync of a new commit with it, the old credential revoked; and
 * `npm run drift`'s three layers on the synced loop (bench/drift-timing.ts).
 * Figures only, never asserted: the machines are shared and noisy.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { onExit } from "../tools/engine/processes";
import { runPulumi } from "../tools/engine/pulumi-cli";
import { upArgoCdCrds } from "../tools/engine/argocd-crds-stack";
import { benchStack } from "./bench-stack";
import { ArgoCdControllers, startArgoCdControllers } from "../tools/local-cluster/argocd-controllers";
import { ControlPlane, startControlPlane } from "../tools/local-cluster/control-plane";
import { stopGpgAgents } from "../tools/local-cluster/gpg";
import { onLocalCluster, writeLocalStackFile } from "../tools/local-cluster/local-stack";
import { LoopAuditSink, startLoopAuditSink } from "../tools/local-cluster/loop-audit-sink";
import { LoopGit, serveLoopGit } from "../tools/local-cluster/loop-git";
import { loopStoreKeys, startLoopSecrets } from "../tools/local-cluster/loop-secrets";
import { AUDITED_APP, AUDITED_NAMESPACE, auditedStack, LoopKeys, makeLoopKeys } from "../tools/local-cluster/loop-keys";
import { isAlive, ManagedProcess, pollUntil } from "../tools/local-cluster/managed-process";
import { printTable, recordResults, ROOT } from "./results";
import { driftTiming } from "./drift-timing";

const BIN = path.join(ROOT, ".tools", "bin");
const NAMESPACE = "argocd";
const DIRECT_APP = "hello-service";
const DIRECT_NAMESPACE = "hello";
const BRANCH = "environments/local";
const VALUES = "charts/hello-service/values-dev.yaml";
/** The trusted public keys the stack reads (a path in the repository, git-ignored), removed at the end. */
const KEYS_DIRECTORY = "out/bench/git-trail-signing-keys";
const COMMITS = Number(process.env.GIT_TRAIL_COMMITS ?? 5);
const ROTATIONS = Number(process.env.GIT_TRAIL_ROTATIONS ?? 3);

interface ApplicationItem {
    metadata: { name: string };
    status?: {
        sync?: { status?: string; revision?: string };
        health?: { status?: string };
        sourceHydrator?: { lastSuccessfulOperation?: { drySHA?: string; hydratedSHA?: string } };
    };
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
    if (!fs.existsSync(path.join(BIN, "kube-apiserver")) || !fs.existsSync(path.join(BIN, "argocd"))) {
        throw new Error(`the local control plane and Argo CD are not installed in ${BIN}: run bash tools/install.sh`);
    }
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-git-trail-"));
    // Removed on every exit path, Ctrl-C included (the processes are stopped by tools/engine/processes.ts).
    const removeWork = onExit(() => fs.rmSync(work, { recursive: true, force: true }));
    const log = (line: string) => process.stdout.write(`    ${line}\n`);
    const configFile = path.join(work, "Pulumi.local.yaml");
    const { ws, stack, must } = benchStack(ROOT, work, configFile);
    const processes: ManagedProcess[] = [];
    let cp: ControlPlane | undefined;
    let keys: LoopKeys | undefined;
    let loopGit: LoopGit | undefined;
    let sink: LoopAuditSink | undefined;
    let argocd: ArgoCdControllers | undefined;
    let stackMade = false;
    let failure: Error | undefined;
    try {
        cp = await startControlPlane({ binDir: BIN, dataDir: path.join(work, "cluster") });
        processes.push(...cp.processes);
        const secrets = await startLoopSecrets({ binDir: BIN, etcdUrl: cp.etcdUrl, hub: cp, dataDir: path.join(work, "secrets") });
        processes.push(secrets.operator, secrets.store.process);
        // Its own keys folder: a running e2e keeps its keys.
        keys = makeLoopKeys(ROOT, path.join(work, "gpg"), KEYS_DIRECTORY);
        loopGit = await serveLoopGit({ projectRoot: ROOT, dir: path.join(work, "git"), signer: keys.developer });
        processes.push(loopGit.server.process);
        // Argo CD 3.6.1's commit server would open the branch with an unsigned commit strict verification refuses.
        loopGit.repo.openBranch(BRANCH, `Open ${BRANCH} for Argo CD's source hydrator (signed)`);
        sink = await startLoopAuditSink({ dir: path.join(work, "audit-sink") });
        processes.push(sink.receiver.process);
        const git = loopGit.repo;
        writeLocalStackFile(ROOT, configFile, (platform) => {
            onLocalCluster(loopGit!.url)(platform);
            auditedStack(keys!)(platform);
            sink!.stackChange(platform);
            secrets.stackChange(platform);
        });
        const storeKeys = loopStoreKeys(configFile);
        await loopGit.putCredentials(secrets, storeKeys);
        await sink.putToken(secrets, storeKeys.notifications!);

        await must(["stack", "init", "local", "--secrets-provider", "passphrase"]);
        stackMade = true;
        await must(["config", "set", "--secret", "kubeconfig", ...stack], fs.readFileSync(cp.kubeconfigPath, "utf8"));
        const policy = ["--policy-pack", "policies/launch", "--policy-pack-config", "policies/config/local.json"];
        await upArgoCdCrds(ws, stack, policy);
        const up = await must(["up", "--yes", ...stack, ...policy]);
        log(`pulumi up ${up.seconds.toFixed(1)} s`);

        // Repository credentials and the webhook's token from the store (External Secrets Operator); the commit server's key made outside Pulumi.
        await cp.kubectl.waitFor(["wait", "--for=condition=Ready", "externalsecrets", "--all", "-n", NAMESPACE, "--timeout=5s"], 120_000, "every ExternalSecret to be Ready");
        await keys.applySigningKeySecret(cp.kubectl, NAMESPACE);
        argocd = await startArgoCdControllers({
            binDir: BIN,
            kubeconfigPath: cp.kubeconfigPath,
            namespace: NAMESPACE,
            dataDir: path.join(work, "argocd"),
            // The Git server and the audit webhook are both 127.0.0.1: one file of that host trusts both.
            trustedCertificates: [loopGit.server.certificateFile, sink.receiver.certificateFile].map((certificateFile) => ({ host: "127.0.0.1", certificateFile })),
            notifications: { trustedCertificates: [sink.receiver.certificateFile] },
        });
        processes.push(...argocd.processes);
        if (!argocd.commitServer?.signing) throw new Error("the commit server does not sign: argocd-cmd-params-cm names no signing key");
        const controllersStarted = Date.now();

        const kubectl = cp.kubectl;
        const apps = async () => {
            const list = await kubectl.get<{ items: ApplicationItem[] }>(["applications.argoproj.io", "-n", NAMESPACE]);
            return new Map((list?.items ?? []).map((a) => [a.metadata.name, a]));
        };
        const directAt = (a: ApplicationItem | undefined, dry: string) => a?.status?.sync?.status === "Synced" && a.status.sync.revision === dry;
        const hydratedAt = (a: ApplicationItem | undefined, dry: string) => {
            const done = a?.status?.sourceHydrator?.lastSuccessfulOperation;
            return done?.drySHA === dry && a?.status?.sync?.status === "Synced" && a.status.sync.revision === done.hydratedSHA;
        };
        const message = async (configMap: string[]) => (await kubectl.get<{ data: Record<string, string> }>(configMap))?.data.PODINFO_UI_MESSAGE;
        // What a Git webhook does: the dry source is looked at (and hydrated) now, not at the next resync.
        const refreshBoth = () =>
            Promise.all(
                [AUDITED_APP, DIRECT_APP].map((name) =>
                    kubectl.run(["annotate", "applications.argoproj.io", name, "-n", NAMESPACE, "--overwrite", "argocd.argoproj.io/refresh=hard", "argocd.argoproj.io/hydrate=normal"]),
                ),
            );
        /** Seconds from `started` to each Application Synced at `dry` (with `text` live, when given), polled side by side. */
        const waitBoth = async (dry: string, text: string | undefined, started: number, timeoutMs: number) => {
            const seconds = { hydrated: null as number | null, direct: null as number | null };
            let last = "";
            await pollUntil(
                async () => {
                    const all = await apps();
                    const [audited, direct] = [all.get(AUDITED_APP), all.get(DIRECT_APP)];
                    last = JSON.stringify({ seconds, audited: audited?.status, direct: direct?.status?.sync }).slice(0, 3000);
                    if (seconds.direct === null && directAt(direct, dry) && (text === undefined || (await message(["configmap", DIRECT_APP, "-n", DIRECT_NAMESPACE])) === text)) {
                        seconds.direct = round((Date.now() - started) / 1000);
                    }
                    if (seconds.hydrated === null && hydratedAt(audited, dry) && (text === undefined || (await message(["configmap", `${AUDITED_APP}-hello-service`, "-n", AUDITED_NAMESPACE])) === text)) {
                        seconds.hydrated = round((Date.now() - started) / 1000);
                    }
                    return seconds.direct !== null && seconds.hydrated !== null;
                },
                timeoutMs,
                `${dry.slice(0, 12)} hydrated and synced in ${AUDITED_APP}, synced in ${DIRECT_APP}`,
                () => last,
            );
            return seconds as { hydrated: number; direct: number };
        };

        await refreshBoth();
        const first = await waitBoth(git.head(), undefined, controllersStarted, 300_000);
        log(`controllers started -> main's first commit Synced: ${first.hydrated} s hydrated, ${first.direct} s direct`);

        const rounds: { dry: string; hydratedCommit: string; signedByCommitServer: boolean; hydrated: number; direct: number }[] = [];
        for (let i = 1; i <= COMMITS; i++) {
            const text = `git-trail ${i} ${Date.now()}`;
            const dry = git.commitChange(VALUES, (t) => t.replace(/PODINFO_UI_MESSAGE: .*/, `PODINFO_UI_MESSAGE: "${text}"`), `bench: change the dev message (${i})`);
            const started = Date.now();
            await refreshBoth();
            const seconds = await waitBoth(dry, text, started, 300_000);
            const hydratedCommit = git.head(BRANCH);
            const signature = git.signature(hydratedCommit, keys.verifier);
            const signedByCommitServer = signature.status === "G" && signature.fingerprint === keys.commitServer.fingerprint;
            rounds.push({ dry, hydratedCommit, signedByCommitServer, ...seconds });
            log(`commit ${i}/${COMMITS} ${dry.slice(0, 12)} -> ${hydratedCommit.slice(0, 12)}${signedByCommitServer ? " (signed by the commit server)" : ` (signature ${signature.status} ${signature.fingerprint})`}: ${seconds.hydrated} s hydrated, ${seconds.direct} s direct`);
        }

        // A credential rotated in the store only: the operator's refresh, then Argo CD's first sync with it.
        const readerInSecret = async () => Buffer.from((await kubectl.get<{ data?: Record<string, string> }>(["secret", "repo-gitops-platform", "-n", NAMESPACE]))?.data?.username ?? "", "base64").toString();
        const rotations: { toSecret: number; toSynced: number }[] = [];
        for (let i = 1; i <= ROTATIONS; i++) {
            const started = Date.now();
            const rotation = await loopGit.rotateReader(secrets, storeKeys);
            await pollUntil(async () => (await readerInSecret()) === rotation.current.username, 120_000, "the rotated credential in Argo CD's repository Secret");
            const toSecret = round((Date.now() - started) / 1000);
            rotation.revoke();
            const text = `rotation ${i} ${Date.now()}`;
            const dry = git.commitChange(VALUES, (t) => t.replace(/PODINFO_UI_MESSAGE: .*/, `PODINFO_UI_MESSAGE: "${text}"`), `bench: synced with rotated credential ${i}`);
            await refreshBoth();
            await waitBoth(dry, text, Date.now(), 300_000);
            rotations.push({ toSecret, toSynced: round((Date.now() - started) / 1000) });
            log(`rotation ${i}/${ROTATIONS}: in the Secret after ${toSecret} s, a new commit Synced with it ${rotations[i - 1].toSynced} s after the store write`);
        }

        // `npm run drift`'s layers on the loop, with nothing drifted: what a nightly run costs here.
        const drift = await driftTiming({ projectRoot: ROOT, stack: "local", configFile, pulumi: { workspace: ws, description: "the bench's backend" }, kubectl, argocdNamespace: NAMESPACE });
        log(`npm run drift: ${drift.seconds.total} s (terraform ${drift.seconds.terraform}, pulumi ${drift.seconds.pulumi}, argocd ${drift.seconds.argocd} for ${drift.applications} Applications); items ${JSON.stringify(drift.items)}`);

        // The audit reads the trail whole: the last hydrated sync's notification has reached the audit webhook.
        const lastHydrated = rounds[rounds.length - 1].hydratedCommit;
        const notifyWaitStarted = Date.now();
        const notified = await pollUntil(
            async () => sink!.receiver.events().some((e) => e.event === "on-audit-sync-succeeded" && e.app === AUDITED_APP && e.revision === lastHydrated),
            120_000,
            "the audit webhook to receive the last sync",
        ).then(
            () => round((Date.now() - notifyWaitStarted) / 1000),
            () => null,
        );
        if (notified === null) log(`the audit webhook received no on-audit-sync-succeeded of ${lastHydrated.slice(0, 12)} in 120 s (${sink.receiver.events().length} events in all)`);

        // `npm run audit` (its CLI through ts-node, as npm runs it) with every source named, as the e2e does.
        const historyStarted = Date.now();
        // `stack history` takes no --config-file.
        const history = await must(["stack", "history", "--json", "--stack", "local"]);
        const historySeconds = round((Date.now() - historyStarted) / 1000);
        const historyFile = path.join(work, "pulumi-history.json");
        fs.writeFileSync(historyFile, history.stdout);
        const out = path.join(work, "audit");
        const sources = [
            "--stack", "local", "--git-dir", git.bare, "--gnupghome", keys.verifier, "--trusted-keys", `${keys.developer.fingerprint},${keys.commitServer.fingerprint}`,
            "--kubeconfig", cp.kubeconfigPath, "--namespace", NAMESPACE, "--notifications", sink.receiver.eventsFile, "--pulumi-history", historyFile, "--config-file", configFile, "--out", out,
        ];
        const audit = (args: string[]) => {
            const started = Date.now();
            execFileSync(path.join(ROOT, "node_modules", ".bin", "ts-node"), ["--transpile-only", path.join(ROOT, "tools", "audit", "cli.ts"), ...sources, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
            return round((Date.now() - started) / 1000);
        };
        const auditObject = audit(["--object", `deployment/${AUDITED_NAMESPACE}/${AUDITED_APP}-hello-service`]);
        const auditStack = audit([]);
        const stackReport = JSON.parse(fs.readFileSync(path.join(out, "audit", "local", "stack.json"), "utf8")) as { timeline: unknown[] };

        const hydrated = rounds.map((r) => r.hydrated);
        const direct = rounds.map((r) => r.direct);
        const figures = {
            commits: COMMITS,
            pulumiUpSeconds: round(up.seconds),
            controllersToFirstSyncedSeconds: first,
            hydrated: { medianSeconds: round(median(hydrated)), maxSeconds: Math.max(...hydrated), seconds: hydrated },
            direct: { medianSeconds: round(median(direct)), maxSeconds: Math.max(...direct), seconds: direct },
            hydratedOverDirect: { ofMedians: round(median(hydrated) / median(direct), 2), medianPerCommit: round(median(rounds.map((r) => r.hydrated / r.direct)), 2), ofMax: round(Math.max(...hydrated) / Math.max(...direct), 2) },
            hydratedCommitsSignedByCommitServer: rounds.filter((r) => r.signedByCommitServer).length,
            auditSeconds: { object: auditObject, stack: auditStack, pulumiStackHistory: historySeconds },
            auditTimelineEvents: stackReport.timeline.length,
            notificationsReceived: sink.receiver.events().length,
            /** Seconds after the last commit was seen Synced until its sync's notification was received (null: never, in 120 s). */
            lastSyncNotifiedSeconds: notified,
            drift,
            secretRotation: {
                rotations: ROTATIONS,
                refreshInterval: (await kubectl.get<{ spec: { refreshInterval: string } }>(["externalsecret", "repo-gitops-platform", "-n", NAMESPACE]))?.spec.refreshInterval,
                toSecret: { medianSeconds: round(median(rotations.map((r) => r.toSecret))), seconds: rotations.map((r) => r.toSecret) },
                toSynced: { medianSeconds: round(median(rotations.map((r) => r.toSynced))), seconds: rotations.map((r) => r.toSynced) },
            },
        };
        printTable([
            ["commit -> Synced", "median s", "max s", "each s"],
            [`hydrated, signed (${AUDITED_APP})`, String(figures.hydrated.medianSeconds), String(figures.hydrated.maxSeconds), hydrated.join(", ")],
            [`direct (${DIRECT_APP})`, String(figures.direct.medianSeconds), String(figures.direct.maxSeconds), direct.join(", ")],
        ]);
        const r = figures.hydratedOverDirect;
        process.stdout.write(`  hydrated / direct: ${r.ofMedians} (medians), ${r.medianPerCommit} (median of each commit's), ${r.ofMax} (max); ${figures.hydratedCommitsSignedByCommitServer}/${COMMITS} hydrated commits signed by the commit server\n`);
        process.stdout.write(`  npm run audit: ${auditObject} s for deployment/${AUDITED_NAMESPACE}/${AUDITED_APP}-hello-service, ${auditStack} s for the stack (${figures.auditTimelineEvents} events, ${figures.notificationsReceived} notifications received, the last sync's ${notified === null ? "never" : `${notified} s after Synced`}); pulumi stack history --json before them: ${historySeconds} s\n`);
        const rot = figures.secretRotation;
        process.stdout.write(`  a Git credential rotated in the store (refreshInterval ${rot.refreshInterval}): median ${rot.toSecret.medianSeconds} s to Argo CD's Secret, ${rot.toSynced.medianSeconds} s to a new commit Synced with it (each: ${rot.toSynced.seconds.join(", ")})\n`);
        recordResults({ gitTrail: figures });
    } catch (e) {
        failure = e as Error;
    } finally {
        if (stackMade) {
            // While Argo CD still runs: it removes the Applications' finalizers and resources. Once more if
            // the API server answers a DELETE with a 504 while Argo CD prunes (seen in the e2e run).
            let destroy = await runPulumi(ws, ["destroy", "--yes", ...stack]);
            if (destroy.code !== 0) destroy = await runPulumi(ws, ["destroy", "--yes", ...stack]);
            if (destroy.code !== 0) failure ??= new Error(`pulumi destroy failed:\n${destroy.stdout.split("\n").slice(-30).join("\n")}\n${destroy.stderr}`);
        }
        for (const p of [...processes].reverse()) await p.stop();
        stopGpgAgents(work);
        const alive = processes.filter((p) => isAlive(p.pid)).map((p) => `${p.name} (${p.pid})`);
        if (alive.length > 0) failure ??= new Error(`still running: ${alive.join(", ")}`);
        else log(`${processes.length} processes stopped by pid`);
        fs.rmSync(work, { recursive: true, force: true });
        fs.rmSync(path.join(ROOT, KEYS_DIRECTORY), { recursive: true, force: true });
        removeWork();
    }
    if (failure) throw failure;
}

main().catch((e) => {
    process.stderr.write(`git-trail bench: ${(e as Error).message}\n`);
    process.exit(1);
});
