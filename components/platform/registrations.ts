/**
 * Step 6: one cluster Secret per cluster Argo CD manages, the one it runs on first. Nothing else is
 * declared per cluster: add-ons and fleet-wide applications reach the clusters through ApplicationSets.
 */
import { ClusterRegistration } from "../gitops/clusterRegistration";
import type { PlatformContext, StepOptions } from "./context";
import type { PlatformClusters, RegisteredCluster } from "./registeredCluster";

/** The cluster Secrets, by role: the hub's, and the fleet's keyed by cluster name. */
export interface ClusterRegistrations {
    /** The registration of the cluster Argo CD runs on. */
    hub: ClusterRegistration;
    /** The fleet's registrations by cluster name (`{{.name}}`, an Application's `destination.cluster`). */
    fleet: ReadonlyMap<string, ClusterRegistration>;
}

/** Registers the hub, then the fleet in config order. */
export function registerClusters(ctx: PlatformContext, clusters: PlatformClusters, after: StepOptions): ClusterRegistrations {
    const hub = register(ctx, clusters.hub, after);
    return { hub, fleet: new Map(clusters.fleet.map((cluster) => [cluster.name, register(ctx, cluster, after)])) };
}

function register(ctx: PlatformContext, cluster: RegisteredCluster, after: StepOptions): ClusterRegistration {
    return new ClusterRegistration(
        cluster.resourceName,
        {
            clusterName: cluster.name,
            access: cluster.access,
            environment: ctx.platform.environment,
            enabledAddons: cluster.addons,
            annotations: cluster.annotations,
            labels: cluster.labels,
            argocdNamespace: ctx.argocdNamespace,
            audit: ctx.audit,
        },
        after,
    );
}
