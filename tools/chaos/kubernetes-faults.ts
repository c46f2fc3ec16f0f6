/**
 * The control plane failing under Argo CD: kube-apiserver restarted during a sync, etcd stopped for
 * a while and started again on the same data. Nothing stored may be lost, and the loop converges alone.
 */
import { pollUntil, sleep } from "../local-cluster/managed-process";
import { ChaosLoop, commitMessage, convergedOn, FaultReport, liveMessage, secondsSince, watchLoop } from "./chaos-loop";

/** The kinds whose objects must outlive the fault with their UIDs (Pods and ReplicaSets change with rollouts). */
const KEPT_KINDS = ["configmaps", "services", "deployments", "serviceaccounts"];

/** Every kept object's UID, by kind/namespace/name, in the Application's namespace and Argo CD's Applications. */
async function inventory(loop: ChaosLoop): Promise<Map<string, string>> {
    const uids = new Map<string, string>();
    const add = (items: { kind: string; metadata: { namespace?: string; name: string; uid: string } }[]) => items.forEach((o) => uids.set(`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, o.metadata.uid));
    add((await loop.kubectl.get<{ items: never[] }>([KEPT_KINDS.join(","), "-n", loop.appNamespace]))?.items ?? []);
    add((await loop.kubectl.get<{ items: never[] }>(["applications.argoproj.io,appprojects.argoproj.io,applicationsets.argoproj.io", "-n", loop.namespace]))?.items ?? []);
    return uids;
}

/** The fault is cleared once the API server says it is ready (on etcd again, for etcd's). */
function apiServerReady(loop: ChaosLoop): Promise<void> {
    return pollUntil(async () => (await loop.kubectl.run(["get", "--raw=/readyz"], { allowFail: true })).code === 0, 120_000, "kube-apiserver to be ready again");
}

function lost(before: Map<string, string>, after: Map<string, string>): string[] {
    return [...before].filter(([key, uid]) => after.get(key) !== uid).map(([key]) => key);
}

/** Once the API server answers again: the loop converged on `change` alone, and every object of `before` on its UID. */
async function convergedKeeping(loop: ChaosLoop, change: { commit: string; message: string }, before: Map<string, string>): Promise<{ convergedSeconds: number; checked: string[] }> {
    await apiServerReady(loop);
    const cleared = Date.now();
    const checked = await convergedOn(loop, change);
    const convergedSeconds = secondsSince(cleared);
    const missing = lost(before, await inventory(loop));
    if (missing.length > 0) throw new Error(`objects lost or made again: ${missing.join(", ")}`);
    return { convergedSeconds, checked: [...checked, `${before.size} objects kept their UIDs`] };
}

/** kube-apiserver stopped (SIGTERM) and started again while a sync applies its waves. */
export async function apiServerRestartedDuringSync(loop: ChaosLoop): Promise<FaultReport> {
    const api = loop.process("kube-apiserver");
    const before = await inventory(loop);
    const change = await commitMessage(loop, "kube-apiserver restarted during a sync");
    await pollUntil(async () => (await liveMessage(loop)) === change.message, 180_000, "the sync to begin (its ConfigMap applied)");
    const watch = watchLoop(loop);
    await api.restart();
    const { convergedSeconds, checked } = await convergedKeeping(loop, change, before);
    return { fault: "kube-apiserver restarted while a sync applies", convergedSeconds, seen: await watch.stop(), checked };
}

/** etcd stopped (SIGTERM) for `downMs`, a commit landing meanwhile, then started on the same data. */
export async function etcdStoppedForAWhile(loop: ChaosLoop, downMs = 15_000): Promise<FaultReport> {
    const etcd = loop.process("etcd");
    const before = await inventory(loop);
    const watch = watchLoop(loop);
    await etcd.stop();
    const change = await commitMessage(loop, "a commit while etcd is down", { refresh: false });
    await sleep(downMs);
    await etcd.restart();
    // No refresh: the push's webhook could not reach a cluster without etcd; Argo CD finds the commit alone.
    const { convergedSeconds, checked } = await convergedKeeping(loop, change, before);
    return { fault: `etcd stopped for ${downMs / 1000} s (a commit landing meanwhile), then started on the same data`, convergedSeconds, seen: await watch.stop(), checked };
}
