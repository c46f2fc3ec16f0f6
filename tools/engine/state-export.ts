/**
 * `pulumi stack export`, through a file: the state is megabytes of JSON, kept out of transcripts
 * (the backend's own files hold the same, and are what the canary checks read).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CliResult } from "./pulumi-cli";

export class StateExportError extends Error {}

interface ObjectMetadata {
    name?: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, unknown>;
    annotations?: Record<string, unknown>;
}

/** A resource as the export holds it; for a Kubernetes object, `outputs` is the object as last read. */
export interface StateResource {
    urn: string;
    type: string;
    inputs?: { metadata?: ObjectMetadata };
    outputs?: { apiVersion?: string; kind?: string; metadata?: ObjectMetadata };
}

/** The parts of the export the tools read. */
export interface ExportedState {
    deployment?: { resources?: StateResource[]; pending_operations?: { type: string; resource: StateResource }[] };
}

export async function exportState(run: (args: string[]) => Promise<CliResult>, stack: string): Promise<ExportedState> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "state-export-"));
    try {
        const file = path.join(dir, "state.json");
        const r = await run(["stack", "export", "--stack", stack, "--file", file]);
        if (r.code !== 0) throw new StateExportError(`pulumi stack export --stack ${stack} failed:\n${r.stderr.trim()}`);
        return JSON.parse(fs.readFileSync(file, "utf8")) as ExportedState;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
