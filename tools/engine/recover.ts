/**
 * Recovery of an update that died (SIGKILL, a lost machine) before it could clean up: its lock is
 * left in the file backend, and the state may hold pending operations (resources Pulumi was
 * changing when it died). Pulumi's own steps, run for the user: `pulumi cancel` for a lock whose
 * process is gone from this machine, then `pulumi refresh`, which reads every resource back and so
 * settles pending updates and deletes (a pending create of a Kubernetes object is imported by its
 * namespace/name, the provider's id, since the object may well exist); then the update again, and
 * the objects it recorded as they were before it read back (tools/engine/stale-records.ts: the
 * Kubernetes provider's rollout wait can end on an event older than a label-only update; the
 * update after a kill relabels every object it had not reached).
 * A lock held by a process that still runs is never removed.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { isAlive } from "../local-cluster/managed-process";
import { CliResult, EngineWorkspace, runPulumi } from "./pulumi-cli";
import { readBackStaleRecords, StaleRecord } from "./stale-records";
import { exportState } from "./state-export";

export interface StaleLock {
    file: string;
    pid: number;
    hostname: string;
    timestamp: string;
}

export interface PendingOperation {
    type: string;
    urn: string;
    /** The provider's id, when Pulumi can know it (a Kubernetes object's `namespace/name`). */
    id?: string;
}

export interface Recovery {
    /** Locks removed: their process was gone. */
    staleLocks: StaleLock[];
    pendingOperations: PendingOperation[];
    /** Objects the update after the recovery recorded as they were before it (read back since). */
    staleRecords: StaleRecord[];
    /** The commands run, in order. */
    commands: string[];
}

/**
 * The whole recovery: the lock and pending operations settled, the update run again by `update`,
 * then the objects it recorded before their update read back.
 */
export async function recoverAndUpdate(ws: EngineWorkspace, stackArgs: string[], update: () => Promise<CliResult>, run: (args: string[]) => Promise<CliResult> = (args) => runPulumi(ws, args)): Promise<Recovery> {
    const recovery = await recoverInterruptedUpdate(ws, stackArgs, run);
    recovery.commands.push("pulumi up");
    const up = await update();
    if (up.code !== 0) throw new RecoveryError(`pulumi up after the recovery failed:\n${up.stderr.trim() || up.stdout.split("\n").slice(-25).join("\n")}`);
    recovery.commands.push(`pulumi stack export --stack ${stackArgs[stackArgs.indexOf("--stack") + 1]}`);
    recovery.staleRecords = await recovering(() => readBackStaleRecords(run, stackArgs));
    if (recovery.staleRecords.length > 0) recovery.commands.push(`pulumi refresh --target (${recovery.staleRecords.length} objects recorded before their update)`);
    return recovery;
}

/** A step's failure as a RecoveryError, which the CLI reports without a stack trace. */
async function recovering<T>(step: () => Promise<T>): Promise<T> {
    try {
        return await step();
    } catch (e) {
        throw e instanceof RecoveryError ? e : new RecoveryError((e as Error).message);
    }
}

export class RecoveryError extends Error {}

/** The stack's locks in a file backend (`<backend>/.pulumi/locks/.../<stack>/<uuid>.json`). */
export function stackLocks(backendDir: string, stack: string): StaleLock[] {
    const root = path.join(backendDir, ".pulumi", "locks");
    if (!fs.existsSync(root)) return [];
    const files = (fs.readdirSync(root, { recursive: true }) as string[]).map((f) => path.join(root, f)).filter((f) => f.endsWith(".json") && path.basename(path.dirname(f)) === stack);
    return files.map((file) => {
        try {
            const lock = JSON.parse(fs.readFileSync(file, "utf8")) as { pid: number; hostname: string; timestamp: string };
            return { file, pid: lock.pid, hostname: lock.hostname, timestamp: lock.timestamp };
        } catch (e) {
            throw new RecoveryError(`${file}: not a lock Pulumi wrote (${(e as Error).message})`);
        }
    });
}

/** Makes the stack updatable again after an interrupted update; says what it did. */
export async function recoverInterruptedUpdate(ws: EngineWorkspace, stackArgs: string[], run: (args: string[]) => Promise<CliResult> = (args) => runPulumi(ws, args)): Promise<Recovery> {
    const stack = stackArgs[stackArgs.indexOf("--stack") + 1];
    const recovery: Recovery = { staleLocks: [], pendingOperations: [], staleRecords: [], commands: [] };
    const must = async (args: string[]) => {
        recovery.commands.push(`pulumi ${args.join(" ")}`);
        const r = await run(args);
        if (r.code !== 0) throw new RecoveryError(`pulumi ${args.join(" ")} failed:\n${r.stderr.trim() || r.stdout.split("\n").slice(-15).join("\n")}`);
        return r;
    };
    for (const lock of stackLocks(ws.backendDir, stack)) {
        if (lock.hostname !== os.hostname()) throw new RecoveryError(`${lock.file}: stack ${stack} is locked from ${lock.hostname} (pid ${lock.pid}, since ${lock.timestamp}); whether that update still runs cannot be told from here`);
        if (isAlive(lock.pid)) throw new RecoveryError(`${lock.file}: stack ${stack} is being updated by pid ${lock.pid} (since ${lock.timestamp}); wait for it to end`);
        recovery.staleLocks.push(lock);
    }
    // `pulumi cancel` removes every lock of the stack: only once each is known to be stale.
    if (recovery.staleLocks.length > 0) await must(["cancel", "--yes", stack]);
    recovery.commands.push(`pulumi stack export --stack ${stack}`);
    const exported = await recovering(() => exportState(run, stack));
    for (const op of exported.deployment?.pending_operations ?? []) {
        const meta = op.resource.inputs?.metadata;
        const kubernetesObject = op.resource.type.startsWith("kubernetes:") && !op.resource.type.startsWith("kubernetes:helm.sh") && meta?.name;
        recovery.pendingOperations.push({ type: op.type, urn: op.resource.urn, ...(kubernetesObject ? { id: meta.namespace ? `${meta.namespace}/${meta.name}` : meta.name } : {}) });
    }
    if (recovery.pendingOperations.length > 0 || recovery.staleLocks.length > 0) {
        const creates = recovery.pendingOperations.filter((op) => op.type === "creating");
        const unknown = creates.filter((op) => !op.id);
        if (unknown.length > 0) throw new RecoveryError(`pending creates whose id Pulumi cannot know: ${unknown.map((op) => op.urn).join(", ")}; import them with pulumi refresh --import-pending-creates URN ID`);
        await must(["refresh", "--yes", ...stackArgs, ...creates.flatMap((op) => [`--import-pending-creates=${op.urn}`, `--import-pending-creates=${op.id!}`])]);
    }
    return recovery;
}
