/**
 * Chaos on the local loop, measured (issue 30): how long Argo CD takes to converge again after each
 * fault, and how the application controller's convergence after a kill grows with the number of
 * Applications generated on the local fleet. One control plane, CHAOS_BENCH_CLUSTERS (default 10)
 * fleet clusters on its etcd registered through the stack (`platform.fleet`), `pulumi up` of the
 * local stack with the policy pack, Argo CD's controllers (one shard), Git a `file://` repository of
 * the working tree's charts plus a probe chart (one ConfigMap per release) the bench commits to.
 *
 * For each count in CHAOS_BENCH_APPS (default "10,100,500"): that many probe Applications generated
 * by one ApplicationSet (a matrix: the fleet's clusters, by label, times count / clusters releases;
 * project team-hello, automated sync, namespace hello of each fleet cluster) synced, then
 *   - baseline: a values commit, a refresh asked of every Application while the controller is paused,
 *     seconds from it resumed to every Application Synced at the commit and its ConfigMap holding
 *     the new value;
 *   - after a kill: a values commit, the application controller SIGKILLed, the refresh asked while it
 *     is down, restarted 2 s after the kill; seconds from the restart to the same.
 * On the smallest count, the same measure after each fault cleared: the repo server killed, Redis
 * killed and restarted empty, the ApplicationSet controller killed (its generated Applications must
 * keep their UIDs), the kube-apiserver restarted, etcd stopped for 10 s (CHAOS_BENCH_FAULTS=0 skips
 * them). Figures, never a limit.
 *
 * Not real: the fleet clusters are API servers only, and no container runs anywhere (a ConfigMap needs
 * none); the processes are local, not pods, so a "restart" is the bench's, not a kubelet's with its
 * backoff; the refresh annotation stands in for a Git webhook (Argo CD would otherwise find a commit
 * on its 2-minute reconcile); the probe ApplicationSet is applied with kubectl, not declared in the
 * stack (the stack's ApplicationSets generate one Application per cluster; this one generates many).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { automatedSyncPolicy, DEFAULT_RETRY } from "../components/gitops/argoCdResource";
import { onExit } from "../tools/engine/processes";
import { upArgoCdCrds } from "../tools/engine/argocd-crds-stack";
import { benchStack } from "./bench-stack";
import { ArgoCdControllers, startArgoCdControllers } from "../tools/local-cluster/argocd-controllers";
import { ControlPlane, startControlPlane } from "../tools/local-cluster/control-plane";
import { FleetClusters, startFleetClusters } from "../tools/local-cluster/fleet-clusters";
import { GitRepository } from "../tools/local-cluster/git-repository";
import { Kubectl } from "../tools/local-cluster/kubectl";
import { fleetClusterNames, onLocalFleet, writeLocalStackFile } from "../tools/local-cluster/local-stack";
import { ManagedProcess, sleep } from "../tools/local-cluster/managed-process";
import { printTable, recordResults, ROOT } from "./results";

const BIN = path.join(ROOT, ".tools", "bin");
const NAMESPACE = "argocd";
const PROJECT = "team-hello";
/** The namespace the probes sync to on every fleet cluster (team-hello's, as on the hub). */
const TARGET_NAMESPACE = "hello";
/** On the probe ApplicationSet, its Applications and their ConfigMaps: what the bench lists, refreshes and deletes. */
const PROBE_LABEL = "gitops.platform/bench";
const PROBE_SELECTOR = `${PROBE_LABEL}=chaos`;
const PROBE_APPLICATION_SET = "chaos-probes";
/** The fleet clusters' label, which the probe ApplicationSet's cluster generator selects. */
const FLEET_SELECTOR = { tier: "chaos-bench" };
/** The probe chart, in the bench's copy of the repository only. */
const PROBE_CHART = "bench/chaos-probe";
const PROBE_VALUES = `${PROBE_CHART}/values.yaml`;
const SYNC_TIMEOUT_MS = 10 * 60_000;
/**
 * Long enough for a refresh lost in a repo server outage to be caught up: Argo CD's periodic
 * reconcile (2 min and its jitter) sees the new commit only once the repo server's cached resolution
 * of the branch (3 min in Redis) has expired.
 */
