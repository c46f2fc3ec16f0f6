/**
 * Argo CD's API server (`argocd-server`) as a local process beside the controllers, so the real
 * `argocd` CLI works against the loop: on 127.0.0.1 and a free port, with TLS (`--insecure=false`).
 *
 * Its certificate is made here for 127.0.0.1 and handed to it the way a cluster would (cert-manager,
 * a platform team): the `argocd-server-tls` Secret, which Argo CD prefers to the self-signed one it
 * would otherwise write into argocd-secret (that one names only localhost and the Service's DNS
 * names, so no client could check it against 127.0.0.1). Clients trust that one file.
 *
 * The binary is the pinned multi-call `argocd`; it becomes the API server by ARGOCD_BINARY_NAME,
 * upstream's switch for a binary whose file name is not the component's (cmd/main.go).
 *
 * Listeners: the API (gRPC, gRPC-web, REST, and a plain-HTTP redirect to HTTPS, all multiplexed on
 * the one port) and Prometheus metrics, both on `--address` (the metrics listener binds to it, not to
 * `--metrics-address`). No Dex (SSO is not configured), so nothing else listens.
 */
import * as fs from "fs";
import * as https from "https";
import * as path from "path";
import { freePort } from "../engine/free-port";
import { selfSignedCertificate } from "./certificate";
import { Kubectl } from "./kubectl";
import { ManagedProcess, startProcess } from "./managed-process";

export interface ArgoCdServerOptions {
    binDir: string;
    kubectl: Kubectl;
    namespace: string;
    /** Its certificate, log and working files go here. */
    dataDir: string;
    logFile: string;
    /** What the controllers run with (KUBECONFIG, REDIS_PASSWORD, ...). */
    env: NodeJS.ProcessEnv;
    /** `127.0.0.1:<port>` of Redis and of the repo server (plaintext on loopback). */
    redis: string;
    repoServer: string;
    detached?: boolean;
}

/** A running API server and how a client reaches it. */
export interface ArgoCdServer {
    process: ManagedProcess;
    /** `127.0.0.1:<port>`, what `argocd login` takes. */
    address: string;
    /** Its serving certificate (PEM, self-signed, for IP 127.0.0.1): what a client trusts. */
    certificateFile: string;
    /** Prometheus metrics, plain HTTP on loopback. */
    metricsUrl: string;
}

/** The Secret Argo CD reads an externally managed serving certificate from. */
const SERVER_TLS_SECRET = "argocd-server-tls";

export async function startArgoCdServer(options: ArgoCdServerOptions): Promise<ArgoCdServer> {
    const tlsDir = path.join(options.dataDir, "server-tls");
    const { certificateFile, keyFile } = selfSignedCertificate(tlsDir, "argocd-server");
    await options.kubectl.apply(
        {
            apiVersion: "v1",
            kind: "Secret",
            type: "kubernetes.io/tls",
            metadata: { name: SERVER_TLS_SECRET, namespace: options.namespace, labels: { "app.kubernetes.io/part-of": "argocd" } },
            data: { "tls.crt": fs.readFileSync(certificateFile).toString("base64"), "tls.key": fs.readFileSync(keyFile).toString("base64") },
        },
        `Secret ${options.namespace}/${SERVER_TLS_SECRET}`,
    );
    const [port, metricsPort] = await Promise.all([freePort(), freePort()]);
    const server = startProcess({
        name: "argocd-server",
        command: path.join(options.binDir, "argocd"),
        args: [
            "--address=127.0.0.1",
            `--port=${port}`,
            "--metrics-address=127.0.0.1",
            `--metrics-port=${metricsPort}`,
            "--insecure=false",
            `--namespace=${options.namespace}`,
            `--redis=${options.redis}`,
            `--repo-server=${options.repoServer}`,
            "--repo-server-plaintext",
            "--loglevel=info",
        ],
        logFile: options.logFile,
        env: { ...options.env, ARGOCD_BINARY_NAME: "argocd-server" },
        cwd: options.dataDir,
        detached: options.detached,
    });
    const ca = fs.readFileSync(certificateFile);
    try {
        // /healthz answers once its caches are synced; over TLS, checked against the certificate.
        await server.waitFor(() => httpsOk(`https://127.0.0.1:${port}/healthz`, ca), 120_000, `https://127.0.0.1:${port}/healthz`);
    } catch (e) {
        await server.stop();
        throw e;
    }
    return { process: server, address: `127.0.0.1:${port}`, certificateFile, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` };
}

function httpsOk(url: string, ca: Buffer): Promise<boolean> {
    return new Promise((resolve) => {
        const req = https.get(url, { ca, timeout: 2000 }, (res) => {
            res.resume();
            resolve(res.statusCode === 200);
        });
        req.on("error", () => resolve(false));
        req.on("timeout", () => (req.destroy(), resolve(false)));
    });
}
