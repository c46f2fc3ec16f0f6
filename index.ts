/**
 * Composition root of the GitOps platform, in the order the data flows: the stack config and the
 * Terraform foundation's outputs (both fail before any resource is registered) -> the clusters (the
 * one Argo CD runs on, and the fleet) -> Argo CD -> repository access -> the cluster Secrets ->
 * projects, applications and add-ons. Each step is one function in `components/platform/`. The module is the
 * function: Pulumi's Node.js runner calls a CommonJS module's export only when it is itself a
 * function, and uses its result as the stack outputs.
 */
import { applicationNameProblems } from "./components/platform/applicationNames";
import { installArgoCd } from "./components/platform/argocd";
import { platformAws } from "./components/platform/aws";
import { platformContext } from "./components/platform/context";
import { readFleet } from "./components/platform/fleet";
import { fleetDestinationProblems } from "./components/platform/fleetDestinations";
import { readFoundation } from "./components/platform/foundation";
import { addonApplicationSets, teamApplications, teamProjects } from "./components/platform/gitops";
import { hubCluster, hubRegistration } from "./components/platform/hubCluster";
import type { PlatformClusters } from "./components/platform/registeredCluster";
import { registerClusters } from "./components/platform/registrations";
import { repositoryAccess } from "./components/platform/repositoryAccess";
import { rolloutWaves } from "./components/platform/rolloutWaves";
import { StackConfigError } from "./lib/stackConfigError";
import { loadStackConfig } from "./stacks/load";
import { readSigningKeys } from "./stacks/signingKeys";

async function main(): Promise<Record<string, unknown>> {
    const config = loadStackConfig();
    const [foundation, fleet, signingKeys] = await Promise.all([readFoundation(config), readFleet(config), readSigningKeys(config.stack, config.platform)]);
    const ctx = platformContext(config, foundation, signingKeys);

    const cluster = hubCluster(ctx, foundation);
    const aws = await platformAws(ctx, foundation);
    const clusters: PlatformClusters = { hub: hubRegistration(ctx, foundation, aws?.roleArns), fleet };
    // What the config says against the clusters it reaches, every problem at once.
    const rollouts = rolloutWaves(ctx, clusters);
    const clusterProblems = [...fleetDestinationProblems(ctx, clusters), ...applicationNameProblems(ctx, clusters), ...rollouts.problems];
    if (clusterProblems.length > 0) throw new StackConfigError(config.stack, clusterProblems);

    const install = installArgoCd(ctx, cluster, clusters.hub, aws);
    repositoryAccess(ctx, foundation, install);
    const registrations = registerClusters(ctx, clusters, install.after);

    const projects = teamProjects(ctx, install.after);
    // Applications after their projects and the registration of the cluster Argo CD runs on.
    const afterProjects = install.alsoAfter(registrations.hub, ...projects);
    teamApplications(ctx, registrations, rollouts.waves, afterProjects);
    addonApplicationSets(ctx, clusters, afterProjects);

    return {
        environment: ctx.platform.environment,
        argocdNamespace: install.argocd.namespace,
        argocdChartVersion: install.argocd.chartVersion,
        clusterName: registrations.hub.clusterName,
        gitCommit: config.gitCommit,
        ...(fleet.length > 0 ? { fleetClusters: fleet.length } : {}),
        ...(ctx.platform.cluster.mode === "render" ? { renderedManifestsDirectory: ctx.platform.cluster.directory } : {}),
        ...(aws ? { chartRepositoryArns: aws.chartRepositoryArns } : {}),
    };
}

export = main;
