/** A cluster Argo CD manages, as the program registers it; every cluster kind ends up as one of these. */
import type * as pulumi from "@pulumi/pulumi";
import { addonEnableLabel } from "../gitops/addonApplicationSet";
import type { ClusterAccess } from "../gitops/clusterRegistration";

export interface RegisteredCluster {
    /** Name in Argo CD (`{{.name}}` in ApplicationSets). */
    name: string;
    /** Pulumi name of its ClusterRegistration (kept stable: renaming would replace the Secret). */
    resourceName: string;
    /** How Argo CD reaches it. */
    access: ClusterAccess;
    /** Infrastructure facts for value templates (`{{.metadata.annotations.<key>}}`). */
    annotations: Record<string, pulumi.Input<string>>;
    /** Selection labels (besides `environment` and the `enable_<add-on>` labels). */
    labels: Record<string, string>;
    /** Add-ons turned on for it. */
    addons: string[];
    /** Where it was configured, for messages (`platform.fleet[2] (output fleet, key "eu-3")`). */
    configPath: string;
}

/** The clusters Argo CD manages, by role: the one it runs on, and the fleet (names distinct, `readFleet` sees to it). */
export interface PlatformClusters {
    /** The cluster Argo CD runs on (`platform.cluster`), registered in-cluster. */
    hub: RegisteredCluster;
    /** The others (`platform.fleet`), in config order. */
    fleet: RegisteredCluster[];
}

/** Every cluster, the hub first, then the fleet in config order. */
export function allClusters(clusters: PlatformClusters): RegisteredCluster[] {
    return [clusters.hub, ...clusters.fleet];
}

/** The labels a cluster's Secret carries, as generators select on them: its own, its add-ons' and the environment. */
export function clusterSecretLabels(cluster: RegisteredCluster, environment: string): Record<string, string> {
    return { ...cluster.labels, ...Object.fromEntries(cluster.addons.map((a) => [addonEnableLabel(a), "true"])), environment };
}

/** The clusters a team application's selector picks (`environment` is always the stack's). */
export function selectedClusters(clusters: PlatformClusters, selector: Record<string, string>, environment: string): RegisteredCluster[] {
    const wanted = Object.entries({ ...selector, environment });
    return allClusters(clusters).filter((cluster) => {
        const labels = clusterSecretLabels(cluster, environment);
        return wanted.every(([k, v]) => labels[k] === v);
    });
}
