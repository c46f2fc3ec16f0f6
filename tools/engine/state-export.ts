/**
 * `pulumi stack export`, through a file: the state is megabytes of JSON, kept out of transcripts
 * (the backend's own files hold the same, and are what the canary checks read).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CliResult } from "./pulumi-cli";

export class StateExportError extends Error {}

export async function exportState(run: (args: string[]) => Promise<CliResult>, stack: string): Promise<unknown> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "state-export-"));
    try {
        const file = path.join(dir, "state.json");
        const r = await run(["stack", "export", "--stack", stack, "--file", file]);
        if (r.code !== 0) throw new StateExportError(`pulumi stack export --stack ${stack} failed:\n${r.stderr.trim()}`);
        return JSON.parse(fs.readFileSync(file, "utf8"));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
