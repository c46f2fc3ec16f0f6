/**
 * Pulumi failing mid-update: `pulumi up` SIGKILLed while it updates the local stack (recovered by
 * tools/engine/recover.ts, as `npm run recover` does), and bad timing: two updates of one stack at
 * once, with a commit landing in Git while Pulumi updates the Argo CD install.
 *
 * Both change the commit label every resource carries (`GITHUB_SHA`, as CI sets it): an update that
 * touches the whole stack, Argo CD's install included.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import { recoverAndUpdate } from "../engine/recover";
import { readBackStaleRecords } from "../engine/stale-records";
import { exportState } from "../engine/state-export";
import { CliResult } from "../engine/pulumi-cli";
import { ChaosLoop, commitMessage, convergedOn, FaultReport, secondsSince, watchLoop } from "./chaos-loop";

interface LiveObject {
    metadata: { uid: string; name: string; namespace?: string; labels?: Record<string, string>; managedFields?: { manager: string; operation?: string; time?: string }[] };
}

/** A commit label no update used before. */
function newCommitLabel(): string {
    return crypto.randomBytes(20).toString("hex");
}

function update(loop: ChaosLoop, commit: string, options: { onOutput?: (text: string) => void; onSpawn?: (pid: number) => void } = {}): Promise<CliResult> {
    return loop.pulumi(["up", "--yes", ...loop.stack.stackArgs, ...loop.stack.policyArgs], { env: { GITHUB_SHA: commit }, ...options });
}

/** Every process below `pid` (from /proc), whatever its process group. */
function descendants(pid: number): { pid: number; command: string }[] {
    const children = new Map<number, number[]>();
    for (const entry of fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
        try {
            // The fields after the command's closing parenthesis: state, ppid, ...
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
        } catch {
            // gone meanwhile
        }
    }
    const found: { pid: number; command: string }[] = [];
    const queue = [...(children.get(pid) ?? [])];
    while (queue.length > 0) {
        const next = queue.shift()!;
        let command = "";
        try {
            command = fs.readFileSync(`/proc/${next}/cmdline`, "utf8").split("\0").slice(0, 2).join(" ");
        } catch {
            continue;
        }
        found.push({ pid: next, command });
        queue.push(...(children.get(next) ?? []));
    }
    return found;
}

/** Alive and not a zombie waiting for its parent (init, here) to reap it. */
function runs(pid: number): boolean {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
    } catch {
        return false;
    }
}

function firstLines(r: CliResult): string {
    return `${r.stderr}\n${r.stdout}`.split("\n").map((l) => l.trim()).filter((l) => /error|lock|pending/i.test(l)).slice(0, 2).join(" / ").slice(0, 300);
}

/** A kind as kubectl takes it, its API group included (`deployment.apps`, `configmap`). */
function kubectlKind(apiVersion: string, kind: string): string {
    return `${kind.toLowerCase()}${apiVersion.includes("/") ? `.${apiVersion.split("/")[0]}` : ""}`;
}

/**
 * The stack against the cluster: each resource once in the state, every Kubernetes object of the
 * state live with the state's UID, and no object written by Pulumi that the state does not hold.
 */
