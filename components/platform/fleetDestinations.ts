/**
 * The fleet against the projects: Argo CD refuses to sync an Application whose cluster and namespace
 * its project does not list, so every add-on turned on for a cluster and every application a selector
 * sends to a cluster must be a destination of its project (a name or a `prefix*`). Checked once the
 * fleet is read, with every problem reported together.
 */
import { StackConfigError } from "../../lib/stackConfigError";
import { addonEnableLabel } from "../gitops/addonApplicationSet";
import { clusterNameMatches } from "../../stacks/schema";
import type { PlatformContext } from "./context";
import { allClusters, type PlatformClusters } from "./registeredCluster";

/** Throws one StackConfigError listing every cluster a project would refuse. */
export function checkFleetDestinations(ctx: PlatformContext, clusters: PlatformClusters): void {
    const { platform } = ctx;
    const projects = new Map(platform.gitops.projects.map((p) => [p.name, p]));
    const admits = (projectName: string, namespace: string, cluster: string) =>
        projects.get(projectName)?.destinations.some((d) => d.namespace === namespace && clusterNameMatches(d.cluster, cluster)) ?? false;
    const problems: { path: string; message: string }[] = [];
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
    // Each cluster's labels as its Secret carries them, made once for every selector.
    const labelled = allClusters(clusters).map((cluster) => ({
        cluster,
        labels: { ...cluster.labels, ...Object.fromEntries(cluster.addons.map((a) => [addonEnableLabel(a), "true"])), environment: platform.environment } as Record<string, string>,
    }));
    platform.gitops.applications.forEach((app, i) => {
        if (!app.clusterSelector) return;
        const selector = Object.entries({ ...app.clusterSelector, environment: platform.environment });
        for (const { cluster, labels } of labelled) {
            if (!selector.every(([k, v]) => labels[k] === v)) continue;
            if (admits(app.project, app.destination.namespace, cluster.name)) continue;
            problems.push({
                path: `platform.gitops.applications[${i}].clusterSelector`,
                message: `selects cluster ${JSON.stringify(cluster.name)} (${cluster.configPath}), which project ${JSON.stringify(app.project)} does not admit for namespace ${app.destination.namespace}`,
            });
        }
    });
    if (problems.length > 0) throw new StackConfigError(ctx.config.stack, problems);
}
