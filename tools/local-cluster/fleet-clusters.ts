/**
 * A simulated fleet on one machine: more kube-apiservers on the local control plane's etcd, each
 * under its own `--etcd-prefix`, so each is a cluster of its own (own objects, own CA, own token).
 * They have no controller-manager, scheduler or nodes: Argo CD can apply to them and read them back,
 * which is what syncing is, but a Deployment there never gets pods.
 */
import * as fs from "fs";
import * as path from "path";
import { kubeconfig } from "../engine/kubeconfig";
import { ApiServer, startApiServer } from "./api-server";

export interface FleetClustersOptions {
    binDir: string;
    /** The shared etcd (the control plane's). */
    etcdUrl: string;
    /** One folder per cluster is made here. */
    dataDir: string;
    /** Cluster names, e.g. `fleet-01` ... `fleet-10`. */
    names: string[];
    /** API servers started at once (each start is CPU-heavy). Default 3. */
    concurrency?: number;
    log?: (line: string) => void;
}

export interface FleetClusters {
    clusters: ApiServer[];
    /** A kubeconfig with one context per cluster (named after it), as `fleetKubeconfig` takes it. */
    kubeconfig: string;
    /** Seconds until every API server answered `/readyz`. */
    startSeconds: number;
    stop(): Promise<void>;
}

export async function startFleetClusters(options: FleetClustersOptions): Promise<FleetClusters> {
    const started = Date.now();
    const clusters: ApiServer[] = [];
    const queue = [...options.names];
    const worker = async () => {
        for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
            try {
                const api = await startApiServer({ binDir: options.binDir, dataDir: path.join(options.dataDir, name), etcdUrl: options.etcdUrl, etcdPrefix: `/${name}`, name });
                clusters.push(api);
                options.log?.(`fleet: ${name} at ${api.server} (etcd prefix /${name})`);
            } catch (e) {
                queue.length = 0; // start no more
                throw new Error(`fleet cluster ${name}: ${(e as Error).message}`);
            }
        }
    };
    const stop = async () => void (await Promise.all(clusters.map((c) => c.process.stop())));
    // Settled, not all: on a failure the other workers' API servers are up before they are stopped.
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
    return { clusters, kubeconfig: text, startSeconds: (Date.now() - started) / 1000, stop };
}
