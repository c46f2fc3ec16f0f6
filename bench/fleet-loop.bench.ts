/**
 * The fleet on the local control plane, for real: N more kube-apiservers on the one etcd (each under
 * its own `--etcd-prefix`, a cluster of its own) registered with the one Argo CD through the program's
 * cluster Secrets (`platform.fleet`, `from: kubeconfig`), a team application selecting all of them by
 * label (one ApplicationSet), then `pulumi up` with the policy pack and Argo CD syncing every generated
 * Application, with 1 and then 2 application-controller shards. Each run starts from an empty etcd.
 *
 * Each fleet cluster has what makes health real, as the hub has (tools/local-cluster/cluster-nodes.ts):
 * a controller-manager, a scheduler and a KWOK node, so its Deployment rolls out and Argo CD sees
 * it Healthy, though no container runs.
 *
 * Figures: seconds from `pulumi up` to every generated Application Synced and then Healthy, and
 * memory (RSS) per simulated cluster: its API server, its nodes' processes, and their sum.
 *
 * FLEET_LOOP_CLUSTERS (default 10) and FLEET_LOOP_SHARDS (default "1,2") change the run.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { onExit } from "../tools/engine/processes";
import { upArgoCdCrds } from "../tools/engine/argocd-crds-stack";
import { benchStack } from "./bench-stack";
import { ArgoCdControllers, startArgoCdControllers } from "../tools/local-cluster/argocd-controllers";
import { ControlPlane, startControlPlane } from "../tools/local-cluster/control-plane";
import { FleetClusters, startFleetClusters } from "../tools/local-cluster/fleet-clusters";
import { GitRepository } from "../tools/local-cluster/git-repository";
import { fleetClusterNames, onLocalFleet, writeLocalStackFile } from "../tools/local-cluster/local-stack";
import { sleep } from "../tools/local-cluster/managed-process";
import { printTable, recordResults, ROOT } from "./results";
import { type DriftTiming, driftTiming } from "./drift-timing";

const BIN = path.join(ROOT, ".tools", "bin");
const NAMESPACE = "argocd";
const APP = "hello-fleet";
const APPLICATION_SET = `app-${APP}`;
const SELECTOR = { tier: "fleet-loop" };
const SYNC_TIMEOUT_MS = 10 * 60_000;
/** From every Application Synced; past it the run reports how many were Healthy instead of failing. */
const HEALTHY_TIMEOUT_MS = 5 * 60_000;

const clusterCount = Number(process.env.FLEET_LOOP_CLUSTERS ?? 10);
const shardCounts = (process.env.FLEET_LOOP_SHARDS ?? "1,2").split(",").map(Number);

interface LoopRun {
    shards: number;
    clusters: number;
    fleetStartSeconds: number;
    pulumiUpSeconds: number;
    /** From `pulumi up` starting to every generated Application Synced (controllers start after up). */
    upToAllSyncedSeconds: number;
    /** From `pulumi up` starting to every generated Application Healthy (rolled out); null if not within HEALTHY_TIMEOUT_MS. */
    upToAllHealthySeconds: number | null;
    /** From the controllers starting to the first and to the last generated Application Synced. */
    firstSyncedSeconds: number;
    lastSyncedSeconds: number;
    generatedApplications: number;
    healthy: number;
    /** Clusters each shard watches, the hub included, and the Applications it reconciles. */
    clustersPerShard: number[];
    applicationsPerShard: number[];
    memoryMiB: {
        fleetApiServerMean: number;
        fleetApiServerMax: number;
        /** A fleet cluster's controller-manager + scheduler + kwok. */
        fleetNodesMean: number;
        fleetNodesMax: number;
        /** Means over the fleet by process: kube-controller-manager, kube-scheduler, kwok. */
        fleetNodeProcessesMean: Record<string, number>;
        /** API server + nodes: one fleet cluster. */
        fleetClusterMean: number;
        fleetClusterMax: number;
        etcd: number;
        hubApiServer: number;
        applicationControllers: number[];
        repoServer: number;
    };
    /** (fleet clusters, API servers and nodes, + the controllers' share) / clusters: what one more simulated cluster costs. */
    perClusterMiB: number;
    /** `npm run drift`'s layers on the synced fleet. */
    drift: DriftTiming;
}

