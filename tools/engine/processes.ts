/**
 * Child processes started by the engine and cluster tools, stopped on every exit path: normal exit,
 * an uncaught error, SIGINT and SIGTERM. Each runs in its own process group so that its own
 * children (a plugin the CLI started, a controller's helpers) stop with it.
 */
import { ChildProcess, spawn, SpawnOptions } from "child_process";

const running = new Set<ChildProcess>();
const cleanups = new Set<() => void>();
let hooked = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
        process.kill(-child.pid, signal);
    } catch {
        // already gone
    }
}

/** Stops every tracked process group (SIGTERM, then SIGKILL after `graceMs`). */
export async function stopAll(graceMs = 5000): Promise<void> {
    const children = [...running];
    children.forEach((c) => killGroup(c, "SIGTERM"));
    await Promise.all(
        children.map(
            (c) =>
                new Promise<void>((resolve) => {
                    if (c.exitCode !== null || c.signalCode !== null) return resolve();
                    const t = setTimeout(() => (killGroup(c, "SIGKILL"), resolve()), graceMs);
                    c.once("exit", () => (clearTimeout(t), resolve()));
                }),
        ),
    );
}

function hookExit(): void {
    if (hooked) return;
    hooked = true;
    process.on("exit", () => {
        running.forEach((c) => killGroup(c, "SIGKILL"));
        cleanups.forEach((fn) => fn());
    });
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
        process.once(signal, () => {
            void stopAll(2000).then(() => process.exit(signal === "SIGINT" ? 130 : 143));
        });
    }
}

/**
 * Runs `fn` (synchronous, e.g. removing a temporary directory) when the process exits on any path,
 * signals included, unless it is unregistered first with the function this returns.
 */
export function onExit(fn: () => void): () => void {
    hookExit();
    cleanups.add(fn);
    return () => cleanups.delete(fn);
}

/** Spawns a tracked process in its own process group. */
export function spawnTracked(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    hookExit();
    const child = spawn(command, args, { ...options, detached: true });
    running.add(child);
    child.once("exit", () => running.delete(child));
    return child;
}