const FAULT_TIMEOUT_MS = Number(process.env.CHAOS_BENCH_FAULT_TIMEOUT_S ?? 600) * 1000;
/** How long an Argo CD process stays dead before its restart. */
const KILLED_MS = 2000;

const applicationCounts = (process.env.CHAOS_BENCH_APPS ?? "10,100,500").split(",").map(Number).sort((a, b) => a - b);
const clusterCount = Number(process.env.CHAOS_BENCH_CLUSTERS ?? 10);
/** CHAOS_BENCH_FAULTS=0: the scaling measure only (the faults take about 8 minutes, most of it the repo server's). */
const measureFaults = process.env.CHAOS_BENCH_FAULTS !== "0";

interface ScaleRun {
    applications: number;
    /** From the Applications applied to all Synced at the first commit. */
    firstSyncSeconds: number | null;
    /** From the controller resumed, every refresh asked while it was paused, to all Synced at a new commit, ConfigMaps updated: no fault. */
    baselineSeconds: number | null;
    /** From the application controller's restart to the same (killed, the refresh asked while it was down). */
    afterKillSeconds: number | null;
    afterKillOverBaseline: number | null;
    baselinePerApplicationSeconds: number | null;
    afterKillPerApplicationSeconds: number | null;
    /** What `kubectl annotate` of every Application took (while the controller was paused). */
    refreshRequestSeconds: number;
    /** Where it stood when a wait ran out. */
    notConverged?: string;
    /** Processes that exited after the controller's restart and were started again. */
    restarts?: string[];
}

interface FaultRun {
    fault: string;
    applications: number;
    /** How long the fault lasted, from injected to cleared. */
    downSeconds: number;
    /** From the fault cleared to every Application Synced at the commit made before it, ConfigMaps updated. */
    convergedSeconds: number | null;
    /** Checks beyond convergence (the ApplicationSets'), and what had to be started again. */
    notes: string[];
}

interface ProbeApplication {
    metadata: { name: string; uid: string; ownerReferences?: { kind: string; name: string }[]; deletionTimestamp?: string; finalizers?: string[] };
    status?: {
        sync?: { status?: string; revision?: string };
        conditions?: { type: string; message: string }[];
        operationState?: { phase?: string; message?: string; syncResult?: { revision?: string } };
    };
}

/** One ConfigMap named after the release: the cheapest thing an Application can sync. */
function writeProbeChart(git: GitRepository): string {
    const dir = path.join(git.checkoutDir, PROBE_CHART);
    fs.mkdirSync(path.join(dir, "templates"), { recursive: true });
    fs.writeFileSync(path.join(dir, "Chart.yaml"), "apiVersion: v2\nname: chaos-probe\ndescription: One ConfigMap per release, for bench/chaos.bench.ts\nversion: 0.1.0\n");
    fs.writeFileSync(path.join(dir, "values.yaml"), 'value: "0"\n');
    fs.writeFileSync(
        path.join(dir, "templates", "configmap.yaml"),
        ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: {{ .Release.Name }}", "  labels:", `    ${PROBE_LABEL}: chaos`, "data:", "  value: {{ .Values.value | quote }}", ""].join("\n"),
    );
    return git.commitWorkingTree("bench: the chaos probe chart");
}

/**
 * The probes as the fleet gets them: one ApplicationSet whose matrix generator pairs every fleet
 * cluster (by label) with `count / clusters` releases, so the `count` Applications are spread evenly.
 */
