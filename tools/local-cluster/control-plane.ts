/**
 * A Kubernetes control plane as local processes on loopback: etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler, and KWOK playing the nodes (pods are scheduled, become
 * Running and Ready, and Deployments roll out, but no container runs: there is no runtime here).
 * Ports are chosen free; everything lives in one data directory; every process is stopped by pid.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { freePort } from "../engine/free-port";
import { ManagedProcess, startProcess } from "./managed-process";
import { Kubectl } from "./kubectl";

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
    const certs = path.join(dir, "certs");
    fs.mkdirSync(logs, { recursive: true });
    fs.mkdirSync(certs, { recursive: true });
    const bin = (name: string) => path.join(options.binDir, name);
    const processes: ManagedProcess[] = [];
    const start = (name: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
        const p = startProcess({ name, command: bin(name), args, logFile: path.join(logs, `${name}.log`), env, detached: options.detached });
        processes.push(p);
        return p;
    };
    try {
        // Credentials made here, for this cluster only: a service-account signing key and an admin token.
        const { publicKey, privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
        fs.writeFileSync(path.join(certs, "sa.pub"), publicKey.export({ type: "spki", format: "pem" }));
        fs.writeFileSync(path.join(certs, "sa.key"), privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
        const token = crypto.randomBytes(24).toString("hex");
        fs.writeFileSync(path.join(certs, "tokens.csv"), `${token},admin,admin,system:masters\n`, { mode: 0o600 });

        const [etcdClient, etcdPeer, apiPort, cmPort, schedPort, kwokPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
        log(`control plane: etcd :${etcdClient}, kube-apiserver :${apiPort} (data ${dir})`);
        const etcd = start("etcd", [
            "--name=local",
            `--data-dir=${path.join(dir, "etcd")}`,
            `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
            `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
            `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
            `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
            `--initial-cluster=local=http://127.0.0.1:${etcdPeer}`,
            "--log-level=warn",
        ]);
        await etcd.waitForHttp(`http://127.0.0.1:${etcdClient}/health`, 60_000);

        const server = `https://127.0.0.1:${apiPort}`;
        const apiserver = start("kube-apiserver", [
            `--etcd-servers=http://127.0.0.1:${etcdClient}`,
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            `--secure-port=${apiPort}`,
            `--cert-dir=${certs}`,
            `--token-auth-file=${path.join(certs, "tokens.csv")}`,
            "--authorization-mode=RBAC",
            `--service-account-key-file=${path.join(certs, "sa.pub")}`,
            `--service-account-signing-key-file=${path.join(certs, "sa.key")}`,
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            "--service-cluster-ip-range=10.96.0.0/16",
            // A loopback address cannot be published as the `kubernetes` Service's endpoint.
            "--endpoint-reconciler-type=none",
            "--allow-privileged=true",
            "--enable-priority-and-fairness=false",
            "--v=0",
        ]);
        // The API server writes a self-signed certificate (with its CA) into --cert-dir.
        const caFile = path.join(certs, "apiserver.crt");
        await apiserver.waitFor(() => fs.existsSync(caFile), 60_000, "its serving certificate");
        const kubeconfigPath = path.join(dir, "kubeconfig");
        writeKubeconfig(kubeconfigPath, server, fs.readFileSync(caFile), token);
        const kubectl = new Kubectl(bin("kubectl"), kubeconfigPath);
        await apiserver.waitFor(async () => (await kubectl.run(["get", "--raw", "/readyz"], { allowFail: true })).code === 0, 120_000, "/readyz");

        start("kube-controller-manager", [
            `--kubeconfig=${kubeconfigPath}`,
            "--bind-address=127.0.0.1",
            `--secure-port=${cmPort}`,
            "--leader-elect=false",
            `--service-account-private-key-file=${path.join(certs, "sa.key")}`,
            `--root-ca-file=${caFile}`,
            "--use-service-account-credentials=false",
        ]);
        start("kube-scheduler", [`--kubeconfig=${kubeconfigPath}`, "--bind-address=127.0.0.1", `--secure-port=${schedPort}`, "--leader-elect=false"]);
        start("kwok", [
            `--kubeconfig=${kubeconfigPath}`,
            `--config=${path.join(path.dirname(fs.realpathSync(bin("kwok"))), "stages.yaml")}`,
            "--manage-all-nodes=false",
            "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
            // Without a lease the node-lifecycle controller marks the node NotReady and evicts its pods.
            "--node-lease-duration-seconds=40",
            `--server-address=127.0.0.1:${kwokPort}`,
            "--cidr=10.0.0.0/16",
            "--node-ip=127.0.0.1",
        ]);
        await kubectl.apply(fakeNode(), "the KWOK node");
        await kubectl.waitFor(["wait", "--for=condition=Ready", `node/${KWOK_NODE}`, "--timeout=5s"], 120_000, "the KWOK node to be Ready");
        const stopped = processes.filter((p) => !p.running());
        if (stopped.length > 0) throw new Error(`stopped early: ${stopped.map((p) => `${p.name} (log ${p.logFile})`).join(", ")}`);
        const version = JSON.parse((await kubectl.run(["version", "-o", "json"])).stdout).serverVersion.gitVersion as string;
        log(`control plane: Kubernetes ${version} ready, node ${KWOK_NODE} (KWOK)`);
        return { server, kubeconfigPath, kubectl, processes, version };
    } catch (e) {
        await Promise.all(processes.map((p) => p.stop()));
        throw new Error(`${(e as Error).message} (logs: ${logs})`);
    }
}

function writeKubeconfig(file: string, server: string, ca: Buffer, token: string): void {
    const config = {
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "local", cluster: { server, "certificate-authority-data": ca.toString("base64") } }],
        users: [{ name: "admin", user: { token } }],
        contexts: [{ name: "local", context: { cluster: "local", user: "admin" } }],
        "current-context": "local",
    };
    fs.writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
}

function fakeNode(): Record<string, unknown> {
    return {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
            name: KWOK_NODE,
            annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
            labels: { type: "kwok", "kubernetes.io/hostname": KWOK_NODE, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64" },
        },
        // No taint: every pod may land here, as on a real single-node cluster.
        spec: {},
        status: { allocatable: { cpu: "32", memory: "256Gi", pods: "250" }, capacity: { cpu: "32", memory: "256Gi", pods: "250" } },
    };
}
