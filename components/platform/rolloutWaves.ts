/**
 * The waves of each application's rollout, resolved against the clusters the fleet registers: which
 * clusters each wave takes, checked before anything is registered. A wave that takes no cluster, a
 * cluster two waves take and a selected cluster no wave takes are refused, each with its key path:
 * Argo CD would sync such a wave never, twice in the wrong order, or leave the cluster unsynced.
 */
import type { ConfigProblem } from "../../lib/stackConfigError";
import type { ApplicationConfig, WaveConfig } from "../../stacks/schema";
import type { RolloutWave } from "../gitops/teamApplicationSet";
import type { PlatformContext } from "./context";
import { clusterSelector, type PlatformClusters } from "./registeredCluster";


/** Each application with a rollout, by name: its waves resolved; or the problems of them all. */
export function rolloutWaves(ctx: PlatformContext, clusters: PlatformClusters): { waves: Map<string, RolloutWave[]>; problems: ConfigProblem[] } {
    const select = clusterSelector(clusters, ctx.platform.environment);
    const waves = new Map<string, RolloutWave[]>();
    const problems: ConfigProblem[] = [];
    ctx.platform.gitops.applications.forEach((app, i) => {
        if (!app.rollout || !app.clusterSelector) return;
        const resolved = resolveWaves(app, select);
        problems.push(...resolved.problems.map((p) => ({ path: `platform.gitops.applications[${i}].rollout.${p.path}`, message: p.message })));
        waves.set(app.name, resolved.waves);
    });
    return { waves, problems };
}

function resolveWaves(app: ApplicationConfig, select: (labels: Record<string, string>) => { name: string }[]): { waves: RolloutWave[]; problems: { path: string; message: string }[] } {
    const selected = select(app.clusterSelector ?? {}).map((c) => c.name);
    const selectedSet = new Set(selected);
    const takenBy = new Map<string, string>();
    const problems: { path: string; message: string }[] = [];
    const waves = (app.rollout?.waves ?? []).map((wave: WaveConfig, j): RolloutWave => {
        const at = `waves[${j}].clusters`;
        const names = wave.clusters
            ? select({ ...(app.clusterSelector ?? {}), ...wave.clusters }).map((c) => c.name).filter((n) => selectedSet.has(n))
            : selected.filter((n) => !takenBy.has(n));
        for (const name of names) {
            const earlier = takenBy.get(name);
            if (earlier) problems.push({ path: at, message: `cluster ${JSON.stringify(name)} is in wave ${JSON.stringify(earlier)} and in wave ${JSON.stringify(wave.name)}: a cluster belongs to one wave` });
        }
        const own = names.filter((n) => !takenBy.has(n));
        for (const name of own) takenBy.set(name, wave.name);
        if (names.length === 0) {
            const what = wave.clusters ? `labels ${JSON.stringify(wave.clusters)}` : "the rest";
            problems.push({ path: at, message: `wave ${JSON.stringify(wave.name)} takes no cluster: none of ${selected.length} selected (${selected.join(", ") || "none"}) matches ${what}` });
        }
        return { name: wave.name, clusters: own, rest: !wave.clusters, ...(wave.maxUpdate !== undefined ? { maxUpdate: wave.maxUpdate } : {}) };
    });
    const left = selected.filter((n) => !takenBy.has(n));
    if (left.length > 0) {
        problems.push({ path: "waves", message: `clusters ${left.join(", ")} are in no wave and would never be synced: add a last wave without clusters to take the rest` });
    }
    return { waves, problems };
}
