/**
 * Step 6: one cluster Secret per cluster Argo CD manages, the one it runs on first. Nothing else is
 * declared per cluster: add-ons and fleet-wide applications reach the clusters through ApplicationSets.
 */
import { ClusterRegistration } from "../gitops/clusterRegistration";
import type { PlatformContext, StepOptions } from "./context";
import type { RegisteredCluster } from "./registeredCluster";

/** The registrations, in the order of `clusters`. */
export function registerClusters(ctx: PlatformContext, clusters: RegisteredCluster[], after: StepOptions): ClusterRegistration[] {
    return clusters.map(
        (cluster) =>
            new ClusterRegistration(
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
            ),
    );
}