function rssMiB(pid: number): number {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return Math.round((kb / 1024) * 10) / 10;
}

function get(url: string): Promise<string> {
    return new Promise((resolve, reject) => {
        http.get(url, { timeout: 5000 }, (res) => {
            let body = "";
            res.on("data", (d: Buffer) => (body += d.toString()));
            res.on("end", () => resolve(body));
        }).on("error", reject);
    });
}

/**
 * What a shard works on, from its metrics: the clusters whose resources it watches (servers of
 * `argocd_cluster_events_total`) and the Applications it reconciles (`argocd_app_info`).
 */
async function shardLoad(metricsUrl: string): Promise<{ clusters: number; applications: number }> {
    const lines = (await get(metricsUrl)).split("\n");
    const servers = new Set(lines.filter((l) => l.startsWith("argocd_cluster_events_total{")).map((l) => /server="([^"]*)"/.exec(l)?.[1]));
    return { clusters: servers.size, applications: lines.filter((l) => l.startsWith("argocd_app_info{")).length };
}

/** The stack file: the local stack on the local control plane, the fleet registered (measured as before hydration), one team app across it. */
function fleetStack(gitUrl: string, names: string[]): (platform: Record<string, unknown>) => void {
    return (platform) => {
        onLocalFleet(gitUrl, names, SELECTOR)(platform);
        (platform.gitops as { applications: Record<string, unknown>[] }).applications.push({
            name: APP,
            project: "team-hello",
            source: { repository: "gitops-platform", path: "charts/hello-service", revision: "main", trackBranch: true, valueFiles: ["values-dev.yaml"] },
            destination: { namespace: "hello" },
            clusterSelector: SELECTOR,
            auditValues: true,
        });
    };
}

interface ApplicationItem {
    metadata: { name: string; ownerReferences?: { kind: string; name: string }[] };
    spec: { destination: { name?: string } };
    status?: { sync?: { status?: string }; health?: { status?: string } };
}

