/**
 * Argo CD keeps every Application in its own namespace, so their names must be distinct across
 * everything that makes them: a team application that names its cluster (`<name>`), a team
 * ApplicationSet (`<cluster>-<name>` for each cluster its selector picks) and an add-on's
 * ApplicationSet (`<cluster>-<add-on>` for each cluster that turns it on). Two that meet would take
 * each other's Application over at sync (`a-b` + `c` and `a` + `b-c` both make `a-b-c`): every such
 * name is refused once the fleet is read, naming both makers (index.ts).
 */
import type { ConfigProblem } from "../../lib/stackConfigError";
import type { PlatformContext } from "./context";
import { allClusters, clusterSelector, type PlatformClusters } from "./registeredCluster";

/** One Application the config makes, and who makes it. */
interface Made {
    name: string;
    path: string;
    by: string;
}

/** Every Application name made twice, at the key path of its later maker. */
export function applicationNameProblems(ctx: PlatformContext, clusters: PlatformClusters): ConfigProblem[] {
    const { platform } = ctx;
    const made: Made[] = [];
    const selected = clusterSelector(clusters, platform.environment);
    platform.gitops.applications.forEach((app, i) => {
        const path = `platform.gitops.applications[${i}]`;
        if (!app.clusterSelector) {
            made.push({ name: app.name, path, by: `team application ${JSON.stringify(app.name)}` });
            return;
        }
        for (const cluster of selected(app.clusterSelector)) {
            made.push({ name: `${cluster.name}-${app.name}`, path, by: `team application ${JSON.stringify(app.name)} on cluster ${JSON.stringify(cluster.name)}` });
        }
    });
    platform.addons.forEach((addon, i) => {
        if (!addon.enabled || addon.installedBy !== "argocd") return;
        for (const cluster of allClusters(clusters).filter((c) => c.addons.includes(addon.name))) {
            made.push({ name: `${cluster.name}-${addon.name}`, path: `platform.addons[${i}]`, by: `add-on ${JSON.stringify(addon.name)} on cluster ${JSON.stringify(cluster.name)}` });
        }
    });
    const first = new Map<string, Made>();
    const problems: ConfigProblem[] = [];
    for (const m of made) {
        const earlier = first.get(m.name);
        if (!earlier) first.set(m.name, m);
        else problems.push({ path: m.path, message: `Application ${JSON.stringify(m.name)} of ${m.by} is also the one of ${earlier.by} (${earlier.path}): rename one` });
    }
    return problems;
}