function probeApplicationSet(count: number, clusters: number, repoURL: string): Record<string, unknown> {
    if (!Number.isInteger(count / clusters)) throw new Error(`CHAOS_BENCH_APPS: ${count} Applications do not spread evenly over ${clusters} fleet clusters (CHAOS_BENCH_CLUSTERS)`);
    const releases = Array.from({ length: count / clusters }, (_, i) => ({ release: String(i + 1).padStart(3, "0") }));
    const name = "chaos-{{.name}}-{{.release}}";
    return {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "ApplicationSet",
        metadata: { name: PROBE_APPLICATION_SET, namespace: NAMESPACE, labels: { [PROBE_LABEL]: "chaos" } },
        spec: {
            goTemplate: true,
            goTemplateOptions: ["missingkey=error"],
            generators: [{ matrix: { generators: [{ clusters: { selector: { matchLabels: FLEET_SELECTOR } } }, { list: { elements: releases } }] } }],
            // No resources finalizer on the Applications (the controller adds it otherwise): the bench
            // deletes the ConfigMaps itself, so deleting 500 Applications costs no controller time, and
            // Argo CD's foreground deletion would wait forever on clusters without a garbage collector.
            syncPolicy: { preserveResourcesOnDeletion: true },
            template: {
                metadata: { name, labels: { [PROBE_LABEL]: "chaos" } },
                spec: {
                    project: PROJECT,
                    source: { repoURL, path: PROBE_CHART, targetRevision: "main", helm: { releaseName: name } },
                    destination: { name: "{{.name}}", namespace: TARGET_NAMESPACE },
                    // The stack's Applications' sync policy (components/gitops), so the probes recover as they would.
                    syncPolicy: automatedSyncPolicy(DEFAULT_RETRY),
                },
            },
        },
    };
}

/** The branch's head and the value it gives every probe ConfigMap. */
function currentValue(git: GitRepository): { commit: string; value: string } {
    return { commit: git.head(), value: String((YAML.parse(fs.readFileSync(path.join(git.checkoutDir, PROBE_VALUES), "utf8")) as { value: unknown }).value) };
}

/** A new value for every probe ConfigMap, committed and pushed; Argo CD is not told. */
function commitValue(git: GitRepository, why: string): { commit: string; value: string } {
    const value = `${why} ${Date.now()}`;
    return { commit: git.commitChange(PROBE_VALUES, () => `value: ${JSON.stringify(value)}\n`, `bench chaos: ${why}`), value };
}

/** What a Git webhook does: every probe Application refreshed. Retried while the API server does not answer. */
async function requestRefresh(kubectl: Kubectl, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const r = await kubectl.run(["annotate", "applications.argoproj.io", "-n", NAMESPACE, "-l", PROBE_SELECTOR, "--overwrite", "argocd.argoproj.io/refresh=normal", "--request-timeout=10s"], { allowFail: true });
        if (r.code === 0) return;
        if (Date.now() > deadline) throw new Error(`could not ask for a refresh: ${r.stderr.trim()}`);
        await sleep(250);
    }
}

async function probeList(kubectl: Kubectl): Promise<ProbeApplication[]> {
    return (await kubectl.get<{ items: ProbeApplication[] }>(["applications.argoproj.io", "-n", NAMESPACE, "-l", PROBE_SELECTOR, "--request-timeout=10s"]))?.items ?? [];
}

/** Why an Application is not at the commit yet: its sync, its last operation and its error conditions, in one line. */
function stuckAt(a: ProbeApplication): string {
    const op = a.status?.operationState;
    const errors = (a.status?.conditions ?? []).filter((c) => /Error/.test(c.type)).map((c) => `${c.type}: ${c.message}`);
    const text = [`${a.status?.sync?.status ?? "Unknown"} at ${a.status?.sync?.revision?.slice(0, 12) ?? "?"}`, op ? `operation ${op.phase ?? "?"} at ${op.syncResult?.revision?.slice(0, 12) ?? "?"}: ${op.message ?? ""}` : "", ...errors].filter(Boolean).join(", ");
    return text.replace(/\s+/g, " ").slice(0, 300);
}

/** Where the bench looks: the hub's API server (Argo CD's objects) and the fleet clusters' (the probes' ConfigMaps). */
interface Clusters {
    hub: Kubectl;
    fleet: Kubectl[];
}

/** The probe ConfigMaps of every fleet cluster holding `value`. */
async function configMapsWith(fleet: Kubectl[], value: string): Promise<number> {
    const counts = await Promise.all(
        fleet.map(async (k) => ((await k.get<{ items: { data?: { value?: string } }[] }>(["configmaps", "-n", TARGET_NAMESPACE, "-l", PROBE_SELECTOR, "--request-timeout=10s"]))?.items ?? []).filter((m) => m.data?.value === value).length),
    );
    return counts.reduce((a, b) => a + b, 0);
}

