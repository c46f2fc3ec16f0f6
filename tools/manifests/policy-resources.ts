/**
 * The policy pack's second entry point: an object an Argo CD Application renders, handed to the
 * same analyzer the engine drives, as the resource the Kubernetes provider would register for it.
 * Its type is the provider's (`kubernetes:apps/v1:Deployment`, core objects `kubernetes:core/v1:…`),
 * its properties the manifest, its URN names the stack, the Application and the cluster, and its
 * parent is the Application on that cluster (type `gitops:manifests:Application`, named
 * `<application>@<cluster>`), so a rule's message reads `… rendered by Application "web@eu-1"`.
 */
import { ARGOCD_APPLICATION_RENDER_TYPE } from "gitops-platform-policies/shared";
import { PolicyResource } from "../policy-analyzer";
import { Manifest } from "./types";

/** Kinds that live outside any namespace: Argo CD applies them without one (the rest go to the destination namespace). */
const CLUSTER_SCOPED = new Set([
    "APIService", "CSIDriver", "CSINode", "CertificateSigningRequest", "ClusterIssuer", "ClusterRole", "ClusterRoleBinding",
    "CustomResourceDefinition", "GatewayClass", "IngressClass", "MutatingWebhookConfiguration", "Namespace", "Node",
    "PersistentVolume", "PriorityClass", "RuntimeClass", "StorageClass", "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding", "ValidatingWebhookConfiguration", "VolumeAttachment",
]);

/** Where a rendered object was judged: the stack, the Application and the cluster it deploys to. */
export interface RenderSite {
    stack: string;
    /** The Pulumi project name (the URN's project part). */
    project: string;
    application: string;
    cluster: string;
    /** The Application's destination namespace: where a namespaced object without one is applied. */
    namespace?: string;
}

/** The provider's type token of an object: `kubernetes:<group>/<version>:<Kind>`, the core group as `core`. */
export function kubernetesTypeToken(object: Pick<Manifest, "apiVersion" | "kind">): string {
    const apiVersion = String(object.apiVersion ?? "");
    return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${object.kind}`;
}

/** The pseudo resource an Application on one cluster stands for: the parent of what it renders. */
export function applicationRenderUrn(site: RenderSite): string {
    return `urn:pulumi:${site.stack}::${site.project}::${ARGOCD_APPLICATION_RENDER_TYPE}::${site.application}@${site.cluster}`;
}

/** The object as Argo CD applies it: a namespaced object without a namespace gets the destination's. */
export function asApplied(object: Manifest, namespace: string | undefined): Manifest {
    if (object.metadata?.namespace || !namespace || CLUSTER_SCOPED.has(object.kind)) return object;
    return { ...object, metadata: { ...object.metadata, namespace } };
}

/** The policy resource of one rendered object (already {@link asApplied}). */
export function renderedObjectResource(object: Manifest, site: RenderSite): PolicyResource {
    const type = kubernetesTypeToken(object);
    const ns = object.metadata?.namespace;
    const name = [site.cluster, site.application, ...(ns ? [ns] : []), object.metadata?.name ?? "(unnamed)"].join("/");
    return {
        urn: `urn:pulumi:${site.stack}::${site.project}::${ARGOCD_APPLICATION_RENDER_TYPE}$${type}::${name}`,
        type,
        name,
        properties: object as unknown as Record<string, unknown>,
        parent: applicationRenderUrn(site),
    };
}

/** `Deployment apps/web` */
export function objectLabel(object: Manifest): string {
    return `${object.kind} ${object.metadata?.namespace ? `${object.metadata.namespace}/` : ""}${object.metadata?.name}`;
}
