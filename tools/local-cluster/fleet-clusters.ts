/**
 * A simulated fleet on one machine: more kube-apiservers on the local control plane's etcd, each
 * under its own `--etcd-prefix`, so each is a cluster of its own (own objects, own CA, own token).
 * Each also gets what makes health real, as the hub has (cluster-nodes.ts): a controller-manager, a
 * scheduler and KWOK playing one node, so a Deployment synced there rolls out (or, with the
 * never-ready image mark, never becomes Available). `nodes: false` leaves them API servers only.
 */
import * as fs from "fs";
import * as path from "path";
import { kubeconfig } from "../engine/kubeconfig";
import { ApiServer, startApiServer } from "./api-server";
import { startClusterNodes } from "./cluster-nodes";
import { ManagedProcess } from "./managed-process";

export interface FleetClustersOptions {
    binDir: string;
    /** The shared etcd (the control plane's). */
    etcdUrl: string;
    /** One folder per cluster is made here. */
    dataDir: string;
    /** Cluster names, e.g. `fleet-01` ... `fleet-10`. */
    names: string[];
    /** Give each cluster a controller-manager, a scheduler and a KWOK node. Default true. */
    nodes?: boolean;
    /** Clusters started at once (each start is CPU-heavy). Default 3. */
    concurrency?: number;
    log?: (line: string) => void;
}

export interface FleetClusters {
    clusters: ApiServer[];
    /** By cluster name: its nodes' processes (controller-manager, scheduler, kwok; node `fleetNodeName(name)`); empty with `nodes: false`. */
    nodes: Record<string, ManagedProcess[]>;
    /** A kubeconfig with one context per cluster (named after it), as `fleetKubeconfig` takes it. */
    kubeconfig: string;
    /** Seconds until every cluster was up: API server answering `/readyz` and, with nodes, its node Ready. */
    startSeconds: number;
    /** Every process of one cluster, in start order: its API server, then its nodes'. */
    processesOf(name: string): ManagedProcess[];
    stop(): Promise<void>;
}

/** The fake node of fleet cluster `name`: a name of its own, so a pod's node tells its cluster. */
export const fleetNodeName = (name: string) => `kwok-${name}-0`;

export async function startFleetClusters(options: FleetClustersOptions): Promise<FleetClusters> {
    const started = Date.now();
    const clusters: ApiServer[] = [];
    const nodes: Record<string, ManagedProcess[]> = {};
    const queue = [...options.names];
    const worker = async () => {
        for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
            const dir = path.join(options.dataDir, name);
            try {
                const clusterStarted = Date.now();
                const api = await startApiServer({ binDir: options.binDir, dataDir: dir, etcdUrl: options.etcdUrl, etcdPrefix: `/${name}`, name });
                clusters.push(api);
                if (options.nodes ?? true) {
                    nodes[name] = (await startClusterNodes({ binDir: options.binDir, api, dataDir: dir, logDir: dir, node: fleetNodeName(name), nameSuffix: `-${name}` })).processes;
                }
                const node = nodes[name] ? `, node ${fleetNodeName(name)} Ready` : "";
                options.log?.(`fleet: ${name} at ${api.server} (etcd prefix /${name}${node}) in ${((Date.now() - clusterStarted) / 1000).toFixed(1)} s`);
            } catch (e) {
                queue.length = 0; // start no more
                throw new Error(`fleet cluster ${name}: ${(e as Error).message} (logs: ${dir})`);
            }
        }
    };
    // `api.process`, not a copy: restart() replaces it.
    const processesOf = (name: string) => {
        const api = clusters.find((c) => c.name === name);
        return api ? [api.process, ...(nodes[name] ?? [])] : [];
    };
    // Newest first within a cluster (its nodes before its API server); the clusters side by side.
    const stop = async () => void (await Promise.all(clusters.map(async (c) => {
        for (const p of processesOf(c.name).reverse()) await p.stop();
    })));
    // Settled, not all: on a failure the other workers' clusters are up before they are stopped.
    const results = await Promise.allSettled(Array.from({ length: Math.min(options.concurrency ?? 3, options.names.length) }, worker));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) {
        await stop();
        throw failed.reason;
    }
    clusters.sort((a, b) => a.name.localeCompare(b.name));
    const file = path.join(options.dataDir, "kubeconfig");
    const text = JSON.stringify(kubeconfig(clusters), null, 2);
    fs.writeFileSync(file, text, { mode: 0o600 });
    return { clusters, nodes, kubeconfig: text, startSeconds: (Date.now() - started) / 1000, processesOf, stop };
}
