/**
 * Argo CD's controllers as local processes against the local control plane: Redis (Debian's
 * redis-server), the repo server, the application controller and the ApplicationSet controller,
 * all from the one pinned argocd binary (each answers by argv[0]), the commit server when Argo CD's
 * settings turn the source hydrator on (argocd-commit-server.ts), and on request the API server
 * (argocd-server.ts) for the `argocd` CLI. They read the configuration the program installs in the
 * cluster (argocd-cm, argocd-rbac-cm, the cluster and repository Secrets) exactly as they would in
 * pods; what pods get as files (the trusted GnuPG keys, the repositories' certificates) is written
 * to folders first (pod-volumes.ts), and what they get as environment from argocd-cmd-params-cm is
 * passed the same way.
 */
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { freePort } from "../engine/free-port";
import { CommitServer, startCommitServer } from "./argocd-commit-server";
import { startNotificationsController } from "./argocd-notifications";
import { ArgoCdServer, startArgoCdServer } from "./argocd-server";
import { Kubectl } from "./kubectl";
import { ManagedProcess, startProcess } from "./managed-process";
import { localPodPath, mountVolume } from "./pod-volumes";

export interface ArgoCdControllersOptions {
    binDir: string;
    kubeconfigPath: string;
    /** Namespace Argo CD's configuration and Applications live in. */
    namespace: string;
    dataDir: string;
    detached?: boolean;
    log?: (line: string) => void;
    /**
     * Application controllers, each owning a share of the clusters (Argo CD's sharding; round-robin
     * assignment). Default 1, which owns every cluster.
     */
    shards?: number;
    /**
     * Also run the API server (`argocd-server`, TLS on loopback) for the `argocd` CLI. Default false
     * (the controllers alone reconcile).
     */
    apiServer?: boolean;
    /**
     * Certificates of HTTPS servers to trust (Git servers, webhooks), by host name
     * (argocd-tls-certs-cm's keys in a cluster). Default none.
     */
    trustedCertificates?: { host: string; certificateFile: string }[];
    /**
     * Also run the notifications controller, trusting these certificates (the audit webhook's).
     * Default: not run.
     */
    notifications?: { trustedCertificates: string[] };
}

export interface ArgoCdControllers {
    processes: ManagedProcess[];
    version: string;
    /** Each application controller shard's Prometheus metrics URL, shard 0 first. */
    shardMetrics: string[];
    /** The API server, when asked for. */
    server?: ArgoCdServer;
    /** The commit server, when the hydrator is on. */
    commitServer?: CommitServer;
}

