/**
 * A server process of the local loop: its output in a log file, its pid known, stopped by pid.
 * Attached processes stop when this process exits (tools/engine/processes.ts); detached ones
 * (`npm run up`) outlive it and are stopped by `npm run down` from the recorded pids.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { spawnTracked } from "../engine/processes";

export interface ProcessSpec {
    name: string;
    command: string;
    args: string[];
    logFile: string;
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    /** Outlive this process. Default false. */
    detached?: boolean;
}

export interface ManagedProcess {
    name: string;
    /** The current pid: a restart changes it. */
    readonly pid: number;
    logFile: string;
    /** False once the process has exited. */
    running(): boolean;
    /** Resolves once `ready()` is true; fails early if the process exits, with its log's last lines. */
    waitFor(ready: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void>;
    /** Resolves once `url` answers 200. */
    waitForHttp(url: string, timeoutMs: number): Promise<void>;
    stop(): Promise<void>;
    /** Sends a signal to the process group (faults: SIGKILL, SIGSTOP, SIGCONT); resolves once a SIGKILLed process is gone. */
    signal(signal: NodeJS.Signals): Promise<void>;
    /** Starts it again with the same command, arguments, environment and log (appended), once stopped. */
    restart(): Promise<void>;
}

export function startProcess(spec: ProcessSpec): ManagedProcess {
    if (!fs.existsSync(spec.command)) throw new Error(`${spec.name}: ${spec.command} is not installed (run bash tools/install.sh)`);
    let current = spawnOnce(spec);
    const logTail = () => (fs.existsSync(spec.logFile) ? fs.readFileSync(spec.logFile, "utf8").split("\n").slice(-15).join("\n") : "");
    const self: ManagedProcess = {
        name: spec.name,
        get pid() {
            return current.pid;
        },
        logFile: spec.logFile,
        running: () => current.exited === undefined,
        async waitFor(ready, timeoutMs, what) {
            const deadline = Date.now() + timeoutMs;
            for (;;) {
                if (current.exited) throw new Error(`${spec.name} stopped (${current.exited}) before ${what}; its log ends:\n${logTail()}`);
                if (await ready()) return;
                if (Date.now() > deadline) throw new Error(`${spec.name}: no ${what} after ${timeoutMs / 1000} s; its log ends:\n${logTail()}`);
                await sleep(250);
            }
        },
        waitForHttp(url, timeoutMs) {
            return self.waitFor(() => httpOk(url), timeoutMs, url);
        },
        stop: () => stopPid(current.pid),
        async signal(signal) {
            signalGroup(current.pid, signal);
            if (signal !== "SIGKILL") return;
            const deadline = Date.now() + 10_000;
            while (isAlive(current.pid) && Date.now() < deadline) await sleep(50);
        },
        async restart() {
            await stopPid(current.pid);
            fs.appendFileSync(spec.logFile, `\n--- restarted ${new Date().toISOString()} ---\n`);
            current = spawnOnce(spec);
        },
    };
    return self;
}

/** One run of the spec: its pid and, once it has exited, how. */
function spawnOnce(spec: ProcessSpec): { pid: number; exited?: string } {
    const out = fs.openSync(spec.logFile, "a");
    const options = { cwd: spec.cwd, env: { ...process.env, ...spec.env }, stdio: ["ignore", out, out] as ("ignore" | number)[] };
    let child: ChildProcess;
    if (spec.detached) {
        child = spawn(spec.command, spec.args, { ...options, detached: true });
        child.unref();
    } else {
        child = spawnTracked(spec.command, spec.args, options);
    }
    fs.closeSync(out);
    if (child.pid === undefined) throw new Error(`${spec.name}: could not start ${spec.command}`);
    const run: { pid: number; exited?: string } = { pid: child.pid };
    child.once("exit", (code, signal) => (run.exited = signal ? `signal ${signal}` : `exit ${code}`));
    child.once("error", (e) => (run.exited = e.message));
    return run;
}

/** Signals the process group the pid leads (every process is started as a group's leader), else the pid alone. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
    try {
        process.kill(-pid, signal);
    } catch {
        try {
            process.kill(pid, signal);
        } catch {
            // already gone
        }
    }
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

/**
 * Stops a process group by pid: SIGTERM, then SIGKILL after `graceMs` (a stopped, SIGSTOPped, process
 * is continued first).
 */
export async function stopPid(pid: number, graceMs = 10_000): Promise<void> {
    for (const [signal, waitMs] of [["SIGTERM", graceMs], ["SIGKILL", 5_000]] as const) {
        if (!isAlive(pid)) return;
        signalGroup(pid, signal);
        signalGroup(pid, "SIGCONT");
        const deadline = Date.now() + waitMs;
        while (isAlive(pid) && Date.now() < deadline) await sleep(100);
    }
}

function httpOk(url: string): Promise<boolean> {
    return new Promise((resolve) => {
        const req = http.get(url, { timeout: 2000 }, (res) => {
            res.resume();
            resolve(res.statusCode === 200);
        });
        req.on("error", () => resolve(false));
        req.on("timeout", () => (req.destroy(), resolve(false)));
    });
}

export function sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` until it is true; after `timeoutMs` fails with what was awaited and `lastSeen()`. */
export async function pollUntil(check: () => Promise<boolean>, timeoutMs: number, what: string, lastSeen: () => string = () => ""): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (await check()) return;
        await sleep(250);
    }
    const seen = lastSeen();
    throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${seen ? `: ${seen}` : ""}`);
}
