/** A cluster Argo CD manages, as the program registers it; every cluster kind ends up as one of these. */
import type * as pulumi from "@pulumi/pulumi";
import { type ClusterAccess, clusterSelectionLabels } from "../gitops/clusterRegistration";

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

/**
 * What a team application's selector picks (`environment` is always the stack's), with each
 * cluster's Secret labels made once for every selector asked, not once per selector and cluster.
 */
export function clusterSelector(clusters: PlatformClusters, environment: string): (selector: Record<string, string>) => RegisteredCluster[] {
    const labelled = allClusters(clusters).map((cluster) => ({ cluster, labels: clusterSelectionLabels(cluster.labels, cluster.addons, environment) }));
    return (selector) => {
        const wanted = Object.entries({ ...selector, environment });
        return labelled.filter(({ labels }) => wanted.every(([k, v]) => labels[k] === v)).map(({ cluster }) => cluster);
    };
}