/**
 * Seconds from `from` until all `count` probe Applications are Synced at `commit` and every ConfigMap
 * holds `value` (the list polled as fleet-loop does); null, with where it stood, when `timeoutMs` runs out.
 * A list that fails (the API server or etcd coming back) counts as not yet.
 */
async function convergence(clusters: Clusters, count: number, change: { commit: string; value: string }, from: number, timeoutMs: number): Promise<{ seconds: number | null; stoodAt: string; atOneMinute?: string }> {
    const pollMs = count > 100 ? 1000 : 500;
    let stoodAt = "nothing listed yet";
    // Where a slow recovery stood after a minute: what a user would have seen while waiting.
    let atOneMinute: string | undefined;
    while (Date.now() - from < timeoutMs) {
        if (atOneMinute === undefined && Date.now() - from >= 60_000) atOneMinute = stoodAt;
        try {
            const apps = await probeList(clusters.hub);
            const atCommit = apps.filter((a) => a.status?.sync?.status === "Synced" && a.status.sync.revision === change.commit);
            stoodAt = `${atCommit.length} of ${count} Synced at ${change.commit.slice(0, 12)}`;
            if (atCommit.length === count) {
                const current = await configMapsWith(clusters.fleet, change.value);
                if (current === count) return { seconds: seconds(from, Date.now()), stoodAt, atOneMinute };
                stoodAt += `, ${current} ConfigMaps with the new value`;
            } else {
                stoodAt += `; the others: ${[...new Set(apps.filter((a) => !atCommit.includes(a)).map(stuckAt))].slice(0, 3).join(" | ")}`;
            }
        } catch (e) {
            stoodAt = `kubectl: ${(e as Error).message.replace(/\s+/g, " ").slice(0, 200)}`;
        }
        await sleep(pollMs);
    }
    return { seconds: null, stoodAt, atOneMinute };
}

/** The probe ApplicationSet, its Applications and their ConfigMaps deleted, and gone. */
async function deleteProbes(clusters: Clusters): Promise<void> {
    // The ApplicationSet first, so that its controller makes no Application again; the garbage
    // collector deletes the Applications it owns, and the bench those it has not reached yet.
    await clusters.hub.run(["delete", "applicationsets.argoproj.io", "-n", NAMESPACE, PROBE_APPLICATION_SET, "--wait=true", "--timeout=100s"]);
    const deadline = Date.now() + 300_000;
    for (let left = await probeList(clusters.hub); left.length > 0; left = await probeList(clusters.hub)) {
        if (Date.now() > deadline) {
            const why = left.slice(0, 3).map((a) => `${a.metadata.name} (deleted: ${a.metadata.deletionTimestamp ?? "no"}, finalizers: ${a.metadata.finalizers?.join(", ") || "none"})`);
            throw new Error(`${left.length} probe Applications are still there 300 s after their ApplicationSet was deleted: ${why.join("; ")}`);
        }
        await clusters.hub.run(["delete", "applications.argoproj.io", "-n", NAMESPACE, "-l", PROBE_SELECTOR, "--ignore-not-found", "--wait=false"], { allowFail: true });
        await sleep(1000);
    }
    await Promise.all(clusters.fleet.map((k) => k.run(["delete", "configmaps", "-n", TARGET_NAMESPACE, "-l", PROBE_SELECTOR, "--wait=true", "--timeout=100s"])));
}

function processNamed(processes: ManagedProcess[], name: string): ManagedProcess {
    const p = processes.find((q) => q.name === name);
    if (!p) throw new Error(`no process ${name} (running: ${processes.map((q) => q.name).join(", ")})`);
    return p;
}

/**
 * Runs `measure` while starting again, as a kubelet would (without its backoff), any of `processes`
 * that exits meanwhile: a process can die on its restart (the repo server's GnuPG keyring, kept as a
 * pod's emptyDir is, left locked by the kill). Returns what was started again and why.
 */
