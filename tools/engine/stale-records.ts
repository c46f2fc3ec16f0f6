/**
 * Kubernetes objects whose record in the state predates the update that applied them, and reading
 * them back. The Kubernetes provider (4.25.0, the newest the module proxy serves) waits for a
 * Deployment's or StatefulSet's rollout on a shared informer and takes any event of the update's
 * generation as the object's new state; a change to labels or annotations alone keeps the generation,
 * so an event from before the patch can end the wait, and Pulumi records the object as it was. The
 * cluster has the new labels, the state the old ones, and the next preview proposes the change again
 * (seen in the loop under load: two updates at once, the update after a killed one; each commit
 * relabels every object). The provider's Diff compares the recorded object with the inputs, so a
 * record is stale exactly where its labels and annotations disagree with the inputs it was updated
 * with; `pulumi refresh --target` reads those back.
 */
import { CliResult } from "./pulumi-cli";
import { exportState, StateResource } from "./state-export";

export interface StaleRecord {
    urn: string;
    /** What the state holds against what was applied, per key (`labels.KEY: "old" != "new"`). */
    differences: string[];
}

/** The Kubernetes objects whose recorded labels or annotations are not those they were last applied with. */
export function staleRecords(resources: StateResource[]): StaleRecord[] {
    const stale: StaleRecord[] = [];
    for (const r of resources) {
        // Only objects the cluster holds: not a chart, a provider (pulumi:providers:...) or a component; not one never created (no outputs).
        if (!r.type.startsWith("kubernetes:") || r.type.startsWith("kubernetes:helm.sh") || !r.outputs?.metadata) continue;
        const differences: string[] = [];
        for (const field of ["labels", "annotations"] as const) {
            const applied = r.inputs?.metadata?.[field] ?? {};
            const recorded = r.outputs.metadata[field] ?? {};
            for (const [key, value] of Object.entries(applied)) {
                // A secret or computed value is not a plain string in the export: nothing to compare.
                if (typeof value !== "string") continue;
                if (recorded[key] !== value) differences.push(`${field}.${key}: ${JSON.stringify(recorded[key] ?? null)} != ${JSON.stringify(value)}`);
            }
        }
        if (differences.length > 0) stale.push({ urn: r.urn, differences });
    }
    return stale;
}

/** Reads back, with one targeted refresh, every object recorded before its update; says which. */
export async function readBackStaleRecords(run: (args: string[]) => Promise<CliResult>, stackArgs: string[]): Promise<StaleRecord[]> {
    const stack = stackArgs[stackArgs.indexOf("--stack") + 1];
    const stale = staleRecords((await exportState(run, stack)).deployment?.resources ?? []);
    if (stale.length === 0) return [];
    const refresh = await run(["refresh", "--yes", "--skip-preview", ...stackArgs, ...stale.flatMap((s) => ["--target", s.urn])]);
    if (refresh.code !== 0) throw new Error(`pulumi refresh of ${stale.length} objects recorded before their update failed:\n${refresh.stderr.trim() || refresh.stdout.split("\n").slice(-15).join("\n")}`);
    return stale;
}
