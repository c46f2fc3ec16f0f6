/**
 * What makes health real on a cluster of the loop: kube-controller-manager (Deployments get
 * ReplicaSets and pods), kube-scheduler (pods get a node) and KWOK playing one node (pods become
 * Running and Ready with no container run). The hub and every fleet cluster get these, so a
 * Deployment rolls out, or fails to, as on a real cluster (kwok-stages.ts: the never-ready image mark).
 */
import * as path from "path";
import { freePort } from "../engine/free-port";
import { ApiServer } from "./api-server";
import { writeLoopStages } from "./kwok-stages";
import { ManagedProcess, startProcess } from "./managed-process";

export interface ClusterNodesOptions {
    /** The pinned binaries' folder (`.tools/bin`). */
    binDir: string;
    /** The cluster's API server (its kubeconfig, service-account key and CA are used). */
    api: Pick<ApiServer, "kubeconfigPath" | "kubectl" | "serviceAccountKey" | "caFile">;
    /** Where KWOK's stages file is written (the cluster's data directory). */
    dataDir: string;
    /** One log file per process here. */
    logDir: string;
    /** The fake node's name. */
    node: string;
    /** Appended to the process names (`kwok-fleet-01`), so a fleet's processes are told apart. */
    nameSuffix?: string;
    detached?: boolean;
}

export interface ClusterNodes {
    /** The Ready fake node's name. */
    node: string;
    /** kube-controller-manager, kube-scheduler, kwok, in start order. */
    processes: ManagedProcess[];
}

/** Starts the controllers, scheduler and KWOK, and waits until the fake node is Ready. */
export async function startClusterNodes(options: ClusterNodesOptions): Promise<ClusterNodes> {
    const { api, node } = options;
    const suffix = options.nameSuffix ?? "";
    const processes: ManagedProcess[] = [];
    const start = (name: string, args: string[]) => {
        const p = startProcess({ name: `${name}${suffix}`, command: path.join(options.binDir, name), args, logFile: path.join(options.logDir, `${name}.log`), detached: options.detached });
        processes.push(p);
        return p;
    };
    try {
        const stages = writeLoopStages(options.binDir, path.join(options.dataDir, "kwok-stages.yaml"));
        const [cmPort, schedPort, kwokPort] = await Promise.all([freePort(), freePort(), freePort()]);
        start("kube-controller-manager", [
            `--kubeconfig=${api.kubeconfigPath}`,
            "--bind-address=127.0.0.1",
            `--secure-port=${cmPort}`,
            "--leader-elect=false",
            `--service-account-private-key-file=${api.serviceAccountKey}`,
            `--root-ca-file=${api.caFile}`,
            "--use-service-account-credentials=false",
        ]);
        start("kube-scheduler", [`--kubeconfig=${api.kubeconfigPath}`, "--bind-address=127.0.0.1", `--secure-port=${schedPort}`, "--leader-elect=false"]);
        start("kwok", [
            `--kubeconfig=${api.kubeconfigPath}`,
            `--config=${stages}`,
            "--manage-all-nodes=false",
            "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
            // Without a lease the node-lifecycle controller marks the node NotReady and evicts its pods.
            "--node-lease-duration-seconds=40",
            `--server-address=127.0.0.1:${kwokPort}`,
            "--cidr=10.0.0.0/16",
            "--node-ip=127.0.0.1",
        ]);
        await api.kubectl.apply(fakeNode(node), "the KWOK node");
        await api.kubectl.waitFor(["wait", "--for=condition=Ready", `node/${node}`, "--timeout=5s"], 120_000, `the KWOK node ${node} to be Ready`);
        const stopped = processes.filter((p) => !p.running());
        if (stopped.length > 0) throw new Error(`stopped early: ${stopped.map((p) => `${p.name} (log ${p.logFile})`).join(", ")}`);
        return { node, processes };
    } catch (e) {
        await Promise.all(processes.map((p) => p.stop()));
        throw new Error(`controllers, scheduler or KWOK: ${(e as Error).message}`);
    }
}

function fakeNode(name: string): Record<string, unknown> {
    return {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
            name,
            annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
            labels: { type: "kwok", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64" },
        },
        // No taint: every pod may land here, as on a real single-node cluster.
        spec: {},
        status: { allocatable: { cpu: "32", memory: "256Gi", pods: "250" }, capacity: { cpu: "32", memory: "256Gi", pods: "250" } },
    };
}
