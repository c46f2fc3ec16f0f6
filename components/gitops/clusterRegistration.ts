/**
 * ClusterRegistration: the Argo CD cluster Secret of one cluster, the one Argo CD runs on or one of a
 * fleet. Its annotations carry the Terraform outputs (region, account, VPC, IAM role ARNs for add-ons)
 * and its labels the environment and which add-ons are enabled, so ApplicationSets can select clusters
 * and template values from them (gitops-bridge). The in-cluster registration and an EKS cluster of the
 * fleet hold no credential (Argo CD's own service account, its IAM identity through `awsAuthConfig`):
 * those Secrets are safe even where manifests are rendered to files. A cluster reached with a bearer
 * token or a client certificate (from a kubeconfig) holds that credential in `config`, a Pulumi
 * secret; the config rules and the policy pack keep such a Secret away from rendered files.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AuditMetadata, auditAnnotations, auditLabels } from "../audit/auditMetadata";
import { addonEnableLabel } from "./addonApplicationSet";

/** The label that makes Argo CD treat a Secret as a cluster registration. */
export const CLUSTER_SECRET_LABEL = { "argocd.argoproj.io/secret-type": "cluster" } as const;

/** The in-cluster API server address. */
export const IN_CLUSTER_SERVER = "https://kubernetes.default.svc";

/** The cluster Argo CD runs on, reached through its own service account. */
export interface InClusterAccess {
    kind: "in-cluster";
}

/** An EKS cluster Argo CD reaches with its IAM identity (`aws eks get-token` inside Argo CD). */
export interface EksAccess {
    kind: "eks";
    /** API server URL (Terraform `cluster_endpoint`). Required. */
    server: string;
    /** Base64 CA bundle (Terraform `cluster_certificate_authority_data`). Required. */
    caData: string;
    /** EKS cluster name (Terraform `cluster_name`). Required. */
    eksClusterName: string;
    /**
     * IAM role Argo CD assumes for the cluster.
     * @default - Argo CD's own identity
     */
    roleArn?: string;
}

/** What every cluster reached with a credential of its own has: where it is and whose CA signed it. */
interface CredentialAccessCommon {
    /** API server URL (https). Required. */
    server: string;
    /**
     * Base64 CA bundle the server's certificate is checked against.
     * @default - the system's roots
     */
    caData?: pulumi.Input<string>;
}

/** A cluster Argo CD reaches with a bearer token (a service account's, as `argocd cluster add` makes). */
export interface TokenAccess extends CredentialAccessCommon {
    kind: "token";
    /** The bearer token; a Pulumi secret. Required. */
    bearerToken: pulumi.Input<string>;
}

/** A cluster Argo CD reaches with a client certificate. */
export interface ClientCertificateAccess extends CredentialAccessCommon {
    kind: "client-certificate";
    /** Base64 PEM client certificate. Required. */
    certData: pulumi.Input<string>;
    /** Base64 PEM private key of that certificate; a Pulumi secret. Required. */
    keyData: pulumi.Input<string>;
}

/** How Argo CD reaches a registered cluster; one shape per kind of cluster. */
export type ClusterAccess = InClusterAccess | EksAccess | TokenAccess | ClientCertificateAccess;

/**
 * The `server` and `config` of a cluster Secret for a kind of access, as Argo CD's declarative setup
 * documents them (https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#clusters).
 * TLS verification stays on in every kind. A `config` that carries a credential is a Pulumi secret.
 */
export function clusterConnection(access: ClusterAccess): { server: string; config: pulumi.Input<string> } {
    switch (access.kind) {
        case "in-cluster":
            // TLS verification on; no bearer token or client key: in-cluster access needs none.
            return { server: IN_CLUSTER_SERVER, config: JSON.stringify({ tlsClientConfig: { insecure: false } }) };
        case "eks":
            return {
                server: access.server,
                config: JSON.stringify({
                    awsAuthConfig: { clusterName: access.eksClusterName, ...(access.roleArn ? { roleARN: access.roleArn } : {}) },
                    tlsClientConfig: { insecure: false, caData: access.caData },
                }),
            };
        case "token":
            return {
                server: access.server,
                config: secretConfig([access.bearerToken, access.caData], ([bearerToken, caData]) => ({ bearerToken, tlsClientConfig: tlsWith({ caData }) })),
            };
        case "client-certificate":
            return {
                server: access.server,
                config: secretConfig([access.caData, access.certData, access.keyData], ([caData, certData, keyData]) => ({ tlsClientConfig: tlsWith({ caData, certData, keyData }) })),
            };
    }
}

/** A `config` built from credentials: secret whether or not the caller passed them as secrets. */
function secretConfig(inputs: pulumi.Input<string | undefined>[], build: (values: (string | undefined)[]) => object): pulumi.Output<string> {
    return pulumi.secret(pulumi.all(inputs).apply((values) => JSON.stringify(build(values))));
}

/** `tlsClientConfig` with verification on and the given fields that are set. */
function tlsWith(fields: Record<string, string | undefined>): Record<string, unknown> {
    return { insecure: false, ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) };
}

/** Arguments of {@link ClusterRegistration}. */
export interface ClusterRegistrationArgs {
    /**
     * Cluster name as Argo CD knows it.
     * @default "in-cluster"
     */
    clusterName?: string;
    /**
     * How Argo CD reaches it.
     * @default - in-cluster
     */
    access?: ClusterAccess;
    /** Environment label (`local`, `dev`, ...). Required. */
    environment: string;
    /** Add-ons enabled on this cluster; each gets the label `enable_<name>: "true"`. Required. */
    enabledAddons: string[];
    /** Annotations with the infrastructure facts (Terraform outputs). Required. */
    annotations: Record<string, pulumi.Input<string>>;
    /**
     * Extra labels.
     * @default - none
     */
    labels?: Record<string, string>;
    /** Namespace Argo CD runs in. Required. */
    argocdNamespace: pulumi.Input<string>;
    /** Audit metadata. Required. */
    audit: AuditMetadata;
}

/** The labels of a cluster Secret that generators select on: its own, `enable_<add-on>: "true"` per add-on, and `environment`. */
export function clusterSelectionLabels(labels: Record<string, string>, addons: string[], environment: string): Record<string, string> {
    return { ...labels, ...Object.fromEntries(addons.map((a) => [addonEnableLabel(a), "true"])), environment };
}

/** Type token of the component. */
export const CLUSTER_REGISTRATION_TYPE = "gitops:platform:ClusterRegistration";

/** The cluster Secret of one cluster. */
export class ClusterRegistration extends pulumi.ComponentResource {
    /** Cluster name. */
    readonly clusterName: string;

    constructor(name: string, args: ClusterRegistrationArgs, opts?: pulumi.ComponentResourceOptions) {
        super(CLUSTER_REGISTRATION_TYPE, name, {}, opts);
        this.clusterName = args.clusterName ?? "in-cluster";
        new k8s.core.v1.Secret(
            `${name}-secret`,
            {
                metadata: {
                    name: `cluster-${this.clusterName}`,
                    namespace: args.argocdNamespace,
                    labels: { ...clusterSelectionLabels(args.labels ?? {}, args.enabledAddons, args.environment), ...auditLabels(args.audit), ...CLUSTER_SECRET_LABEL },
                    annotations: { ...auditAnnotations(args.audit), ...args.annotations },
                },
                type: "Opaque",
                stringData: { name: this.clusterName, ...clusterConnection(args.access ?? { kind: "in-cluster" }) },
            },
            { parent: this, dependsOn: opts?.dependsOn },
        );
        this.registerOutputs({ clusterName: this.clusterName });
    }
}
