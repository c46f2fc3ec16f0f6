/**
 * Pulumi's update history, as `pulumi stack history --json` prints it (an array of updates, newest
 * first: version, kind, result, startTime, endTime, message, environment, config, resourceChanges):
 * from a file, or from the pinned CLI (tools/engine/pulumi-cli.ts). Only the environment's `git.*`,
 * `exec.*` and `ci.*` keys are kept, and never `config` (it may hold secrets, blinded or not).
 */
import { type EngineWorkspace, runPulumi } from "../engine/pulumi-cli";
import type { PulumiUpdate } from "./model";
import { AuditSourceError, readSourceFile } from "./source-error";

const KEPT_ENVIRONMENT = /^(git|exec|ci|vcs)\./;

/** Parses the JSON; `source` names it in errors. The file backend numbers every update 0: they are then numbered oldest first. */
export function parsePulumiHistory(text: string, source: string): { updates: PulumiUpdate[]; renumbered: boolean } {
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch (e) {
        throw new AuditSourceError(source, `not JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(doc)) throw new AuditSourceError(source, "expected an array of updates, as `pulumi stack history --json` prints");
    const updates = doc.map((raw, i): PulumiUpdate => {
        const u = raw as Record<string, unknown>;
        if (typeof u !== "object" || u === null || typeof u.kind !== "string") throw new AuditSourceError(source, `update [${i}] has no kind`);
        const str = (k: string) => (typeof u[k] === "string" ? (u[k] as string) : undefined);
        const env = typeof u.environment === "object" && u.environment !== null ? (u.environment as Record<string, unknown>) : {};
        const changes = typeof u.resourceChanges === "object" && u.resourceChanges !== null ? (u.resourceChanges as Record<string, unknown>) : undefined;
        return {
            version: typeof u.version === "number" ? u.version : 0,
            kind: u.kind,
            result: str("result"),
            startTime: str("startTime"),
            endTime: str("endTime"),
            message: str("message"),
            environment: Object.fromEntries(Object.entries(env).filter(([k, v]) => KEPT_ENVIRONMENT.test(k) && typeof v === "string")) as Record<string, string>,
            resourceChanges: changes ? (Object.fromEntries(Object.entries(changes).filter(([, v]) => typeof v === "number")) as Record<string, number>) : undefined,
        };
    });
    const renumbered = updates.length > 0 && updates.every((u) => u.version === 0);
    if (renumbered) {
        // Oldest first; the CLI lists newest first, which breaks ties of its one-second times.
        const byTime = updates.map((u, i) => ({ u, i })).sort((a, b) => Date.parse(a.u.startTime ?? "") - Date.parse(b.u.startTime ?? "") || b.i - a.i);
        byTime.forEach(({ u }, n) => (u.version = n + 1));
    }
    return { updates, renumbered };
}

export function readPulumiHistoryFile(file: string): { updates: PulumiUpdate[]; renumbered: boolean } {
    const source = `Pulumi history file ${file}`;
    const text = readSourceFile(file, source);
    return parsePulumiHistory(text, source);
}

/** `pulumi stack history --json --stack <stack>` with the pinned CLI in `ws` (the local loop's backend, or `env` overriding it). */
export async function runPulumiHistory(ws: EngineWorkspace, stack: string, env: NodeJS.ProcessEnv = {}): Promise<{ updates: PulumiUpdate[]; renumbered: boolean }> {
    const source = `pulumi stack history --stack ${stack}`;
    let r;
    try {
        r = await runPulumi(ws, ["stack", "history", "--json", "--stack", stack, "--page-size", "100000"], { env, timeoutMs: 120_000 });
    } catch (e) {
        throw new AuditSourceError(source, (e as Error).message);
    }
    if (r.code !== 0) throw new AuditSourceError(source, r.stderr.trim().split("\n").slice(-1)[0] || `exit ${r.code}`);
    return parsePulumiHistory(r.stdout, source);
}
