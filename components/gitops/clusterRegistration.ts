/**
 * ClusterRegistration: the Argo CD cluster Secret of the cluster Argo CD runs on. Its annotations
 * carry the Terraform outputs (region, account, VPC, IAM role ARNs for add-ons) and its labels the
 * environment and which add-ons are enabled, so ApplicationSets can select clusters and template
 * values from them (gitops-bridge). It holds no credential: the in-cluster registration uses
 * Argo CD's own service account, so the Secret is safe even where manifests are rendered to files.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AuditMetadata, auditAnnotations, auditLabels } from "../audit/auditMetadata";
import { addonEnableLabel } from "./addonApplicationSet";

/** The label that makes Argo CD treat a Secret as a cluster registration. */
export const CLUSTER_SECRET_LABEL = { "argocd.argoproj.io/secret-type": "cluster" } as const;

/** The in-cluster API server address. */
export const IN_CLUSTER_SERVER = "https://kubernetes.default.svc";

/** Arguments of {@link ClusterRegistration}. */
export interface ClusterRegistrationArgs {
    /** Cluster name as Argo CD knows it. Default `in-cluster`. */
    clusterName?: string;
    /** Environment label (`local`, `dev`, ...). Required. */
    environment: string;
    /** Add-ons enabled on this cluster; each gets the label `enable_<name>: "true"`. Required. */
    enabledAddons: string[];
    /** Annotations with the infrastructure facts (Terraform outputs). Required. */
    annotations: Record<string, pulumi.Input<string>>;
    /** Extra labels. Default: none. */
    labels?: Record<string, string>;
    /** Namespace Argo CD runs in. Required. */
    argocdNamespace: pulumi.Input<string>;
    /** Audit metadata. Required. */
    audit: AuditMetadata;
}

/** Type token of the component. */
export const CLUSTER_REGISTRATION_TYPE = "gitops:platform:ClusterRegistration";

/** The cluster Secret of the cluster Argo CD runs on. */
export class ClusterRegistration extends pulumi.ComponentResource {
    /** Cluster name. */
    readonly clusterName: string;

    constructor(name: string, args: ClusterRegistrationArgs, opts?: pulumi.ComponentResourceOptions) {
        super(CLUSTER_REGISTRATION_TYPE, name, {}, opts);
        this.clusterName = args.clusterName ?? "in-cluster";
        const addonLabels = Object.fromEntries(args.enabledAddons.map((a) => [addonEnableLabel(a), "true"]));
        new k8s.core.v1.Secret(
            `${name}-secret`,
            {
                metadata: {
                    name: `cluster-${this.clusterName}`,
                    namespace: args.argocdNamespace,
                    labels: { ...(args.labels ?? {}), ...addonLabels, environment: args.environment, ...auditLabels(args.audit), ...CLUSTER_SECRET_LABEL },
                    annotations: { ...auditAnnotations(args.audit), ...args.annotations },
                },
                type: "Opaque",
                stringData: {
                    name: this.clusterName,
                    server: IN_CLUSTER_SERVER,
                    // TLS verification on; no bearer token or client key: in-cluster access needs none.
                    config: JSON.stringify({ tlsClientConfig: { insecure: false } }),
                },
            },
            { parent: this, dependsOn: opts?.dependsOn },
        );
        this.registerOutputs({ clusterName: this.clusterName });
    }
}
