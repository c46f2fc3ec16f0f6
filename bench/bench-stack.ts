/**
 * The local stack in a bench's own file backend: its workspace, its `--stack`/`--config-file`
 * arguments, and `must`, which runs `pulumi <args>` and throws with the CLI's last lines on failure.
 */
import * as path from "node:path";
import { CliResult, EngineWorkspace, runPulumi } from "../tools/engine/pulumi-cli";

export interface BenchStack {
    ws: EngineWorkspace;
    stack: string[];
    must(args: string[], input?: string): Promise<CliResult>;
}

export function benchStack(root: string, work: string, configFile: string): BenchStack {
    const ws: EngineWorkspace = { projectRoot: root, backendDir: path.join(work, "backend"), passphrase: "local-stack-only" };
    return {
        ws,
        stack: ["--stack", "local", "--config-file", configFile],
        async must(args, input) {
            const r = await runPulumi(ws, args, { input });
            if (r.code !== 0) throw new Error(`pulumi ${args[0]} failed:\n${r.stdout.split("\n").slice(-30).join("\n")}\n${r.stderr}`);
            return r;
        },
    };
}
