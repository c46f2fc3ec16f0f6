/**
 * The audit label and tag keys: who manages an object, which stack and project it belongs to, which
 * team owns it and which Git commit it came from. The components stamp them; the config schema keeps
 * them out of user labels, so they can never be set by hand.
 */

/** Kubernetes label keys. */
export const AUDIT_LABELS = {
    managedBy: "app.kubernetes.io/managed-by",
    stack: "gitops.platform/stack",
    project: "gitops.platform/project",
    owner: "gitops.platform/owner",
    gitCommit: "gitops.platform/git-commit",
} as const;

/** AWS tag keys. */
export const AUDIT_TAGS = {
    managedBy: "managed-by",
    stack: "stack",
    project: "project",
    owner: "owner",
    gitCommit: "git-commit",
} as const;
