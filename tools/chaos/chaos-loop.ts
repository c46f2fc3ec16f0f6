/**
 * What a fault works on: the running local loop (its processes by name, the API server, the Git
 * repository Argo CD syncs from, the stack), and what every fault reports. The faults themselves are
 * in `<layer>-faults.ts`; `npm run chaos` and the e2e's fault steps run them on the same loop.
 */
import { CliResult, EngineWorkspace } from "../engine/pulumi-cli";
import { waitForApplication } from "../local-cluster/applications";
import { GitRepository } from "../local-cluster/git-repository";
import { Kubectl } from "../local-cluster/kubectl";
import { ManagedProcess, pollUntil, sleep } from "../local-cluster/managed-process";
import { NetworkProxy } from "../local-cluster/network-proxy";

export interface ChaosLoop {
    kubectl: Kubectl;
    /** Argo CD's namespace. */
    namespace: string;
    /** The Application the faults change through Git (synced straight from the branch), and its namespace. */
    app: string;
    appNamespace: string;
    /** The repository Argo CD syncs from; commits land on its branch. */
    git: GitRepository;
    /** Toxiproxy between Argo CD and the Git server: latency on demand. */
    gitProxy: NetworkProxy;
    /** A process of the loop by name (`argocd-application-controller`, `etcd`, `lighttpd`, ...). */
    process(name: string): ManagedProcess;
    /** The loop's stack: its backend, `--stack`/`--config-file`, and the policy pack's arguments of an update. */
    stack: { ws: EngineWorkspace; stackArgs: string[]; policyArgs: string[] };
    /** `pulumi <args>` as given, its output kept with the run's; `onSpawn` gets the CLI's pid, which leads its process group. */
    pulumi(args: string[], options?: { env?: NodeJS.ProcessEnv; onOutput?: (text: string) => void; onSpawn?: (pid: number) => void }): Promise<CliResult>;
    log(line: string): void;
}

/** What one fault did to the loop, as `npm run chaos` and the e2e report it. */
export interface FaultReport {
    fault: string;
    /** Seconds from the fault cleared (the process back, the server answering) to the loop converged. */
    convergedSeconds: number;
    /** What a user saw meanwhile: Application conditions and messages, CLI messages. */
    seen: string[];
    /** What was checked for loss once converged. */
    checked: string[];
}

export const VALUES_FILE = "charts/hello-service/values-dev.yaml";

/** Commits a new UI message for the Application (its ConfigMap, and so its Deployment's pods), then asks Argo CD to refresh as a Git webhook would. */
export async function commitMessage(loop: ChaosLoop, why: string, options: { refresh?: boolean } = {}): Promise<{ commit: string; message: string }> {
    const message = `${why} ${Date.now()}`;
    const commit = loop.git.commitChange(VALUES_FILE, (text) => text.replace(/PODINFO_UI_MESSAGE: .*/, `PODINFO_UI_MESSAGE: "${message}"`), `chaos: ${why}`);
    if (options.refresh !== false) await refresh(loop);
    return { commit, message };
}

export async function refresh(loop: ChaosLoop): Promise<void> {
    await loop.kubectl.run(["annotate", "applications.argoproj.io", loop.app, "-n", loop.namespace, "--overwrite", "argocd.argoproj.io/refresh=hard"], { allowFail: true });
}

/** The live UI message, or undefined while it cannot be read. */
export async function liveMessage(loop: ChaosLoop): Promise<string | undefined> {
    try {
        return (await loop.kubectl.get<{ data: Record<string, string> }>(["configmap", loop.app, "-n", loop.appNamespace]))?.data.PODINFO_UI_MESSAGE;
    } catch {
        return undefined;
    }
}

/**
 * Converged on a commit: the Application Synced at it and Healthy with no operation left running,
 * the ConfigMap holding its message and the Deployment rolled out to it. Returns what was checked.
 */
export async function convergedOn(loop: ChaosLoop, change: { commit: string; message: string }, timeoutMs = 300_000): Promise<string[]> {
    const started = Date.now();
    const status = await waitForApplication(loop.kubectl, loop.namespace, loop.app, (s) => s.sync === "Synced" && s.health === "Healthy" && s.revision === change.commit, timeoutMs);
    loop.log(`${loop.app} Synced and Healthy at ${change.commit.slice(0, 12)} after ${secondsSince(started)} s`);
    await pollUntil(async () => (await liveMessage(loop)) === change.message, 60_000, `the ConfigMap to hold "${change.message}"`);
    const app = await loop.kubectl.get<{ status?: { operationState?: { phase?: string; syncResult?: { revision?: string } } } }>(["applications.argoproj.io", loop.app, "-n", loop.namespace]);
    const op = app?.status?.operationState;
    if (op?.phase === "Running") throw new Error(`${loop.app} is Synced but an operation is still Running`);
    await loop.kubectl.run(["rollout", "status", `deployment/${loop.app}`, "-n", loop.appNamespace, "--timeout=120s"]);
    return [
        `${loop.app} Synced and Healthy at ${status.revision.slice(0, 12)}, last operation ${op?.phase ?? "none"} at ${op?.syncResult?.revision?.slice(0, 12) ?? "-"}`,
        "its ConfigMap holds the commit's message and its Deployment rolled out",
    ];
}

/**
 * Samples, until stopped, what a user would see of the loop: each Application's conditions and
 * last operation message, and kubectl's own error while the API server does not answer.
 */
export function watchLoop(loop: ChaosLoop): { stop(): Promise<string[]> } {
    const seen = new Set<string>();
    let running = true;
    const sampling = (async () => {
        while (running) {
            try {
                const list = await loop.kubectl.get<{ items: { metadata: { name: string }; status?: { conditions?: { type: string; message: string }[]; operationState?: { phase?: string; message?: string } } }[] }>(["applications.argoproj.io", "-n", loop.namespace, "--request-timeout=5s"]);
                for (const a of list?.items ?? []) {
                    for (const c of a.status?.conditions ?? []) seen.add(`${a.metadata.name}: ${c.type}: ${oneLine(c.message)}`);
                    const op = a.status?.operationState;
                    if (op?.phase && op.phase !== "Succeeded") seen.add(`${a.metadata.name}: operation ${op.phase}: ${oneLine(op.message ?? "")}`);
                }
            } catch (e) {
                // kubectl's last line is the one a user reads ("The connection to the server ... was refused").
                const lines = (e as Error).message.split("\n").filter((l) => l.trim());
                seen.add(`kubectl: ${oneLine(lines[lines.length - 1].replace(/^kubectl get [^:]*: /, ""))}`);
            }
            await sleep(1000);
        }
    })();
    return {
        async stop() {
            running = false;
            await sampling;
            // The generated Applications' charts are on the internet: that condition is always there.
            return [...seen].filter((s) => !/dial tcp: lookup|no such host|i\/o timeout.*:443|error fetching chart|failed to fetch chart|failed to pull OCI chart/.test(s)).slice(0, 12);
        },
    };
}

function oneLine(text: string): string {
    return text.replace(/\s+/g, " ").trim().slice(0, 220);
}

/** Seconds since `started` (a `Date.now()`), to a tenth. */
export function secondsSince(started: number): number {
    return Math.round((Date.now() - started) / 100) / 10;
}