async function runOnce(shards: number): Promise<LoopRun> {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-fleet-loop-"));
    // Removed on every exit path, Ctrl-C included (the processes are stopped by tools/engine/processes.ts).
    const removeWork = onExit(() => fs.rmSync(work, { recursive: true, force: true }));
    const names = fleetClusterNames(clusterCount);
    const log = (line: string) => process.stdout.write(`    ${line}\n`);
    let cp: ControlPlane | undefined;
    let fleet: FleetClusters | undefined;
    let argocd: ArgoCdControllers | undefined;
    try {
        cp = await startControlPlane({ binDir: BIN, dataDir: path.join(work, "hub") });
        fleet = await startFleetClusters({ binDir: BIN, etcdUrl: cp.etcdUrl, dataDir: path.join(work, "fleet"), names });
        log(`${names.length} fleet clusters (API server on the hub's etcd, controllers, scheduler, KWOK node) in ${fleet.startSeconds.toFixed(1)} s`);
        const git = GitRepository.fromWorkingTree(ROOT, path.join(work, "git"), ["charts"]);
        const configFile = path.join(work, "Pulumi.local.yaml");
        writeLocalStackFile(ROOT, configFile, fleetStack(git.url, names));

        const { ws, stack, must } = benchStack(ROOT, work, configFile);
        await must(["stack", "init", "local", "--secrets-provider", "passphrase"]);
        await must(["config", "set", "--secret", "kubeconfig", ...stack], fs.readFileSync(cp.kubeconfigPath, "utf8"));
        await must(["config", "set", "--secret", "fleetKubeconfig", ...stack], fleet.kubeconfig);

        const upStarted = Date.now();
        const policy = ["--policy-pack", "policies/launch", "--policy-pack-config", "policies/config/local.json"];
        await upArgoCdCrds(ws, stack, policy);
        const up = await must(["up", "--yes", ...stack, ...policy]);
        argocd = await startArgoCdControllers({ binDir: BIN, kubeconfigPath: cp.kubeconfigPath, namespace: NAMESPACE, dataDir: path.join(work, "argocd"), shards });
        const controllersStarted = Date.now();

        const hub = cp;
        const generated = async () => {
            const list = await hub.kubectl.get<{ items: ApplicationItem[] }>(["applications.argoproj.io", "-n", NAMESPACE]);
            return (list?.items ?? []).filter((a) => a.metadata.ownerReferences?.some((o) => o.kind === "ApplicationSet" && o.name === APPLICATION_SET));
        };
        const syncedAt = new Map<string, number>();
        let apps: ApplicationItem[] = [];
        while (syncedAt.size < names.length) {
            if (Date.now() - controllersStarted > SYNC_TIMEOUT_MS) {
                throw new Error(`after ${SYNC_TIMEOUT_MS / 1000} s ${syncedAt.size} of ${names.length} Applications of ${APPLICATION_SET} are Synced: ${apps.map((a) => `${a.metadata.name} ${a.status?.sync?.status ?? "?"}`).join(", ")}`);
            }
            apps = await generated();
            for (const a of apps) if (a.status?.sync?.status === "Synced" && !syncedAt.has(a.metadata.name)) syncedAt.set(a.metadata.name, Date.now());
            if (syncedAt.size < names.length) await sleep(500);
        }
        const allSynced = Math.max(...syncedAt.values());
        // Synced is applied; Healthy is rolled out by the cluster's own controllers and KWOK node.
        const isHealthy = (a: ApplicationItem) => a.status?.health?.status === "Healthy";
        let allHealthy: number | undefined;
        while (allHealthy === undefined && Date.now() - allSynced < HEALTHY_TIMEOUT_MS) {
            apps = await generated();
            if (apps.length >= names.length && apps.every(isHealthy)) allHealthy = Date.now();
            else await sleep(500);
        }

        // Each Application reached its own cluster: the chart's Deployment is in every fleet API server.
        for (const c of fleet.clusters) {
            const deployments = await c.kubectl.get<{ items: unknown[] }>(["deployments", "-n", "hello"]);
            if ((deployments?.items.length ?? 0) === 0) throw new Error(`${c.name}: Argo CD says Synced, but its API server has no Deployment in namespace hello`);
        }
        const shardLoads = await Promise.all(argocd.shardMetrics.map(shardLoad));
        const nodesOf = fleet.nodes;
        const fleetRss = fleet.clusters.map((c) => rssMiB(c.process.pid));
        const nodeProcesses = fleet.clusters.map((c) => (nodesOf[c.name] ?? []).map((p) => ({ kind: p.name.replace(`-${c.name}`, ""), rss: rssMiB(p.pid) })));
        const nodesRss = nodeProcesses.map((ps) => round(sum(ps.map((p) => p.rss))));
        const clusterRss = fleetRss.map((api, i) => round(api + nodesRss[i]));
        const byKind = new Map<string, number[]>();
        for (const p of nodeProcesses.flat()) byKind.set(p.kind, [...(byKind.get(p.kind) ?? []), p.rss]);
        const byName = (name: string) => cp!.processes.find((p) => p.name === name)!.pid;
        const controllers = argocd.processes.filter((p) => p.name.startsWith("argocd-application-controller")).map((p) => rssMiB(p.pid));
        const memory = {
            fleetApiServerMean: mean(fleetRss),
            fleetApiServerMax: Math.max(...fleetRss),
            fleetNodesMean: mean(nodesRss),
            fleetNodesMax: Math.max(...nodesRss),
            fleetNodeProcessesMean: Object.fromEntries([...byKind].map(([kind, values]) => [kind, mean(values)])),
            fleetClusterMean: mean(clusterRss),
            fleetClusterMax: Math.max(...clusterRss),
            etcd: rssMiB(byName("etcd")),
            hubApiServer: rssMiB(byName("kube-apiserver")),
            applicationControllers: controllers,
            repoServer: rssMiB(argocd.processes.find((p) => p.name === "argocd-repo-server")!.pid),
        };
        const seconds = (from: number, to: number) => round((to - from) / 1000);
        const drift = await driftTiming({ projectRoot: ROOT, stack: "local", configFile, pulumi: { workspace: ws, description: "the bench's backend" }, kubectl: cp.kubectl, argocdNamespace: NAMESPACE });
        return {
            shards,
            clusters: names.length,
            fleetStartSeconds: round(fleet.startSeconds),
            pulumiUpSeconds: round(up.seconds),
            upToAllSyncedSeconds: seconds(upStarted, allSynced),
            upToAllHealthySeconds: allHealthy === undefined ? null : seconds(upStarted, allHealthy),
            firstSyncedSeconds: seconds(controllersStarted, Math.min(...syncedAt.values())),
            lastSyncedSeconds: seconds(controllersStarted, allSynced),
            generatedApplications: apps.length,
            healthy: apps.filter(isHealthy).length,
            clustersPerShard: shardLoads.map((l) => l.clusters),
            applicationsPerShard: shardLoads.map((l) => l.applications),
            memoryMiB: memory,
            perClusterMiB: round((sum(clusterRss) + sum(controllers)) / names.length),
            drift,
        };
    } finally {
        for (const p of [...(argocd?.processes ?? [])].reverse()) await p.stop();
        await fleet?.stop();
        for (const p of [...(cp?.processes ?? [])].reverse()) await p.stop();
        fs.rmSync(work, { recursive: true, force: true });
        removeWork();
    }
}

