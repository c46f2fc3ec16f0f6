/**
 * The rules of the gitops-platform policy pack, in one list. Kept apart from `policies/index.ts` (which only builds the
 * PolicyPack and starts serving it) so tests and the plan can import the rules without starting a gRPC server.
 */
import { Policies, ResourceValidationPolicy } from "@pulumi/policy";
import { withRenderedProvenance } from "./lib/provenance";
import { argocdAutomatedSync } from "./argocd/application-automated-sync";
import { argocdApplicationFieldsExclusive } from "./argocd/application-fields-exclusive";
import { argocdApplicationNoDefaultProject } from "./argocd/application-no-default-project";
import { argocdAppProjectRestricted } from "./argocd/appproject-restricted";
import { argocdChartNoPlaintextCredentials } from "./argocd/chart-no-plaintext-credentials";
import { argocdInstallHardened } from "./argocd/install-hardened";
import { argocdProtectedOnDelete } from "./argocd/protected-on-delete";
import { argocdRbacTenancy } from "./argocd/rbac-tenancy";
import { argocdSourceAllowedRepository } from "./argocd/source-allowed-repository";
import { argocdSourcePathInRepository } from "./argocd/source-path-in-repository";
import { argocdSourceIntegrity } from "./argocd/source-integrity";
import { argocdSourcePinned } from "./argocd/source-pinned";
import { auditMetadataRequired } from "./audit/audit-metadata-required";
import { addonNotEndOfLife } from "./helm/addon-not-end-of-life";
import { helmChartAllowedRepository } from "./helm/chart-allowed-repository";
import { helmChartPinnedVersion } from "./helm/chart-pinned-version";
import { kubernetesApiNotDeprecated } from "./kubernetes/api-not-deprecated";
import { containerImagePinned } from "./kubernetes/container-image-pinned";
import { containerSecurityContext } from "./kubernetes/container-security-context";
import { kubernetesSecretProtected } from "./secrets/kubernetes-secret-protected";
import { noSecretLiterals } from "./secrets/no-secret-literals";
import { stackOutputsSecretSafe } from "./stack/outputs-secret-safe";

/** Name of the policy pack, as `pulumi preview --policy-pack` reports it. */
export const policyPackName = "gitops-platform-policies";

/** Every rule of the pack: audit and supply chain, then secrets, workloads and lifecycle (findings on rendered objects say what rendered them). */
export const policies: Policies = [
    auditMetadataRequired,
    argocdSourcePinned,
    argocdSourceAllowedRepository,
    argocdSourcePathInRepository,
    argocdSourceIntegrity,
    argocdApplicationNoDefaultProject,
    argocdAppProjectRestricted,
    argocdRbacTenancy,
    argocdAutomatedSync,
    argocdApplicationFieldsExclusive,
    helmChartPinnedVersion,
    helmChartAllowedRepository,
    argocdInstallHardened,
    argocdProtectedOnDelete,
    noSecretLiterals,
    kubernetesSecretProtected,
    argocdChartNoPlaintextCredentials,
    stackOutputsSecretSafe,
    containerImagePinned,
    containerSecurityContext,
    addonNotEndOfLife,
    kubernetesApiNotDeprecated,
].map((p) => ("validateResource" in p ? withRenderedProvenance(p as ResourceValidationPolicy) : p));
