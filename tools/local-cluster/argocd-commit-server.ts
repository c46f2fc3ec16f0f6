/**
 * Argo CD's commit server as a local process: it pushes the manifests the source hydrator renders to
 * the environment branches, with the `repository-write` Secret's credentials, and, when Argo CD's
 * settings name a signing key (`commitserver.signing.key.path` in argocd-cmd-params-cm), signs every
 * commit with the key of the Secret `argocd-commit-server-gpg-signing-key`, mounted where the path
 * says (pod-volumes.ts). The multi-call binary becomes the commit server by ARGOCD_BINARY_NAME.
 */
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { freePort } from "../engine/free-port";
import type { ArgoCdServerOptions } from "./argocd-server";
import { ManagedProcess, startProcess } from "./managed-process";
import { localPodPath, mountVolume } from "./pod-volumes";

/** The Secret Argo CD 3.6 reads the commit server's signing key from. */
export const SIGNING_KEY_SECRET = "argocd-commit-server-gpg-signing-key";

/** What the API server takes, but Redis and the repo server: the commit server needs neither. */
export interface CommitServerOptions extends Omit<ArgoCdServerOptions, "redis" | "repoServer"> {
    /** argocd-cmd-params-cm's data. */
    params: Record<string, string>;
}

export interface CommitServer {
    process: ManagedProcess;
    /** `127.0.0.1:<port>`, the application controller's `--commit-server`. */
    address: string;
    /** Whether it signs hydrated commits. */
    signing: boolean;
}

/** Argo CD 3.6.1's commit server hands git its credentials on this socket, a path fixed in its code (util/askpass). */
export const COMMIT_SERVER_ASK_PASS_SOCKET = "/tmp/commit-server-ask-pass.sock";

/** Whether a live process listens on the Unix socket. */
export function listening(socket: string): Promise<boolean> {
    return new Promise((resolve) => {
        const c = net.createConnection({ path: socket });
        c.once("connect", () => (c.destroy(), resolve(true)));
        c.once("error", () => resolve(false));
    });
}

export async function startCommitServer(options: CommitServerOptions): Promise<CommitServer> {
    // A second commit server would take the socket over, and the first one's pushes would go out with no credentials.
    if (await listening(COMMIT_SERVER_ASK_PASS_SOCKET)) {
        throw new Error(`another Argo CD commit server on this machine listens on ${COMMIT_SERVER_ASK_PASS_SOCKET} (3.6.1 fixes that path for every commit server): one loop with hydration at a time; stop the other (npm run down, or the e2e or bench that runs)`);
    }
    const [port, metricsPort] = await Promise.all([freePort(), freePort()]);
    const env: NodeJS.ProcessEnv = { ...options.env, ARGOCD_BINARY_NAME: "argocd-commit-server", ARGOCD_GNUPGHOME: path.join(options.dataDir, "gnupg-commit-server") };
    const keyPath = options.params["commitserver.signing.key.path"];
    if (keyPath) {
        const local = localPodPath(options.dataDir, keyPath);
        const keys = await mountVolume(options.kubectl, "secret", options.namespace, SIGNING_KEY_SECRET, path.dirname(local));
        if (!keys.includes(path.basename(local))) throw new Error(`Argo CD's settings turn commit signing on (${keyPath}), but the Secret ${options.namespace}/${SIGNING_KEY_SECRET} has no key ${path.basename(local)}`);
        env.ARGOCD_COMMIT_SERVER_SIGNING_KEY_PATH = local;
        const passphrase = options.params["commitserver.signing.key.passphrase.file"];
        if (passphrase) env.ARGOCD_COMMIT_SERVER_SIGNING_KEY_PASSPHRASE_FILE = localPodPath(options.dataDir, passphrase);
    }
    fs.mkdirSync(env.ARGOCD_GNUPGHOME as string, { recursive: true, mode: 0o700 });
    const server = startProcess({
        name: "argocd-commit-server",
        command: path.join(options.binDir, "argocd"),
        args: ["--address=127.0.0.1", `--port=${port}`, "--metrics-address=127.0.0.1", `--metrics-port=${metricsPort}`, "--loglevel=info"],
        logFile: options.logFile,
        env,
        cwd: options.dataDir,
        detached: options.detached,
    });
    try {
        await server.waitForHttp(`http://127.0.0.1:${metricsPort}/metrics`, 60_000);
    } catch (e) {
        await server.stop();
        throw e;
    }
    return { process: server, address: `127.0.0.1:${port}`, signing: keyPath !== undefined && keyPath !== "" };
}