const round = (n: number) => Math.round(n * 10) / 10;
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const mean = (values: number[]) => (values.length === 0 ? 0 : round(sum(values) / values.length));

async function main(): Promise<void> {
    if (!fs.existsSync(path.join(BIN, "kube-apiserver")) || !fs.existsSync(path.join(BIN, "argocd"))) {
        throw new Error(`the local control plane and Argo CD are not installed in ${BIN}: run bash tools/install.sh`);
    }
    const runs: LoopRun[] = [];
    for (const shards of shardCounts) {
        process.stdout.write(`  ${clusterCount} fleet clusters, ${shards} application controller shard${shards > 1 ? "s" : ""}:\n`);
        runs.push(await runOnce(shards));
    }
    printTable([
        ["shards", "clusters", "fleet start s", "pulumi up s", "up -> all Synced s", "up -> all Healthy s", "controllers -> first / last Synced s", "clusters / apps per shard", "fleet cluster MiB (mean): apiserver + nodes", "controllers MiB", "per cluster MiB"],
        ...runs.map((r) => [
            String(r.shards),
            String(r.clusters),
            String(r.fleetStartSeconds),
            String(r.pulumiUpSeconds),
            String(r.upToAllSyncedSeconds),
            r.upToAllHealthySeconds === null ? `> ${HEALTHY_TIMEOUT_MS / 1000} after Synced` : String(r.upToAllHealthySeconds),
            `${r.firstSyncedSeconds} / ${r.lastSyncedSeconds}`,
            r.clustersPerShard.map((c, i) => `${c} / ${r.applicationsPerShard[i]}`).join(" + "),
            `${r.memoryMiB.fleetClusterMean}: ${r.memoryMiB.fleetApiServerMean} + ${r.memoryMiB.fleetNodesMean}`,
            r.memoryMiB.applicationControllers.join(" + "),
            String(r.perClusterMiB),
        ]),
    ]);
    for (const r of runs) {
        const d = r.drift;
        process.stdout.write(`  npm run drift on the fleet (${r.shards} shard${r.shards > 1 ? "s" : ""}): ${d.seconds.total} s (terraform ${d.seconds.terraform}, pulumi ${d.seconds.pulumi}, argocd ${d.seconds.argocd} for ${d.applications} Applications: ${d.argocdMsPerApplication} ms each); items ${JSON.stringify(d.items)}\n`);
    }
    for (const r of runs) {
        const nodes = Object.entries(r.memoryMiB.fleetNodeProcessesMean).map(([kind, mib]) => `${kind} ${mib}`).join(", ");
        process.stdout.write(`  a fleet cluster's nodes (${r.shards} shard${r.shards > 1 ? "s" : ""}), mean MiB: ${nodes}; max cluster ${r.memoryMiB.fleetClusterMax} (apiserver max ${r.memoryMiB.fleetApiServerMax}, nodes max ${r.memoryMiB.fleetNodesMax})\n`);
    }
    process.stdout.write(`  Healthy: ${runs.map((r) => `${r.healthy}/${r.generatedApplications}`).join(", ")} (each fleet cluster's Deployment rolls out on its own KWOK node; no container runs)\n`);
    recordResults({ fleetLoop: runs });
}

main().catch((e) => {
    process.stderr.write(`fleet-loop bench: ${(e as Error).message}\n`);
    process.exit(1);
});