async function stateMatchesCluster(loop: ChaosLoop): Promise<string[]> {
    const stack = loop.stack.stackArgs[loop.stack.stackArgs.indexOf("--stack") + 1];
    const { deployment } = await exportState((args) => loop.pulumi(args), stack);
    if (!deployment?.resources) throw new Error(`the exported state of ${stack} holds no resources`);
    const resources = deployment.resources;
    const pending = deployment.pending_operations ?? [];
    const urns = resources.map((r) => r.urn);
    const twice = urns.filter((u, i) => urns.indexOf(u) !== i);
    if (twice.length > 0) throw new Error(`resources twice in the state: ${twice.join(", ")}`);
    if (pending.length > 0) throw new Error(`the state still has ${pending.length} pending operations`);
    const objects = resources.filter((r) => r.type.startsWith("kubernetes:") && r.outputs?.metadata?.uid && r.outputs.kind);
    const inState = new Set(objects.map((r) => r.outputs!.metadata!.uid!));
    const kinds = [...new Set(objects.map((r) => kubectlKind(r.outputs!.apiVersion!, r.outputs!.kind!)))];
    const missing: string[] = [];
    const orphans: string[] = [];
    let live = 0;
    for (const kind of kinds) {
        const list = await loop.kubectl.get<{ items: LiveObject[] }>([kind, "-A", "--show-managed-fields"]);
        const uids = new Set((list?.items ?? []).map((o) => o.metadata.uid));
        for (const r of objects.filter((o) => kubectlKind(o.outputs!.apiVersion!, o.outputs!.kind!) === kind)) {
            if (!uids.has(r.outputs!.metadata!.uid!)) missing.push(`${kind} ${r.outputs!.metadata!.namespace ?? ""}/${r.outputs!.metadata!.name}`);
            else live++;
        }
        for (const o of list?.items ?? []) {
            if (o.metadata.managedFields?.some((m) => m.manager.startsWith("pulumi-kubernetes")) && !inState.has(o.metadata.uid)) orphans.push(`${kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`);
        }
    }
    if (missing.length > 0) throw new Error(`in the state but not in the cluster (with that UID): ${missing.join(", ")}`);
    if (orphans.length > 0) throw new Error(`written by Pulumi but not in the state (orphaned): ${orphans.join(", ")}`);
    return [`${urns.length} resources in the state, each once, no pending operation`, `all ${live} Kubernetes objects of the state live with the state's UID; none written by Pulumi outside it (${kinds.length} kinds listed)`];
}

async function previewIsEmpty(loop: ChaosLoop, commit: string): Promise<string> {
    const preview = await loop.pulumi(["preview", "--expect-no-changes", "--diff", ...loop.stack.stackArgs], { env: { GITHUB_SHA: commit } });
    if (preview.code !== 0) {
        // Who last wrote each object the preview would change: the managers in its managedFields.
        const writers: string[] = [];
        for (const m of preview.stdout.matchAll(/~ kubernetes:([^:]+):(\w+): \(update\)\s+\[id=([^\]]+)\]/g)) {
            const [, apiVersion, kind, id] = m;
            const [namespace, name] = id.includes("/") ? id.split("/") : [undefined, id];
            const live = await loop.kubectl.get<LiveObject>([kubectlKind(apiVersion, kind), name, ...(namespace ? ["-n", namespace] : []), "--show-managed-fields"]);
            writers.push(`${kind} ${id}: labels ${JSON.stringify(live?.metadata.labels ?? {})}; managers ${(live?.metadata.managedFields ?? []).map((f) => `${f.manager} ${f.operation} ${f.time}`).join(", ")}`);
        }
        throw new Error(`the preview after recovery is not empty:\n${preview.stdout.split("\n").slice(-60).join("\n")}\n${preview.stderr}\nlive:\n${writers.join("\n")}`);
    }
    return "a following pulumi preview --expect-no-changes passes";
}