export async function startArgoCdControllers(options: ArgoCdControllersOptions): Promise<ArgoCdControllers> {
    const log = options.log ?? (() => undefined);
    const logs = path.join(options.dataDir, "logs");
    fs.mkdirSync(logs, { recursive: true });
    const bin = (name: string) => path.join(options.binDir, name);
    const processes: ManagedProcess[] = [];
    const redisPassword = crypto.randomBytes(18).toString("hex");
    const kubectl = new Kubectl(bin("kubectl"), options.kubeconfigPath);
    const params = (await kubectl.get<{ data?: Record<string, string> }>(["configmap", "argocd-cmd-params-cm", "-n", options.namespace]))?.data ?? {};
    // The volumes of Argo CD's pods: the trusted keys (argocd-gpg-keys-cm) and the Git servers' certificates.
    const gpgSource = localPodPath(options.dataDir, "/app/config/gpg/source");
    await mountVolume(kubectl, "configmap", options.namespace, "argocd-gpg-keys-cm", gpgSource);
    const tlsData = localPodPath(options.dataDir, "/app/config/tls");
    fs.mkdirSync(tlsData, { recursive: true, mode: 0o700 });
    // One file per host, every certificate trusted for it (argocd-tls-certs-cm's layout): the Git
    // server and the audit webhook are both 127.0.0.1 here.
    const byHost = new Map<string, string[]>();
    for (const c of options.trustedCertificates ?? []) byHost.set(c.host, [...(byHost.get(c.host) ?? []), fs.readFileSync(c.certificateFile, "utf8")]);
    for (const [host, pems] of byHost) fs.writeFileSync(path.join(tlsData, host), pems.join("\n"));
    const env: NodeJS.ProcessEnv = {
        KUBECONFIG: options.kubeconfigPath,
        // The controllers call the cluster they run in `https://kubernetes.default.svc`; the kubeconfig says where it is.
        ARGOCD_FAKE_IN_CLUSTER: "true",
        ARGOCD_GPG_DATA_PATH: gpgSource,
        ARGOCD_TLS_DATA_PATH: tlsData,
        REDIS_PASSWORD: redisPassword,
        // helm and git for the repo server: the pinned helm first.
        PATH: `${options.binDir}:${process.env.PATH ?? ""}`,
        HOME: options.dataDir,
        TMPDIR: fs.mkdtempSync(path.join(options.dataDir, "tmp-")),
    };
    const start = (name: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}, command = name) => {
        const p = startProcess({ name, command: bin(command), args, logFile: path.join(logs, `${name}.log`), env: { ...env, ...extraEnv }, cwd: options.dataDir, detached: options.detached });
        processes.push(p);
        return p;
    };
    try {
        const [redisPort, repoPort, repoMetrics, appsetMetrics, appsetProbe, appsetWebhook] = await Promise.all(Array.from({ length: 6 }, () => freePort()));
        const redisConf = path.join(options.dataDir, "redis.conf");
        fs.writeFileSync(redisConf, `bind 127.0.0.1\nport ${redisPort}\nsave ""\nappendonly no\nrequirepass ${redisPassword}\n`, { mode: 0o600 });
        const redis = start("redis-server", [redisConf]);
        await redis.waitFor(() => fs.readFileSync(redis.logFile, "utf8").includes("Ready to accept connections"), 30_000, "Redis to accept connections");
        const redisAddr = `127.0.0.1:${redisPort}`;
        // Each component keeps its own keyring, as each pod does (an emptyDir there: it must exist).
        const keyring = (component: string) => {
            const dir = path.join(options.dataDir, `gnupg-${component}`);
            fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
            return dir;
        };
        const repoServer = start("argocd-repo-server", [
            `--redis=${redisAddr}`,
            "--address=127.0.0.1",
            `--port=${repoPort}`,
            "--metrics-address=127.0.0.1",
            `--metrics-port=${repoMetrics}`,
            "--disable-tls",
            "--client-ca-path=", // its default is a file in the pod; TLS is off on loopback
            "--loglevel=info",
        ], { ARGOCD_GNUPGHOME: keyring("repo-server"), ARGOCD_ASK_PASS_SOCK: askPassSocket(options.dataDir) });
        await repoServer.waitForHttp(`http://127.0.0.1:${repoMetrics}/metrics`, 60_000);
        const hydrator = params["hydrator.enabled"] === "true";
        const commitServer = hydrator
            ? await startCommitServer({ binDir: options.binDir, kubectl, namespace: options.namespace, dataDir: options.dataDir, logFile: path.join(logs, "argocd-commit-server.log"), env, params, detached: options.detached })
            : undefined;
        if (commitServer) processes.push(commitServer.process);
        const shards = options.shards ?? 1;
        const ctrlMetrics = await Promise.all(Array.from({ length: shards }, () => freePort()));
        for (let shard = 0; shard < shards; shard++) {
            // In a pod the shard number comes from the StatefulSet's ordinal; here it is said outright.
            const sharding = shards > 1 ? { ARGOCD_CONTROLLER_REPLICAS: String(shards), ARGOCD_CONTROLLER_SHARD: String(shard) } : {};
            start(
                shards > 1 ? `argocd-application-controller-${shard}` : "argocd-application-controller",
                [
                    `--redis=${redisAddr}`,
                    `--repo-server=127.0.0.1:${repoPort}`,
                    "--repo-server-plaintext",
                    `--metrics-port=${ctrlMetrics[shard]}`,
                    `--namespace=${options.namespace}`,
                    // Self-heal promptly: the loop measures how fast drift is corrected.
                    "--self-heal-timeout-seconds=2",
                    ...(shards > 1 ? ["--sharding-method=round-robin"] : []),
                    ...(commitServer ? [`--commit-server=${commitServer.address}`] : []),
                    "--loglevel=info",
                ],
                { ...sharding, ...(hydrator ? { ARGOCD_HYDRATOR_ENABLED: "true" } : {}) },
                "argocd-application-controller",
            );
        }
        start("argocd-applicationset-controller", [
            `--metrics-addr=127.0.0.1:${appsetMetrics}`,
            `--probe-addr=127.0.0.1:${appsetProbe}`,
            `--webhook-addr=127.0.0.1:${appsetWebhook}`,
            `--argocd-repo-server=127.0.0.1:${repoPort}`,
            "--repo-server-plaintext",
            `--namespace=${options.namespace}`,
            "--enable-leader-election=false",
            // As the stacks' Argo CD (argocd.ts' values): ApplicationSets with a rollout sync in waves.
            "--enable-progressive-syncs",
        ]);
        if (options.notifications) {
            const notifications = await startNotificationsController({
                binDir: options.binDir,
                kubeconfigPath: options.kubeconfigPath,
                namespace: options.namespace,
                dataDir: options.dataDir,
                env,
                logFile: path.join(logs, "argocd-notifications.log"),
                trustedCertificates: options.notifications.trustedCertificates,
                repoServer: `127.0.0.1:${repoPort}`,
                detached: options.detached,
            });
            processes.push(notifications.process);
        }
        let server: ArgoCdServer | undefined;
        if (options.apiServer) {
            server = await startArgoCdServer({
                binDir: options.binDir,
                kubectl,
                namespace: options.namespace,
                dataDir: options.dataDir,
                logFile: path.join(logs, "argocd-server.log"),
                env: { ...env, ARGOCD_GNUPGHOME: keyring("server") },
                redis: redisAddr,
                repoServer: `127.0.0.1:${repoPort}`,
                detached: options.detached,
            });
            processes.push(server.process);
        }
        const version = await versionOf(bin("argocd"));
        log(`argocd: ${version} controllers running (Redis :${redisPort}, repo server :${repoPort}, ${shards} application controller shard${shards > 1 ? "s" : ""})${commitServer ? `, commit server :${commitServer.address.split(":")[1]}${commitServer.signing ? " (signing)" : ""}` : ""}${server ? `, API server https://${server.address}` : ""}`);
        return { processes, version, shardMetrics: ctrlMetrics.map((port) => `http://127.0.0.1:${port}/metrics`), server, commitServer };
    } catch (e) {
        await Promise.all(processes.map((p) => p.stop()));
        throw new Error(`${(e as Error).message} (logs: ${logs})`);
    }
}

async function versionOf(argocd: string): Promise<string> {
    return execFileSync(argocd, ["version", "--client", "--short"], { encoding: "utf8" }).trim().replace(/^argocd: /, "");
}

/**
 * Where the repo server hands git its credentials (a Unix socket). Argo CD's default is one path for
 * the whole host, /tmp/reposerver-ask-pass.sock, that every repo server starting takes over: a second
 * loop on the machine would leave the first one's git with no credentials ("failed to authenticate").
 * One per loop, short enough for a socket's 108 bytes.
 */
export function askPassSocket(dataDir: string): string {
    const inData = path.join(dataDir, "askpass.sock");
    return inData.length < 100 ? inData : path.join(fs.mkdtempSync(path.join(os.tmpdir(), "askpass-")), "s.sock");
}
