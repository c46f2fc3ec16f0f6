import { ReportViolation, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import { isRecord } from "./types";

/** Kinds of workloads whose pod templates the container rules check, mapped to where the pod spec sits. */
const podSpecPaths: Record<string, string[]> = {
    "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
    "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:ReplicaSet": ["spec", "template", "spec"],
    "kubernetes:batch/v1:Job": ["spec", "template", "spec"],
    "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
    "kubernetes:core/v1:Pod": ["spec"],
};

/** Workload type tokens the container rules apply to. */
export const workloadTypes = Object.keys(podSpecPaths);

/** A container of a pod spec with its message path. */
export interface ContainerView {
    /** The container object. */
    container: Record<string, unknown>;
    /** Path such as `spec.template.spec.containers[0]` (named `app`). */
    at: string;
}

/** Returns the pod spec of a workload and where it sits, or undefined for other types. */
export function podSpec(type: string, props: Record<string, unknown>): { spec: Record<string, unknown>; at: string } | undefined {
    const path = podSpecPaths[type];
    if (!path) {
        return undefined;
    }
    let current: unknown = props;
    for (const key of path) {
        current = isRecord(current) ? current[key] : undefined;
    }
    return isRecord(current) ? { spec: current, at: path.join(".") } : undefined;
}

/** Lists containers, init containers and ephemeral containers of a pod spec. */
export function containers(pod: { spec: Record<string, unknown>; at: string }): ContainerView[] {
    const out: ContainerView[] = [];
    for (const field of ["initContainers", "containers", "ephemeralContainers"]) {
        const list = pod.spec[field];
        if (Array.isArray(list)) {
            list.forEach((c, i) => {
                if (isRecord(c)) {
                    const name = typeof c.name === "string" ? ` (${c.name})` : "";
                    out.push({ container: c, at: `${pod.at}.${field}[${i}]${name}` });
                }
            });
        }
    }
    return out;
}

/**
 * One validation of every workload kind that hands the pod spec to `check`; any other resource returns at once.
 * (One `validateResourceOfType` per kind made the SDK throw a NotApplicableError, stack trace and all, for each
 * kind a resource is not: about a sixth of the pack's time on a fleet's plan.)
 */
export function validateWorkloads(
    check: (pod: { spec: Record<string, unknown>; at: string }, args: ResourceValidationArgs, reportViolation: ReportViolation) => void,
): ResourceValidation {
    return (args, reportViolation) => {
        const pod = podSpec(args.type, args.props as Record<string, unknown>);
        if (pod) {
            check(pod, args, reportViolation);
        }
    };
}
