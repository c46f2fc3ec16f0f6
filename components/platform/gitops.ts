/**
 * Step 7: what Git then owns: the teams' AppProjects, their applications (an Application for one
 * cluster, an ApplicationSet for the clusters a label selector picks) and one ApplicationSet per
 * add-on. The declared resources grow with projects + applications + add-ons, never with clusters.
 */
import { AddonApplicationSet } from "../gitops/addonApplicationSet";
import { GitChartSource, HydrationTarget, PackagedChartSource, TeamApplication } from "../gitops/application";
import { SignatureVerification, TeamProject } from "../gitops/appProject";
import { type RolloutWave, TeamApplicationSet } from "../gitops/teamApplicationSet";
import { argoCdFeatures } from "../../stacks/argoCdRelease";
import { type ApplicationConfig, isHydrated } from "../../stacks/schema";
import type { PlatformContext, StepOptions } from "./context";
import { allClusters, type PlatformClusters } from "./registeredCluster";
import type { ClusterRegistrations } from "./registrations";

/** One AppProject per team project. */
export function teamProjects(ctx: PlatformContext, after: StepOptions): TeamProject[] {
    return ctx.platform.gitops.projects.map(
        (project) =>
            new TeamProject(
                `project-${project.name}`,
                {
                    name: project.name,
                    team: project.team,
                    description: project.description,
                    sourceRepos: project.sourceRepos.map((r) => ctx.repositories.named(r)),
                    destinations: project.destinations,
                    clusterResourceWhitelist: project.clusterResourceWhitelist,
                    roles: project.roles,
                    syncWindows: project.syncWindows,
                    orphanedResources: project.orphanedResources,
                    signatureVerification: signatureVerification(ctx),
                    argocdNamespace: ctx.argocdNamespace,
                    audit: ctx.audit,
                },
                after,
            ),
    );
}

/**
 * The team applications, after `afterProjects` (which holds the hub's registration), an ApplicationSet
 * with a rollout in the waves `rollouts` resolved. One on a cluster
 * of the fleet also waits for that cluster's registration; a selector's ApplicationSet needs none (its
 * generator picks clusters up as they are registered).
 */
export function teamApplications(ctx: PlatformContext, registrations: ClusterRegistrations, rollouts: Map<string, RolloutWave[]>, afterProjects: StepOptions): void {
    const { platform } = ctx;
    const teamOf = new Map(platform.gitops.projects.map((p) => [p.name, p.team]));
    for (const app of platform.gitops.applications) {
        const common = {
            name: app.name,
            project: app.project,
            team: teamOf.get(app.project) ?? platform.audit.owner,
            source: applicationSource(ctx, app),
            values: app.values,
            auditValues: app.auditValues,
            syncWave: app.syncWave,
            retry: app.retry,
            labels: platform.gitops.labels,
            argocdNamespace: ctx.argocdNamespace,
            audit: ctx.audit,
        };
        if (app.clusterSelector) {
            new TeamApplicationSet(
                `appset-${app.name}`,
                { ...common, hydration: hydrationTarget(ctx, app, "{{.name}}"), namespace: app.destination.namespace, clusterSelector: { ...app.clusterSelector, environment: platform.environment }, rollout: rollouts.get(app.name) },
                afterProjects,
            );
            continue;
        }
        const registration = registrations.fleet.get(app.destination.cluster);
        const opts = registration ? { ...afterProjects, dependsOn: [...afterProjects.dependsOn, registration] } : afterProjects;
        new TeamApplication(
            `app-${app.name}`,
            { ...common, destination: app.destination, hydration: hydrationTarget(ctx, app, app.destination.cluster), ...(app.adoption ? { adoptFieldsOf: app.adoption.fieldManager } : {}) },
            opts,
        );
    }
}

/** The stack's signature checks, in the form its Argo CD release reads. */
function signatureVerification(ctx: PlatformContext): SignatureVerification | undefined {
    const integrity = ctx.platform.gitops.sourceIntegrity;
    if (!integrity) return undefined;
    const field = argoCdFeatures(ctx.platform.argocd).sourceIntegrity ? "sourceIntegrity" : "signatureKeys";
    return { mode: integrity.mode, keyIds: integrity.keys.map((f) => f.slice(-16)), field };
}

/** The environment branch of the stack, one folder per cluster and application (`<cluster>/<application>`). */
function hydrationTarget(ctx: PlatformContext, app: ApplicationConfig, cluster: string): HydrationTarget | undefined {
    if (!isHydrated(ctx.platform, app)) return undefined;
    const branch = `${ctx.platform.gitops.hydration.branchPrefix}/${ctx.config.stack}`;
    return { branch, path: `${cluster}/${app.name}`, ...(app.hydration.promoteByPullRequest ? { hydrateTo: `${branch}-next` } : {}) };
}

function applicationSource(ctx: PlatformContext, app: ApplicationConfig): PackagedChartSource | GitChartSource {
    const repo = ctx.repositories.named(app.source.repository);
    return repo.type === "git"
        ? { repository: repo, path: app.source.path as string, revision: app.source.revision as string, valueFiles: app.source.valueFiles }
        : { repository: repo, chart: app.source.chart as string, version: app.source.version as string, valueFiles: app.source.valueFiles };
}

/** One ApplicationSet per add-on Argo CD installs, selecting the clusters that turn it on. */
export function addonApplicationSets(ctx: PlatformContext, clusters: PlatformClusters, afterProjects: StepOptions): void {
    const keysOf = sharedAnnotationKeys(clusters);
    for (const addon of ctx.platform.addons.filter((a) => a.enabled && a.installedBy === "argocd")) {
        new AddonApplicationSet(
            `addonset-${addon.name}`,
            {
                addon: addon.name,
                project: addon.project,
                source: { repository: ctx.repositories.named(addon.repository), chart: addon.chart, version: addon.version },
                namespace: addon.namespace,
                values: addon.values,
                clusterAnnotationKeys: keysOf(addon.name),
                syncWave: addon.syncWave,
                matchLabels: { environment: ctx.platform.environment },
                argocdNamespace: ctx.argocdNamespace,
                audit: ctx.audit,
            },
            afterProjects,
        );
    }
}

/**
 * The annotation keys every cluster that turns an add-on on carries, so its value templates can be
 * checked. Clusters of one entry share their keys: the intersection is computed per distinct key set.
 */
function sharedAnnotationKeys(clusters: PlatformClusters): (addon: string) => string[] {
    const keySets = new Map<string, { keys: string[]; addons: Set<string> }>();
    for (const c of allClusters(clusters)) {
        const keys = Object.keys(c.annotations).sort();
        const id = keys.join(",");
        let group = keySets.get(id);
        if (!group) keySets.set(id, (group = { keys, addons: new Set() }));
        for (const a of c.addons) group.addons.add(a);
    }
    return (addon) => {
        const sets = [...keySets.values()].filter((g) => g.addons.has(addon)).map((g) => g.keys);
        if (sets.length === 0) return Object.keys(clusters.hub.annotations);
        return sets.reduce((shared, keys) => shared.filter((k) => keys.includes(k)));
    };
}