async function supervised<T>(processes: ManagedProcess[], measure: () => Promise<T>): Promise<{ result: T; restarts: string[] }> {
    const restarts: string[] = [];
    const started = Date.now();
    let measuring = true;
    const watching = (async () => {
        while (measuring) {
            for (const p of processes) {
                if (p.running()) continue;
                const why = lastError(p.logFile);
                await p.restart();
                restarts.push(`${p.name} exited ${seconds(started, Date.now())} s after the restart${why ? ` (${why})` : ""} and was started again`);
            }
            await sleep(500);
        }
    })();
    try {
        return { result: await measure(), restarts };
    } finally {
        measuring = false;
        await watching;
    }
}

/** The last fatal or error message of a process's log since its last restart, in one short line. */
function lastError(logFile: string): string | undefined {
    const all = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").split("\n").reverse() : [];
    const restartMark = all.findIndex((l) => l.startsWith("--- restarted "));
    const lines = restartMark === -1 ? all : all.slice(0, restartMark);
    const line = lines.find((l) => /fatal/i.test(l)) ?? lines.find((l) => /error/i.test(l));
    if (!line) return undefined;
    let message = line;
    try {
        message = String((JSON.parse(line) as { msg?: unknown }).msg ?? line);
    } catch {
        // not one of Argo CD's JSON lines
    }
    return message.replace(/\s+/g, " ").slice(0, 160);
}

/** Processes that died as a side effect of a fault, started again so the next measure has a whole loop; named in the figures. */
async function restartStopped(processes: ManagedProcess[]): Promise<string[]> {
    const stopped = processes.filter((p) => !p.running());
    for (const p of stopped) await p.restart();
    return stopped.map((p) => `${p.name} had stopped and was started again`);
}

async function scaleRun(clusters: Clusters, git: GitRepository, argocd: ArgoCdControllers, everyProcess: ManagedProcess[], count: number, log: (line: string) => void): Promise<ScaleRun> {
    const kubectl = clusters.hub;
    const applied = Date.now();
    await kubectl.apply([probeApplicationSet(count, clusters.fleet.length, git.url)], `the ApplicationSet of ${count} probe Applications`);
    const first = await convergence(clusters, count, currentValue(git), applied, SYNC_TIMEOUT_MS);
    const run: ScaleRun = { applications: count, firstSyncSeconds: first.seconds, baselineSeconds: null, afterKillSeconds: null, afterKillOverBaseline: null, baselinePerApplicationSeconds: null, afterKillPerApplicationSeconds: null, refreshRequestSeconds: 0 };
    if (first.seconds === null) return { ...run, notConverged: `first sync: ${first.stoodAt}` };
    log(`${count} Applications Synced in ${first.seconds} s`);

    // Asking 500 Applications for a refresh takes kubectl up to a minute: the controller is paused
    // meanwhile (SIGSTOP, not a kill), so the baseline, like the kill, starts with every refresh asked.
    const controller = processNamed(argocd.processes, "argocd-application-controller");
    const baselineChange = commitValue(git, `baseline ${count}`);
    await controller.signal("SIGSTOP");
    const refreshAsked = Date.now();
    await requestRefresh(kubectl);
    run.refreshRequestSeconds = seconds(refreshAsked, Date.now());
    await controller.signal("SIGCONT");
    const resumed = Date.now();
    const baseline = await convergence(clusters, count, baselineChange, resumed, SYNC_TIMEOUT_MS);
    run.baselineSeconds = baseline.seconds;
    if (baseline.seconds === null) return { ...run, notConverged: `baseline: ${baseline.stoodAt}` };
    log(`baseline: a commit Synced everywhere ${baseline.seconds} s after the controller resumed`);

    const killChange = commitValue(git, `controller killed ${count}`);
    const killed = Date.now();
    await controller.signal("SIGKILL");
    await requestRefresh(kubectl);
    await sleep(Math.max(0, killed + KILLED_MS - Date.now()));
    await controller.restart();
    const restarted = Date.now();
    const { result: afterKill, restarts } = await supervised(everyProcess, () => convergence(clusters, count, killChange, restarted, SYNC_TIMEOUT_MS));
    if (restarts.length > 0) run.restarts = restarts;
    run.afterKillSeconds = afterKill.seconds;
    if (afterKill.seconds === null) return { ...run, notConverged: `after the kill: ${afterKill.stoodAt}` };
    log(`after the kill: Synced everywhere ${afterKill.seconds} s after the restart`);
    return {
        ...run,
        afterKillOverBaseline: Math.round((afterKill.seconds / baseline.seconds) * 100) / 100,
        baselinePerApplicationSeconds: perApplication(baseline.seconds, count),
        afterKillPerApplicationSeconds: perApplication(afterKill.seconds, count),
    };
}

