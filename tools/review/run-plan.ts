/**
 * Runs `npm run plan` (tools/plan/cli.ts of that tree, under that tree's node_modules) for one
 * stack into an output directory, as its own process, and reads what it wrote.
 */
import * as path from "path";
import { spawnTracked } from "../engine/processes";
import { PlanOutcome } from "./model";
import { PlanOutput, readPlanOutput } from "./plan-output";

/** Environment the plans of one review share. */
export interface PlanEnvironment {
    /** The audit commit both sides are labelled with (GITHUB_SHA). */
    auditCommit?: string;
    /** Key for secret fingerprints (PLAN_SECRET_FINGERPRINT_KEY). */
    fingerprintKey: string;
    /** The helm the plans render Applications' charts with (PLAN_HELM); default: the plan looks for its own. */
    helm?: string;
}

export async function runPlan(root: string, stack: string, outDir: string, env: PlanEnvironment): Promise<{ outcome: PlanOutcome; output?: PlanOutput }> {
    // Tracked: an interrupted review stops its plans (and their policy pack processes) too.
    const child = spawnTracked(process.execPath, ["-r", "ts-node/register/transpile-only", path.join("tools", "plan", "cli.ts"), "--stack", stack, "--out", outDir, "--format", "json"], {
        cwd: root,
        env: { ...process.env, ...(env.auditCommit ? { GITHUB_SHA: env.auditCommit } : {}), PLAN_SECRET_FINGERPRINT_KEY: env.fingerprintKey, ...(env.helm ? { PLAN_HELM: env.helm } : {}), TS_NODE_PROJECT: path.join(root, "tsconfig.json") },
        stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number>((resolve) => {
        child.on("error", (e) => {
            stderr += e.message;
            resolve(-1);
        });
        child.on("close", (c) => resolve(c ?? -1));
    });
    if (code !== 0 && code !== 1) {
        // The plan's own message names the file and key paths; progress lines start with "[".
        const lines = stderr.split("\n").filter((l) => l.trim() && !l.startsWith("["));
        return { outcome: { planned: false, exitCode: code, error: lines.slice(-6).join("\n") || `plan exited ${code}` } };
    }
    try {
        return { outcome: { planned: true, exitCode: code }, output: readPlanOutput(path.join(outDir, stack)) };
    } catch (e) {
        return { outcome: { planned: false, exitCode: code, error: (e as Error).message } };
    }
}
