import { ResourceValidationPolicy } from "@pulumi/policy";
import { containers, validateWorkloads } from "../lib/workloads";

/** Why an image reference is not pinned; undefined when it has an exact tag or a digest. */
export function imageProblem(image: unknown): string | undefined {
    if (typeof image !== "string" || image.trim() === "") {
        return "has no image";
    }
    if (/@sha256:[0-9a-f]{64}$/.test(image)) {
        return undefined;
    }
    // The tag follows the last ':' after the last '/', so a registry port is not mistaken for one.
    const lastSegment = image.slice(image.lastIndexOf("/") + 1);
    const colon = lastSegment.lastIndexOf(":");
    if (colon < 0) {
        return `image "${image}" has no tag (defaults to latest)`;
    }
    const tag = lastSegment.slice(colon + 1);
    if (tag === "" || tag.toLowerCase() === "latest") {
        return `image "${image}" uses the latest tag`;
    }
    return undefined;
}

/**
 * Container images are pinned by an exact tag or a digest: no `:latest`, no missing tag.
 *
 * Judges: kubernetes:apps/v1:Deployment, StatefulSet, DaemonSet, ReplicaSet, kubernetes:batch/v1:Job, CronJob, kubernetes:core/v1:Pod (one validation: any other type returns at once).
 * Severity: high. Topics: kubernetes, supply-chain.
 * Link: https://kubernetes.io/docs/concepts/containers/images/#image-names
 */
export const containerImagePinned: ResourceValidationPolicy = {
    name: "container-image-pinned",
    description: "Containers of Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs and Pods use an exact image tag or digest.",
    severity: "high",
    tags: ["kubernetes", "supply-chain"],
    url: "https://kubernetes.io/docs/concepts/containers/images/#image-names",
    remediationSteps: "Set image to repository:exact-tag (e.g. nginx:1.27.3) or repository@sha256:<digest>.",
    validateResource: validateWorkloads((pod, _args, reportViolation) => {
        const problems = containers(pod)
            .map(({ container, at }) => ({ at, problem: imageProblem(container.image) }))
            .filter(p => p.problem !== undefined)
            .map(p => `${p.at} ${p.problem}`);
        if (problems.length > 0) {
            reportViolation(problems.join("; "));
        }
    }),
};
