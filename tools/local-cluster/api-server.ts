/**
 * One kube-apiserver on loopback with credentials made for it alone: a self-signed serving
 * certificate, a service-account key pair and an admin bearer token. Several of them can share one
 * etcd, each under its own `--etcd-prefix`: each is then a cluster of its own (the fleet bench).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { freePort } from "../engine/free-port";
import { kubeconfig } from "../engine/kubeconfig";
import { Kubectl } from "./kubectl";
import { ManagedProcess, startProcess } from "./managed-process";

export interface ApiServerOptions {
    /** The pinned binaries' folder (`.tools/bin`). */
    binDir: string;
    /** This API server's certificates, kubeconfig and log; created. */
    dataDir: string;
    /** `http://127.0.0.1:<port>` of the etcd it stores in. */
    etcdUrl: string;
    /** Key prefix in etcd. Default: Kubernetes' own `/registry`. */
    etcdPrefix?: string;
    /** Its log. Default `<dataDir>/kube-apiserver.log`. */
    logFile?: string;
    /** Name of the cluster and context in its kubeconfig. Default `local`. */
    name?: string;
    detached?: boolean;
}

/** A running API server and how to reach it. */
export interface ApiServer {
    name: string;
    /** `https://127.0.0.1:<port>` */
    server: string;
    /** Base64 of the CA that signed its serving certificate (a self-signed one). */
    caData: string;
    /** Its cluster-admin bearer token (in a file only it and this process read). */
    token: string;
    kubeconfigPath: string;
    kubectl: Kubectl;
    process: ManagedProcess;
    /** Service-account signing key, for the controller-manager. */
    serviceAccountKey: string;
    caFile: string;
    /**
     * Starts it again after its process stopped (a store that was unreachable for a while): the same
     * port, certificates, tokens and etcd data, so its clients need nothing new. `process` is the new one.
     */
    restart(): Promise<void>;
}

/** Starts the API server and waits until `/readyz` answers. */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
    const name = options.name ?? "local";
    const dir = path.resolve(options.dataDir);
    const certs = path.join(dir, "certs");
    fs.mkdirSync(certs, { recursive: true });
    const { publicKey, privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const serviceAccountKey = path.join(certs, "sa.key");
    fs.writeFileSync(path.join(certs, "sa.pub"), publicKey.export({ type: "spki", format: "pem" }));
    fs.writeFileSync(serviceAccountKey, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    const token = crypto.randomBytes(24).toString("hex");
    fs.writeFileSync(path.join(certs, "tokens.csv"), `${token},admin,admin,system:masters\n`, { mode: 0o600 });

    const port = await freePort();
    const server = `https://127.0.0.1:${port}`;
    const launch = () => startProcess({
        name: `kube-apiserver${name === "local" ? "" : `-${name}`}`,
        command: path.join(options.binDir, "kube-apiserver"),
        logFile: options.logFile ?? path.join(dir, "kube-apiserver.log"),
        detached: options.detached,
        args: [
            `--etcd-servers=${options.etcdUrl}`,
            ...(options.etcdPrefix ? [`--etcd-prefix=${options.etcdPrefix}`] : []),
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            `--secure-port=${port}`,
            `--cert-dir=${certs}`,
            `--token-auth-file=${path.join(certs, "tokens.csv")}`,
            "--authorization-mode=RBAC",
            `--service-account-key-file=${path.join(certs, "sa.pub")}`,
            `--service-account-signing-key-file=${serviceAccountKey}`,
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            "--service-cluster-ip-range=10.96.0.0/16",
            // A loopback address cannot be published as the `kubernetes` Service's endpoint.
            "--endpoint-reconciler-type=none",
            "--allow-privileged=true",
            "--enable-priority-and-fairness=false",
            "--v=0",
        ],
    });
    const apiserver = launch();
    try {
        // The API server writes a self-signed certificate (its own CA) into --cert-dir.
        const caFile = path.join(certs, "apiserver.crt");
        await apiserver.waitFor(() => fs.existsSync(caFile), 120_000, "its serving certificate");
        const caData = fs.readFileSync(caFile).toString("base64");
        const kubeconfigPath = path.join(dir, "kubeconfig");
        fs.writeFileSync(kubeconfigPath, JSON.stringify(kubeconfig([{ name, server, caData, token }]), null, 2), { mode: 0o600 });
        const kubectl = new Kubectl(path.join(options.binDir, "kubectl"), kubeconfigPath);
        const ready = (p: ManagedProcess) => p.waitFor(async () => (await kubectl.run(["get", "--raw", "/readyz"], { allowFail: true })).code === 0, 180_000, "/readyz");
        await ready(apiserver);
        const api: ApiServer = {
            name, server, caData, token, kubeconfigPath, kubectl, process: apiserver, serviceAccountKey, caFile,
            restart: async () => {
                if (api.process.running()) throw new Error(`${api.process.name} is still running (pid ${api.process.pid})`);
                api.process = launch();
                await ready(api.process);
            },
        };
        return api;
    } catch (e) {
        await apiserver.stop();
        throw e;
    }
}
