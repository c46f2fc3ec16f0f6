/**
 * Argo CD's notifications controller (`argocd-notifications`) as a local process beside the other
 * controllers: it watches the Applications and reads argocd-notifications-cm and
 * argocd-notifications-secret from the cluster, exactly as in its pod, and posts what its triggers
 * say to the webhooks the ConfigMap names (in the loop, webhook-receiver.ts).
 *
 * The binary is the pinned multi-call `argocd`; it becomes the controller by ARGOCD_BINARY_NAME.
 *
 * Trust: the receiver's certificate is self-signed. Go reads extra roots only through SSL_CERT_FILE,
 * which replaces the system bundle, so the process gets a bundle of the system's roots plus
 * `trustedCertificates`. (In a cluster the same is done per host with argocd-tls-certs-cm, mounted
 * at ARGOCD_TLS_DATA_PATH; that path does not exist here, so Argo CD falls back to these roots.)
 *
 * Listeners: only Prometheus metrics, and upstream binds them to 0.0.0.0 (`--metrics-port` has no
 * address; cmd/argocd-notification/commands/argocd_notification.go): the one listener of the loop
 * that is not loopback-only. It serves metrics and nothing else.
 */
import * as fs from "fs";
import * as path from "path";
import { freePort } from "../engine/free-port";
import { ManagedProcess, startProcess } from "./managed-process";

export interface NotificationsControllerOptions {
    binDir: string;
    kubeconfigPath: string;
    /** Namespace of Argo CD's configuration and Applications. */
    namespace: string;
    /** Its CA bundle and working files go here. */
    dataDir: string;
    /** What the other controllers run with (ARGOCD_FAKE_IN_CLUSTER, HOME, ...). */
    env: NodeJS.ProcessEnv;
    logFile: string;
    /** PEM files to trust besides the system's roots (e.g. the webhook receiver's certificate). */
    trustedCertificates: string[];
    /**
     * `127.0.0.1:<port>` of the repo server (plaintext), for templates that call `.repo`.
     * @default - none: the audit templates do not use it
     */
    repoServer?: string;
    detached?: boolean;
}

export interface NotificationsController {
    process: ManagedProcess;
    /** Prometheus metrics (`argocd_notifications_deliveries_total`, `..._trigger_eval_total`), plain HTTP. */
    metricsUrl: string;
}

/** Where Go looks for the system's roots on Linux (crypto/x509/root_linux.go), in its order. */
const SYSTEM_BUNDLES = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/ca-bundle.pem", "/etc/pki/tls/cacert.pem", "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "/etc/ssl/cert.pem"];

export async function startNotificationsController(options: NotificationsControllerOptions): Promise<NotificationsController> {
    for (const dir of [options.dataDir, path.dirname(options.logFile)]) fs.mkdirSync(dir, { recursive: true });
    const bundle = writeCaBundle(path.join(options.dataDir, "notifications-ca-bundle.pem"), options.trustedCertificates);
    const metricsPort = await freePort();
    // Its "running" line is how readiness is seen: none from a previous run.
    fs.writeFileSync(options.logFile, "");
    const controller = startProcess({
        name: "argocd-notifications",
        command: path.join(options.binDir, "argocd"),
        args: [
            `--kubeconfig=${options.kubeconfigPath}`,
            `--namespace=${options.namespace}`,
            `--metrics-port=${metricsPort}`,
            `--argocd-repo-server=${options.repoServer ?? "127.0.0.1:1"}`,
            "--argocd-repo-server-plaintext",
            "--loglevel=info",
        ],
        logFile: options.logFile,
        env: { ...options.env, KUBECONFIG: options.kubeconfigPath, ARGOCD_BINARY_NAME: "argocd-notifications", SSL_CERT_FILE: bundle },
        cwd: options.dataDir,
        detached: options.detached,
    });
    try {
        // Logged once its informers (Applications, AppProjects, the ConfigMap and Secret) have synced.
        await controller.waitFor(() => fs.readFileSync(options.logFile, "utf8").includes("Controller is running."), 60_000, "its informers to sync");
    } catch (e) {
        await controller.stop();
        throw e;
    }
    return { process: controller, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` };
}

/**
 * Writes the system's roots (the first bundle Go would read) followed by each trusted PEM file to
 * `file`, for a Go process's SSL_CERT_FILE; returns `file`.
 */
export function writeCaBundle(file: string, trusted: string[]): string {
    const system = SYSTEM_BUNDLES.find((f) => fs.existsSync(f));
    const parts = [...(system ? [fs.readFileSync(system, "utf8")] : []), ...trusted.map((f) => fs.readFileSync(f, "utf8"))];
    fs.writeFileSync(file, parts.map((p) => (p.endsWith("\n") ? p : `${p}\n`)).join(""));
    return file;
}
