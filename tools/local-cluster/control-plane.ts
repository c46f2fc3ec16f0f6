/**
 * A Kubernetes control plane as local processes on loopback: etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler, and KWOK playing the nodes (cluster-nodes.ts: pods are
 * scheduled, become Running and Ready, and Deployments roll out, but no container runs: there is no
 * runtime here).
 * Ports are chosen free; everything lives in one data directory; every process is stopped by pid.
 */
import * as fs from "fs";
import * as path from "path";
import { freePort } from "../engine/free-port";
import { ManagedProcess, startProcess } from "./managed-process";
import { Kubectl } from "./kubectl";
import { startApiServer } from "./api-server";
import { startClusterNodes } from "./cluster-nodes";

/** Where the control plane's binaries are (tools/install.sh links them). */
export interface ControlPlaneOptions {
    /** The pinned binaries' folder (`.tools/bin`). */
    binDir: string;
    /** Data directory (etcd, certificates, kubeconfig, logs); created. */
    dataDir: string;
    /** Progress, one line at a time. */
    log?: (line: string) => void;
    /** Detach the processes so they outlive this one (`npm run up`). Default false. */
    detached?: boolean;
}

/** A running control plane. */
export interface ControlPlane {
    /** `https://127.0.0.1:<port>` */
    server: string;
    /** The etcd it stores in (`http://127.0.0.1:<port>`); more API servers may share it under other prefixes. */
    etcdUrl: string;
    /** A kubeconfig with cluster-admin rights (a bearer token from the token file). */
    kubeconfigPath: string;
    kubectl: Kubectl;
    processes: ManagedProcess[];
    /** Kubernetes version the API server reports. */
    version: string;
}

/** The fake node KWOK manages. */
export const KWOK_NODE = "kwok-node-0";

/** Starts the control plane and waits until a fake node is Ready. */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
    const log = options.log ?? (() => undefined);
    const dir = path.resolve(options.dataDir);
    const logs = path.join(dir, "logs");
    fs.mkdirSync(logs, { recursive: true });
    const bin = (name: string) => path.join(options.binDir, name);
    const processes: ManagedProcess[] = [];
    const start = (name: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
        const p = startProcess({ name, command: bin(name), args, logFile: path.join(logs, `${name}.log`), env, detached: options.detached });
        processes.push(p);
        return p;
    };
    try {
        const [etcdClient, etcdPeer] = await Promise.all([freePort(), freePort()]);
        const etcdUrl = `http://127.0.0.1:${etcdClient}`;
        log(`control plane: etcd :${etcdClient} (data ${dir})`);
        const etcd = start("etcd", [
            "--name=local",
            `--data-dir=${path.join(dir, "etcd")}`,
            `--listen-client-urls=${etcdUrl}`,
            `--advertise-client-urls=${etcdUrl}`,
            `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
            `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
            `--initial-cluster=local=http://127.0.0.1:${etcdPeer}`,
            "--log-level=warn",
        ]);
        await etcd.waitForHttp(`${etcdUrl}/health`, 60_000);

        const api = await startApiServer({ binDir: options.binDir, dataDir: dir, etcdUrl, logFile: path.join(logs, "kube-apiserver.log"), detached: options.detached });
        processes.push(api.process);
        const { server, kubeconfigPath, kubectl } = api;
        log(`control plane: kube-apiserver ${server}`);

        const nodes = await startClusterNodes({ binDir: options.binDir, api, dataDir: dir, logDir: logs, node: KWOK_NODE, detached: options.detached });
        processes.push(...nodes.processes);
        const stopped = processes.filter((p) => !p.running());
        if (stopped.length > 0) throw new Error(`stopped early: ${stopped.map((p) => `${p.name} (log ${p.logFile})`).join(", ")}`);
        const version = JSON.parse((await kubectl.run(["version", "-o", "json"])).stdout).serverVersion.gitVersion as string;
        log(`control plane: Kubernetes ${version} ready, node ${KWOK_NODE} (KWOK)`);
        return { server, etcdUrl, kubeconfigPath, kubectl, processes, version };
    } catch (e) {
        await Promise.all(processes.map((p) => p.stop()));
        throw new Error(`${(e as Error).message} (logs: ${logs})`);
    }
}