interface Fault {
    name: string;
    process: ManagedProcess;
    /** SIGKILL (Argo CD's processes: a crash, an OOM kill) or a graceful stop (the control plane's: a restart, an outage). */
    how: "kill" | "stop";
    downMs: number;
    /** Argo CD's faults leave the API server up, so the refresh (the webhook) arrives during the fault; otherwise once it answers again. */
    refreshWhileDown: boolean;
}

/** Commit, fault, clear, then the seconds from cleared to every probe Application converged on the commit. */
async function faultRun(clusters: Clusters, git: GitRepository, count: number, fault: Fault, everyProcess: ManagedProcess[]): Promise<FaultRun> {
    const kubectl = clusters.hub;
    const applicationSetFault = fault.process.name === "argocd-applicationset-controller";
    const generatedBefore = applicationSetFault ? await generatedApplications(kubectl) : [];
    const change = commitValue(git, fault.name);
    const injected = Date.now();
    if (fault.how === "kill") await fault.process.signal("SIGKILL");
    else await fault.process.stop();
    if (fault.refreshWhileDown) await requestRefresh(kubectl);
    await sleep(Math.max(0, injected + fault.downMs - Date.now()));
    await fault.process.restart();
    const cleared = Date.now();
    const notes: string[] = [];
    if (!fault.refreshWhileDown) {
        await requestRefresh(kubectl);
        notes.push(`the refresh accepted ${seconds(cleared, Date.now())} s after the restart`);
    }
    const { result: converged, restarts } = await supervised(everyProcess, () => convergence(clusters, count, change, cleared, FAULT_TIMEOUT_MS));
    notes.push(...restarts);
    if (converged.atOneMinute !== undefined) notes.push(`a minute after the restart: ${converged.atOneMinute}`);
    if (converged.seconds === null) notes.push(`not converged after ${FAULT_TIMEOUT_MS / 1000} s: ${converged.stoodAt}`);
    if (applicationSetFault) notes.push(...(await applicationSetsAgain(kubectl, generatedBefore, cleared)));
    notes.push(...(await restartStopped(everyProcess)));
    return { fault: fault.name, applications: count, downSeconds: seconds(injected, cleared), convergedSeconds: converged.seconds, notes };
}

async function generatedApplications(kubectl: Kubectl): Promise<ProbeApplication[]> {
    const list = await kubectl.get<{ items: ProbeApplication[] }>(["applications.argoproj.io", "-n", NAMESPACE]);
    return (list?.items ?? []).filter((a) => a.metadata.ownerReferences?.some((o) => o.kind === "ApplicationSet"));
}

/**
 * The ApplicationSet controller working again, and nothing it generated made anew: every
 * ApplicationSet refreshed (the controller removes the annotation once it has reconciled it), then
 * the generated Applications compared by UID.
 */
async function applicationSetsAgain(kubectl: Kubectl, before: ProbeApplication[], restarted: number): Promise<string[]> {
    const annotation = "argocd.argoproj.io/application-set-refresh";
    await kubectl.run(["annotate", "applicationsets.argoproj.io", "--all", "-n", NAMESPACE, "--overwrite", `${annotation}=true`]);
    const deadline = Date.now() + FAULT_TIMEOUT_MS;
    let pending: string[] = [];
    for (;;) {
        const sets = (await kubectl.get<{ items: { metadata: { name: string; annotations?: Record<string, string> } }[] }>(["applicationsets.argoproj.io", "-n", NAMESPACE]))?.items ?? [];
        pending = sets.filter((s) => s.metadata.annotations?.[annotation] !== undefined).map((s) => s.metadata.name);
        if (pending.length === 0 || Date.now() > deadline) break;
        await sleep(500);
    }
    const after = await generatedApplications(kubectl);
    const kept = before.filter((b) => after.some((a) => a.metadata.uid === b.metadata.uid)).length;
    return [
        pending.length === 0 ? `every ApplicationSet reconciled ${seconds(restarted, Date.now())} s after the restart` : `ApplicationSets not reconciled: ${pending.join(", ")}`,
        `${kept} of ${before.length} generated Applications kept their UIDs (${after.length} now)`,
    ];
}

