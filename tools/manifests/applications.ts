/**
 * The Argo CD Applications whose manifests reach the clusters: every Application the plan declares,
 * and every Application an ApplicationSet generates per registered cluster (or list element), each
 * with the cluster it deploys to. The plan judges what each one renders; the review shows it.
 */
import { expandApplicationSet, GeneratedApplication, RegisteredCluster, registeredClusters } from "./appset-generators";
import { Manifest, NotDone } from "./types";

/** The server URL of the cluster Argo CD runs on, registered as `in-cluster`. */
export const IN_CLUSTER_SERVER = "https://kubernetes.default.svc";

/** An Application whose chart is rendered, and where it deploys. */
export interface ApplicationToRender {
    application: Manifest;
    /** `Application web`, or `Application web-eu-1 (ApplicationSet web, cluster eu-1)` for a generated one. */
    origin: string;
    /** The ApplicationSet that generated it; absent for a declared Application. */
    applicationSet?: string;
    /** The cluster name Argo CD deploys it to (`destination.name`, or the registered cluster of `destination.server`). */
    cluster: string;
}

/** Everything to render for one plan: the Applications, the generated ones apart, and what was not expanded. */
export interface ApplicationsToRender {
    applications: ApplicationToRender[];
    generated: GeneratedApplication[];
    notExpanded: NotDone[];
}

/** The destination cluster's name: `destination.name`, or the registered cluster with that server, or the server itself. */
export function destinationCluster(application: Manifest, clusters: RegisteredCluster[]): string {
    const destination = ((application.spec ?? {}) as { destination?: { name?: string; server?: string } }).destination ?? {};
    if (destination.name) return destination.name;
    const server = destination.server?.replace(/\/+$/, "");
    if (!server) return "(no destination)";
    if (server === IN_CLUSTER_SERVER) return "in-cluster";
    return clusters.find((c) => c.server.replace(/\/+$/, "") === server)?.name ?? server;
}

/** The Applications the manifests declare and those their ApplicationSets generate. */
export function applicationsToRender(manifests: Manifest[]): ApplicationsToRender {
    const clusters = registeredClusters(manifests);
    const generated: GeneratedApplication[] = [];
    const notExpanded: NotDone[] = [];
    for (const appSet of manifests.filter((m) => m.kind === "ApplicationSet" && String(m.apiVersion).startsWith("argoproj.io/"))) {
        const result = expandApplicationSet(appSet, clusters);
        generated.push(...result.applications);
        for (const n of result.notExpanded) if (!notExpanded.some((x) => x.what === n.what && x.reason === n.reason)) notExpanded.push(n);
    }
    const applications: ApplicationToRender[] = manifests
        .filter((m) => m.kind === "Application" && String(m.apiVersion).startsWith("argoproj.io/"))
        .map((m) => ({ application: m, origin: `Application ${m.metadata.name}`, cluster: destinationCluster(m, clusters) }));
    for (const g of generated) {
        applications.push({
            application: g.application,
            origin: `Application ${g.application.metadata.name} (ApplicationSet ${g.applicationSet}, ${g.generatedFor})`,
            applicationSet: g.applicationSet,
            cluster: destinationCluster(g.application, clusters),
        });
    }
    return { applications, generated, notExpanded };
}
