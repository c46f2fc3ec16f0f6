/**
 * When a change to a Pulumi resource is a replace (delete and create) rather than an update. The
 * plan cannot ask the providers (that is `pulumi preview` against real state), so the review applies
 * the providers' documented rules it can know offline; docs/review.md lists them:
 *
 * - any resource: its provider changes (another cluster or account);
 * - a Kubernetes object: `metadata.name` or `metadata.namespace` changes, or its kind does (the
 *   type token differs, so the URN does: the old object is deleted, a new one created); for
 *   workloads `spec.selector`, for a Service `spec.clusterIP`, for a PersistentVolumeClaim
 *   `spec.storageClassName`, for a Job `spec.template`, and any data of an `immutable` Secret or
 *   ConfigMap, which the API server refuses to update;
 * - an AWS resource: `name` or `namePrefix`, which force replacement in nearly every AWS resource.
 */
import { PropertyChange } from "./model";

const IMMUTABLE_BY_KIND: Record<string, string[]> = {
    Deployment: ["spec.selector"],
    StatefulSet: ["spec.selector", "spec.serviceName", "spec.volumeClaimTemplates"],
    DaemonSet: ["spec.selector"],
    ReplicaSet: ["spec.selector"],
    Job: ["spec.selector", "spec.template"],
    Service: ["spec.clusterIP"],
    PersistentVolumeClaim: ["spec.storageClassName", "spec.accessModes", "spec.volumeName"],
};

const startsWithPath = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);

/** The reason a change is a replace, or undefined for an in-place update. */
export function replaceReason(type: string, inputs: Record<string, unknown> | undefined, changes: PropertyChange[], providerChanged: boolean): string | undefined {
    if (providerChanged) return "its provider changed";
    const paths = changes.map((c) => c.path);
    if (type.startsWith("kubernetes:") && typeof inputs?.kind === "string") {
        for (const forced of ["metadata.name", "metadata.namespace"]) {
            if (paths.some((p) => startsWithPath(p, forced))) return `${forced} changed`;
        }
        for (const forced of IMMUTABLE_BY_KIND[inputs.kind] ?? []) {
            if (paths.some((p) => startsWithPath(p, forced))) return `${forced} of a ${inputs.kind} is immutable`;
        }
        if ((inputs.kind === "Secret" || inputs.kind === "ConfigMap") && inputs.immutable === true) {
            if (paths.some((p) => /^(data|stringData|binaryData)\b/.test(p))) return `the data of an immutable ${inputs.kind} changed`;
        }
    }
    if (type.startsWith("aws:")) {
        const forced = paths.find((p) => p === "name" || p === "namePrefix");
        if (forced) return `${forced} forces replacement of an AWS resource`;
    }
    return undefined;
}

/** The Kubernetes kind of a type token: `kubernetes:apps/v1:Deployment` is `Deployment`. */
export function kubernetesKind(type: string): string | undefined {
    return type.startsWith("kubernetes:") ? type.split(":").pop() : undefined;
}
