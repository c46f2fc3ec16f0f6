/**
 * Argo CD's controllers as local processes against the local control plane: Redis (Debian's
 * redis-server), the repo server, the application controller and the ApplicationSet controller,
 * all from the one pinned argocd binary (each answers by argv[0]). They read the configuration
 * the program installs in the cluster (argocd-cm, argocd-rbac-cm, the cluster and repository
 * Secrets), exactly as they would in pods.
 */
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { freePort } from "../engine/free-port";
import { ManagedProcess, startProcess } from "./managed-process";

export interface ArgoCdControllersOptions {
    binDir: string;
    kubeconfigPath: string;
    /** Namespace Argo CD's configuration and Applications live in. */
    namespace: string;
    dataDir: string;
    detached?: boolean;
    log?: (line: string) => void;
}

export interface ArgoCdControllers {
    processes: ManagedProcess[];
    version: string;
}

export async function startArgoCdControllers(options: ArgoCdControllersOptions): Promise<ArgoCdControllers> {
    const log = options.log ?? (() => undefined);
    const logs = path.join(options.dataDir, "logs");
    fs.mkdirSync(logs, { recursive: true });
    const bin = (name: string) => path.join(options.binDir, name);
    const processes: ManagedProcess[] = [];
    const redisPassword = crypto.randomBytes(18).toString("hex");
    const env: NodeJS.ProcessEnv = {
        KUBECONFIG: options.kubeconfigPath,
        // The controllers call the cluster they run in `https://kubernetes.default.svc`; the kubeconfig says where it is.
        ARGOCD_FAKE_IN_CLUSTER: "true",
        ARGOCD_GPG_ENABLED: "false",
        REDIS_PASSWORD: redisPassword,
        // helm and git for the repo server: the pinned helm first.
        PATH: `${options.binDir}:${process.env.PATH ?? ""}`,
        HOME: options.dataDir,
        TMPDIR: fs.mkdtempSync(path.join(options.dataDir, "tmp-")),
    };
    const start = (name: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
        const p = startProcess({ name, command: bin(name), args, logFile: path.join(logs, `${name}.log`), env: { ...env, ...extraEnv }, cwd: options.dataDir, detached: options.detached });
        processes.push(p);
        return p;
    };
    try {
        const [redisPort, repoPort, repoMetrics, ctrlMetrics, appsetMetrics, appsetProbe, appsetWebhook] = await Promise.all(Array.from({ length: 7 }, () => freePort()));
        const redisConf = path.join(options.dataDir, "redis.conf");
        fs.writeFileSync(redisConf, `bind 127.0.0.1\nport ${redisPort}\nsave ""\nappendonly no\nrequirepass ${redisPassword}\n`, { mode: 0o600 });
        const redis = start("redis-server", [redisConf]);
        await redis.waitFor(() => fs.readFileSync(redis.logFile, "utf8").includes("Ready to accept connections"), 30_000, "Redis to accept connections");
        const redisAddr = `127.0.0.1:${redisPort}`;
        const repoServer = start("argocd-repo-server", [
            `--redis=${redisAddr}`,
            "--address=127.0.0.1",
            `--port=${repoPort}`,
            "--metrics-address=127.0.0.1",
            `--metrics-port=${repoMetrics}`,
            "--disable-tls",
            "--client-ca-path=", // its default is a file in the pod; TLS is off on loopback
            "--loglevel=info",
        ]);
        await repoServer.waitForHttp(`http://127.0.0.1:${repoMetrics}/metrics`, 60_000);
        start("argocd-application-controller", [
            `--redis=${redisAddr}`,
            `--repo-server=127.0.0.1:${repoPort}`,
            "--repo-server-plaintext",
            `--metrics-port=${ctrlMetrics}`,
            `--namespace=${options.namespace}`,
            // Self-heal promptly: the loop measures how fast drift is corrected.
            "--self-heal-timeout-seconds=2",
            "--loglevel=info",
        ]);
        start("argocd-applicationset-controller", [
            `--metrics-addr=127.0.0.1:${appsetMetrics}`,
            `--probe-addr=127.0.0.1:${appsetProbe}`,
            `--webhook-addr=127.0.0.1:${appsetWebhook}`,
            `--argocd-repo-server=127.0.0.1:${repoPort}`,
            "--repo-server-plaintext",
            `--namespace=${options.namespace}`,
            "--enable-leader-election=false",
        ]);
        const version = await versionOf(bin("argocd"));
        log(`argocd: ${version} controllers running (Redis :${redisPort}, repo server :${repoPort})`);
        return { processes, version };
    } catch (e) {
        await Promise.all(processes.map((p) => p.stop()));
        throw new Error(`${(e as Error).message} (logs: ${logs})`);
    }
}

async function versionOf(argocd: string): Promise<string> {
    return execFileSync(argocd, ["version", "--client", "--short"], { encoding: "utf8" }).trim().replace(/^argocd: /, "");
}
