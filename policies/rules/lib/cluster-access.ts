/**
 * Cluster-scoped kinds that grant access to the whole cluster (RBAC, new APIs, admission control, certificates):
 * only the platform's projects may list them. One list for the pack's argocd-rbac-tenancy and the stack schema
 * (which imports it from `gitops-platform-policies/shared`).
 */
export const CLUSTER_ACCESS_KINDS: Readonly<Record<string, readonly string[]>> = {
    "rbac.authorization.k8s.io": ["ClusterRole", "ClusterRoleBinding"],
    "apiextensions.k8s.io": ["CustomResourceDefinition"],
    "apiregistration.k8s.io": ["APIService"],
    "admissionregistration.k8s.io": [
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "MutatingAdmissionPolicy",
        "MutatingAdmissionPolicyBinding",
    ],
    "certificates.k8s.io": ["CertificateSigningRequest"],
};

/** Whether a group/kind grants access to the whole cluster. */
export function grantsClusterAccess(groupKind: { group?: unknown; kind?: unknown }): boolean {
    return CLUSTER_ACCESS_KINDS[String(groupKind.group)]?.includes(String(groupKind.kind)) ?? false;
}
