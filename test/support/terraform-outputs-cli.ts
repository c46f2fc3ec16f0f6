/** Runs `npm run tf-outputs` (tools/tf-outputs.ts) as a real child process, asynchronously. */
import { execFile } from "node:child_process";
import * as path from "node:path";

/** Outcome of one CLI run. */
export interface CliResult {
    /** Exit code. */
    code: number;
    /** Standard output (the JSON object on success). */
    stdout: string;
    /** Standard error (the message on failure). */
    stderr: string;
}

const repo = path.resolve(__dirname, "..", "..");

/**
 * Runs the CLI with `args` and `env` added to a copy of this process's environment. Asynchronous,
 * because the servers it talks to run in this process.
 */
export function runTfOutputs(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
    return new Promise((resolve) => {
        execFile(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", path.join(repo, "tools", "tf-outputs.ts"), ...args],
            { cwd: repo, env: { ...process.env, ...env }, encoding: "utf8", timeout: 60_000 },
            (err, stdout, stderr) => {
                const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
                resolve({ code, stdout, stderr });
            },
        );
    });
}