/** SIGKILL to the CLI's whole process group a moment after it starts updating resources. */
export async function pulumiUpKilledMidUpdate(loop: ChaosLoop): Promise<FaultReport> {
    const commit = newCommitLabel();
    let updating = 0;
    let pid = 0;
    let killed = false;
    let below: { pid: number; command: string }[] = [];
    const killed$ = update(loop, commit, {
        onSpawn: (p) => (pid = p),
        onOutput: (text) => {
            // A resource's own line (` ~  kubernetes:apps/v1:Deployment ... updating (0s)`), not the progress line `@ updating....`.
            updating += (text.match(/^ ~ {2}\S+ .* updating \(/gm) ?? []).length;
            // A few resources in flight: the provider is waiting on them when the CLI dies.
            if (updating >= 3 && !killed) {
                killed = true;
                below = descendants(pid);
                process.kill(-pid, "SIGKILL");
            }
        },
    });
    const interrupted = await killed$;
    if (!killed) throw new Error(`pulumi up ended (exit ${interrupted.code}) before it updated 3 resources: the fault was not injected\n${interrupted.stdout.split("\n").slice(-30).join("\n")}\n${interrupted.stderr}`);
    const seen: string[] = [];
    // Plugins the CLI starts in process groups of their own outlive it: named, then stopped, so the loop leaks nothing.
    await new Promise((r) => setTimeout(r, 1000));
    const survivors = below.filter((p) => runs(p.pid));
    if (survivors.length > 0) seen.push(`outlived the killed CLI (own process groups): ${survivors.map((p) => p.command.replace(/^\S*\//, "")).join(", ")}`);
    for (const p of survivors) process.kill(p.pid, "SIGKILL");
    const retry = await update(loop, commit);
    if (retry.code === 0) throw new Error("pulumi up after the kill went through: the killed update left no lock, so nothing was interrupted");
    seen.push(`pulumi up right after: ${firstLines(retry)}`);
    const started = Date.now();
    const recovery = await recoverAndUpdate(loop.stack.ws, loop.stack.stackArgs, () => update(loop, commit), (args) => loop.pulumi(args, { env: { GITHUB_SHA: commit } }));
    if (recovery.staleLocks.length === 0) throw new Error("recovery found no stale lock, yet pulumi up was refused");
    const convergedSeconds = secondsSince(started);
    seen.push(`recovery: ${recovery.staleLocks.length} stale lock (pid ${recovery.staleLocks[0].pid}), ${recovery.pendingOperations.length} pending operations (${[...new Set(recovery.pendingOperations.map((o) => o.type))].join(", ") || "none"}), ${recovery.staleRecords.length} objects recorded before their update; ran ${recovery.commands.map((c) => c.split(" ").slice(0, 2).join(" ")).join(", ")}`);
    return {
        fault: "pulumi up SIGKILLed while it updates the stack (three resources in flight)",
        convergedSeconds,
        seen,
        checked: [...(await stateMatchesCluster(loop)), await previewIsEmpty(loop, commit)],
    };
}

/**
 * Two `pulumi up` of the stack at once: the second is refused by the lock, clearly, and the first
 * completes. Meanwhile a commit lands in Git while Pulumi updates Argo CD's install: Argo CD still
 * syncs it.
 */
export async function twoUpdatesAndACommitAtOnce(loop: ChaosLoop): Promise<FaultReport> {
    const commit = newCommitLabel();
    let started!: () => void;
    const updating = new Promise<void>((resolve) => (started = resolve));
    const watch = watchLoop(loop);
    const first$ = update(loop, commit, { onOutput: (text) => /^ ~ {2}\S+ .* updating \(/m.test(text) && started() });
    const raced = await Promise.race([updating.then(() => undefined), first$]);
    if (raced) throw new Error(`the first pulumi up ended (exit ${raced.code}) before it updated anything`);
    const [second, change] = await Promise.all([update(loop, commit), commitMessage(loop, "a commit while Pulumi updates Argo CD")]);
    if (second.code === 0 || !/locked/.test(second.stderr + second.stdout)) throw new Error(`the second pulumi up was not refused by the lock (exit ${second.code}):\n${second.stderr}`);
    const first = await first$;
    if (first.code !== 0) throw new Error(`the first pulumi up failed:\n${first.stdout.split("\n").slice(-25).join("\n")}\n${first.stderr}`);
    const cleared = Date.now();
    const checked = await convergedOn(loop, change);
    // Under this load the provider's rollout wait may record a relabelled Deployment as it was (tools/engine/stale-records.ts).
    const stale = await readBackStaleRecords((args) => loop.pulumi(args, { env: { GITHUB_SHA: commit } }), loop.stack.stackArgs);
    return {
        fault: "two pulumi up of the stack at once, and a commit landing while Pulumi updates Argo CD's install",
        convergedSeconds: secondsSince(cleared),
        seen: [`the second pulumi up: ${firstLines(second)}`, `objects the first recorded as they were before it, read back: ${stale.map((s) => `${s.urn.split("::").pop()} (${s.differences[0]})`).join(", ") || "none"}`, ...(await watch.stop())],
        checked: [`the first pulumi up completed (${first.seconds.toFixed(1)} s)`, ...checked, ...(await stateMatchesCluster(loop)), await previewIsEmpty(loop, commit)],
    };
}