/**
 * The local stack on the local control plane, Argo CD reading the `file://` repository, the fleet
 * registered (as fleet-loop does) and team-hello allowed into its namespace on every fleet cluster.
 */
function chaosStack(gitUrl: string, fleetNames: string[]): (platform: Record<string, unknown>) => void {
    return (platform) => {
        onLocalFleet(gitUrl, fleetNames, FLEET_SELECTOR)(platform);
        const project = (platform.gitops as { projects: { name: string; sourceRepos: string[] }[] }).projects.find((p) => p.name === PROJECT);
        if (!project?.sourceRepos.includes("gitops-platform")) throw new Error(`project ${PROJECT} no longer allows the repository gitops-platform: the probe Applications need it`);
    };
}

const round = (n: number) => Math.round(n * 10) / 10;
const seconds = (from: number, to: number) => round((to - from) / 1000);
const perApplication = (s: number, count: number) => Math.round((s / count) * 1000) / 1000;
const figure = (n: number | null) => (n === null ? "not converged" : String(n));

async function main(): Promise<void> {
    if (!fs.existsSync(path.join(BIN, "kube-apiserver")) || !fs.existsSync(path.join(BIN, "argocd"))) {
        throw new Error(`the local control plane and Argo CD are not installed in ${BIN}: run bash tools/install.sh`);
    }
    const benchStarted = Date.now();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-chaos-bench-"));
    // Removed on every exit path, Ctrl-C included (the processes are stopped by tools/engine/processes.ts).
    const removeWork = onExit(() => fs.rmSync(work, { recursive: true, force: true }));
    const log = (line: string) => process.stdout.write(`    ${line}\n`);
    let cp: ControlPlane | undefined;
    let fleet: FleetClusters | undefined;
    let argocd: ArgoCdControllers | undefined;
    const scale: ScaleRun[] = [];
    const faults: FaultRun[] = [];
    try {
        cp = await startControlPlane({ binDir: BIN, dataDir: path.join(work, "hub") });
        const fleetNames = fleetClusterNames(clusterCount);
        // API servers only: a ConfigMap needs no node, and 10 clusters' controllers would take CPU from Argo CD.
        fleet = await startFleetClusters({ binDir: BIN, etcdUrl: cp.etcdUrl, dataDir: path.join(work, "fleet"), names: fleetNames, nodes: false });
        log(`${clusterCount} fleet clusters (API servers on the hub's etcd) in ${round(fleet.startSeconds)} s`);
        const clusters: Clusters = { hub: cp.kubectl, fleet: fleet.clusters.map((c) => c.kubectl) };
        const git = GitRepository.fromWorkingTree(ROOT, path.join(work, "git"), ["charts"]);
        writeProbeChart(git);
        const configFile = path.join(work, "Pulumi.local.yaml");
        writeLocalStackFile(ROOT, configFile, chaosStack(git.url, fleetNames));

        const { ws, stack, must } = benchStack(ROOT, work, configFile);
        await must(["stack", "init", "local", "--secrets-provider", "passphrase"]);
        await must(["config", "set", "--secret", "kubeconfig", ...stack], fs.readFileSync(cp.kubeconfigPath, "utf8"));
        await must(["config", "set", "--secret", "fleetKubeconfig", ...stack], fleet.kubeconfig);
        const policy = ["--policy-pack", "policies/launch", "--policy-pack-config", "policies/config/local.json"];
        await upArgoCdCrds(ws, stack, policy);
        const up = await must(["up", "--yes", ...stack, ...policy]);
        log(`pulumi up (policy pack enforced) in ${round(up.seconds)} s`);
        argocd = await startArgoCdControllers({ binDir: BIN, kubeconfigPath: cp.kubeconfigPath, namespace: NAMESPACE, dataDir: path.join(work, "argocd"), shards: 1, log });
        const everyProcess = [...cp.processes, ...argocd.processes];

        for (const count of applicationCounts) {
            process.stdout.write(`  ${count} Applications:\n`);
            const run = await scaleRun(clusters, git, argocd, everyProcess, count, log);
            scale.push(run);
            if (run.notConverged) {
                log(`stopped at ${count}: ${run.notConverged}`);
                break;
            }
            if (measureFaults && count === applicationCounts[0]) {
                const fromArgoCd = (name: string): Fault => ({ name: `${name} SIGKILLed, restarted ${KILLED_MS / 1000} s later`, process: processNamed(argocd!.processes, name), how: "kill", downMs: KILLED_MS, refreshWhileDown: true });
                for (const fault of [
                    fromArgoCd("argocd-repo-server"),
                    { ...fromArgoCd("redis-server"), name: `redis-server SIGKILLed, restarted empty ${KILLED_MS / 1000} s later` },
                    fromArgoCd("argocd-applicationset-controller"),
                    { name: "kube-apiserver restarted", process: processNamed(cp.processes, "kube-apiserver"), how: "stop", downMs: 0, refreshWhileDown: false } satisfies Fault,
                    // Last: the control plane's store, the widest fault.
                    { name: "etcd stopped 10 s, then started", process: processNamed(cp.processes, "etcd"), how: "stop", downMs: 10_000, refreshWhileDown: false } satisfies Fault,
                ]) {
                    const result = await faultRun(clusters, git, count, fault, everyProcess);
                    log(`${result.fault}: ${result.convergedSeconds === null ? "not converged" : `converged ${result.convergedSeconds} s after cleared`}${result.notes.length > 0 ? ` (${result.notes.join("; ")})` : ""}`);
                    faults.push(result);
                }
            }
            await deleteProbes(clusters);
        }
    } finally {
        for (const p of [...(argocd?.processes ?? [])].reverse()) await p.stop();
        await fleet?.stop();
        for (const p of [...(cp?.processes ?? [])].reverse()) await p.stop();
        fs.rmSync(work, { recursive: true, force: true });
        removeWork();
    }
    const totalSeconds = seconds(benchStarted, Date.now());
    printTable([
        [`Applications (on ${clusterCount} fleet clusters)`, "first sync s", "baseline s (no kill)", "after controller kill s", "kill / baseline", "baseline s per app", "after kill s per app", "refresh request s"],
        ...scale.map((r) => [
            String(r.applications),
            figure(r.firstSyncSeconds),
            figure(r.baselineSeconds),
            figure(r.afterKillSeconds),
            r.afterKillOverBaseline === null ? "n/a" : `${r.afterKillOverBaseline}x`,
            figure(r.baselinePerApplicationSeconds),
            figure(r.afterKillPerApplicationSeconds),
            String(r.refreshRequestSeconds),
        ]),
    ]);
    if (faults.length > 0) {
        printTable([["fault", "Applications", "down s", "cleared -> all Synced s"], ...faults.map((f) => [f.fault, String(f.applications), String(f.downSeconds), figure(f.convergedSeconds)])]);
        for (const f of faults) if (f.notes.length > 0) process.stdout.write(`  ${f.fault}: ${f.notes.join("; ")}\n`);
    }
    for (const r of scale) if (r.restarts) process.stdout.write(`  ${r.applications} Applications, after the controller's kill: ${r.restarts.join("; ")}\n`);
    for (const r of scale) if (r.notConverged) process.stdout.write(`  ${r.applications} Applications did not converge: ${r.notConverged}\n`);
    process.stdout.write(`  the whole bench: ${totalSeconds} s\n`);
    recordResults({ chaos: { fleetClusters: clusterCount, applications: scale, faults, totalSeconds } });
}

main().catch((e) => {
    process.stderr.write(`chaos bench: ${(e as Error).message}\n`);
    process.exit(1);
});
