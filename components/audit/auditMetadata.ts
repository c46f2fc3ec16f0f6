/**
 * Audit metadata stamped on everything the program creates: who manages it, which stack and project
 * it belongs to, which team owns it and which Git commit the change came from. Built once by the
 * program root and passed to every component (no global state); the policy pack checks these keys.
 */

import { AUDIT_LABELS, AUDIT_TAGS } from "../../lib/auditLabels";

/** The audit facts of one deployment. */
export interface AuditMetadata {
    /** Stack name, e.g. `prod`. Required. */
    readonly stack: string;
    /** Project name, e.g. `gitops-platform`. Required. */
    readonly project: string;
    /** Owning team of the platform's own resources. Required. */
    readonly owner: string;
    /** 40-hex Git commit of the change, or `unknown` (local stack only). Required. */
    readonly gitCommit: string;
}

/** The audit facts under the given keys (label keys or tag keys), with `owner` replaced when a team owns it. */
function stamped(keys: typeof AUDIT_LABELS | typeof AUDIT_TAGS, audit: AuditMetadata, owner: string): Record<string, string> {
    return { [keys.managedBy]: "pulumi", [keys.stack]: audit.stack, [keys.project]: audit.project, [keys.owner]: owner, [keys.gitCommit]: audit.gitCommit };
}

/** The audit labels for a Kubernetes object, with `owner` replaced when a team owns it. */
export function auditLabels(audit: AuditMetadata, owner: string = audit.owner): Record<string, string> {
    return stamped(AUDIT_LABELS, audit, owner);
}

/** Annotations that say where the object's definition lives, for people reading it in the cluster. */
export function auditAnnotations(audit: AuditMetadata): Record<string, string> {
    return { "gitops.platform/managed-by-stack": `${audit.project}/${audit.stack}` };
}

/** The audit tags for an AWS resource. */
export function awsTags(audit: AuditMetadata, owner: string = audit.owner): Record<string, string> {
    return stamped(AUDIT_TAGS, audit, owner);
}

/** Kubernetes object metadata with audit labels merged under the given labels (audit keys win). */
export function withAuditLabels(audit: AuditMetadata, labels: Record<string, string> = {}, owner?: string): Record<string, string> {
    return { ...labels, ...auditLabels(audit, owner) };
}
