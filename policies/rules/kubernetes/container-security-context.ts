import { ResourceValidationPolicy } from "@pulumi/policy";
import { isRecord } from "../lib/types";
import { containers, validateWorkloads } from "../lib/workloads";

/**
 * Containers are not privileged, cannot escalate privileges and run as non-root (runAsNonRoot or a non-zero
 * runAsUser, on the container or inherited from the pod).
 *
 * Judges: kubernetes:apps/v1:Deployment, StatefulSet, DaemonSet, ReplicaSet, kubernetes:batch/v1:Job, CronJob, kubernetes:core/v1:Pod (one validation: any other type returns at once).
 * Severity: high. Topics: kubernetes, hardening.
 * Link: https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
export const containerSecurityContext: ResourceValidationPolicy = {
    name: "container-security-context",
    description: "Containers are not privileged, do not allow privilege escalation and run as non-root.",
    severity: "high",
    tags: ["kubernetes", "hardening"],
    url: "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
    remediationSteps:
        "Set securityContext: {privileged: false, allowPrivilegeEscalation: false, runAsNonRoot: true} on each container " +
        "(or runAsNonRoot/runAsUser on the pod securityContext).",
    validateResource: validateWorkloads((pod, _args, reportViolation) => {
        const podContext = isRecord(pod.spec.securityContext) ? pod.spec.securityContext : {};
        const problems: string[] = [];
        for (const { container, at } of containers(pod)) {
            const sc = isRecord(container.securityContext) ? container.securityContext : {};
            if (sc.privileged === true) problems.push(`${at} is privileged`);
            if (sc.allowPrivilegeEscalation === true) problems.push(`${at} allows privilege escalation`);
            const runAsNonRoot = sc.runAsNonRoot ?? podContext.runAsNonRoot;
            const runAsUser = sc.runAsUser ?? podContext.runAsUser;
            const nonRoot = runAsUser === 0 ? false : runAsNonRoot === true || (typeof runAsUser === "number" && runAsUser > 0);
            if (!nonRoot) problems.push(`${at} may run as root (set runAsNonRoot: true or a non-zero runAsUser)`);
        }
        if (problems.length > 0) {
            reportViolation(problems.join("; "));
        }
    }),
};
