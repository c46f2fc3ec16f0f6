/**
 * The fleet against the projects: Argo CD refuses to sync an Application whose cluster and namespace
 * its project does not list, so every add-on turned on for a cluster and every application a selector
 * sends to a cluster must be a destination of its project (a name or a `prefix*`). Checked once the
 * fleet is read, with every problem reported together (index.ts).
 */
import type { ConfigProblem } from "../../lib/stackConfigError";
import { clusterNameMatches } from "../../stacks/schema";
import type { PlatformContext } from "./context";
import { allClusters, clusterSelector, type PlatformClusters } from "./registeredCluster";

/** Every cluster a project would refuse, and every cluster named that Argo CD does not know. */
export function fleetDestinationProblems(ctx: PlatformContext, clusters: PlatformClusters): ConfigProblem[] {
    const { platform } = ctx;
    const projects = new Map(platform.gitops.projects.map((p) => [p.name, p]));
    const admits = (projectName: string, namespace: string, cluster: string) =>
        projects.get(projectName)?.destinations.some((d) => d.namespace === namespace && clusterNameMatches(d.cluster, cluster)) ?? false;
    const problems: ConfigProblem[] = [];
    const addons = new Map(platform.addons.filter((a) => a.enabled && a.installedBy === "argocd").map((a, i) => [a.name, { addon: a, i }]));
    // The cluster Argo CD runs on is checked by the config rules already.
    for (const cluster of clusters.fleet) {
        for (const name of cluster.addons) {
            const found = addons.get(name);
            if (!found || admits(found.addon.project, found.addon.namespace, cluster.name)) continue;
            problems.push({
                path: cluster.configPath,
                message: `add-on ${JSON.stringify(name)} is turned on, but project ${JSON.stringify(found.addon.project)} has no destination ${cluster.name}/${found.addon.namespace} (add {namespace: ${found.addon.namespace}, cluster: ${cluster.name}} or a name prefix like ${cluster.name.split("-")[0]}-*)`,
            });
        }
    }
    const selected = clusterSelector(clusters, platform.environment);
    platform.gitops.applications.forEach((app, i) => {
        if (!app.clusterSelector) return;
        for (const cluster of selected(app.clusterSelector)) {
            if (admits(app.project, app.destination.namespace, cluster.name)) continue;
            problems.push({
                path: `platform.gitops.applications[${i}].clusterSelector`,
                message: `selects cluster ${JSON.stringify(cluster.name)} (${cluster.configPath}), which project ${JSON.stringify(app.project)} does not admit for namespace ${app.destination.namespace}`,
            });
        }
    });
    return [...problems, ...unknownClusters(ctx, clusters)];
}

/**
 * An application that names its cluster, and a project destination that names one exactly, must name
 * a cluster Argo CD knows: renaming the hub (`platform.cluster.name`) leaves the default `in-cluster`
 * behind, and Argo CD would find no such cluster at sync. A `prefix*` may wait for clusters to come.
 */
function unknownClusters(ctx: PlatformContext, clusters: PlatformClusters): ConfigProblem[] {
    const known = new Set(allClusters(clusters).map((c) => c.name));
    const knownText = `Argo CD knows ${[...known].map((n) => JSON.stringify(n)).join(", ")} (the hub, platform.cluster.name, is ${JSON.stringify(clusters.hub.name)})`;
    const problems: ConfigProblem[] = [];
    ctx.platform.gitops.applications.forEach((app, i) => {
        if (app.clusterSelector || known.has(app.destination.cluster)) return;
        problems.push({ path: `platform.gitops.applications[${i}].destination.cluster`, message: `no cluster is named ${JSON.stringify(app.destination.cluster)}: ${knownText}` });
    });
    ctx.platform.gitops.projects.forEach((project, i) => {
        project.destinations.forEach((d, j) => {
            if (d.cluster.endsWith("*") || known.has(d.cluster)) return;
            problems.push({ path: `platform.gitops.projects[${i}].destinations[${j}].cluster`, message: `no cluster is named ${JSON.stringify(d.cluster)}: ${knownText}` });
        });
    });
    return problems;
}
