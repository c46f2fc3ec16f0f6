/**
 * A ClusterSecretStore reading Secrets of another Kubernetes API server (the "secrets cluster"), with
 * External Secrets Operator's `kubernetes` provider: where the values live when there is no AWS
 * Secrets Manager (the local stack). It authenticates with a bearer token from a Secret made outside
 * Pulumi, so the token never passes through the program.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AuditMetadata, auditLabels } from "../audit/auditMetadata";
import { ComponentValidationError } from "../validationError";
import { EXTERNAL_SECRETS_API } from "./repositoryCredentials";

/** Name of the ClusterSecretStore reading the secrets cluster. */
export const KUBERNETES_SECRET_STORE = "kubernetes-secrets";

/** Arguments of {@link KubernetesSecretStore}. */
export interface KubernetesSecretStoreArgs {
    /** URL of the secrets cluster's API server, `https://...`. Required. */
    server: string;
    /**
     * Its CA certificate, base64 PEM.
     * @default none (External Secrets Operator refuses such a store: for a rendered one only)
     */
    caBundle?: string;
    /** Namespace of the secrets cluster the Secrets are read from. Required. */
    remoteNamespace: string;
    /** The Secret (in the cluster the store is in) holding a bearer token for the secrets cluster. Required. */
    tokenSecret: { name: string; namespace: string; key: string };
    /** Namespaces allowed to use the store. Required. */
    namespaces: pulumi.Input<string>[];
    /** Audit metadata. Required. */
    audit: AuditMetadata;
}

/** The ClusterSecretStore for a Kubernetes secrets cluster, usable from the given namespaces only. */
export class KubernetesSecretStore extends pulumi.ComponentResource {
    /** Store name. */
    readonly storeName = KUBERNETES_SECRET_STORE;

    constructor(name: string, args: KubernetesSecretStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops:platform:KubernetesSecretStore", name, {}, opts);
        // The bearer token goes to this URL: never in clear.
        if (!args.server.startsWith("https://")) {
            throw new ComponentValidationError("KubernetesSecretStore", name, [{ prop: "server", message: "expected an https:// URL (the store sends its bearer token there)" }]);
        }
        new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: EXTERNAL_SECRETS_API,
                kind: "ClusterSecretStore",
                metadata: { name: KUBERNETES_SECRET_STORE, labels: auditLabels(args.audit) },
                spec: {
                    conditions: [{ namespaces: args.namespaces }],
                    provider: {
                        kubernetes: {
                            remoteNamespace: args.remoteNamespace,
                            server: { url: args.server, ...(args.caBundle ? { caBundle: args.caBundle } : {}) },
                            auth: { token: { bearerToken: { name: args.tokenSecret.name, key: args.tokenSecret.key, namespace: args.tokenSecret.namespace } } },
                        },
                    },
                },
            },
            { parent: this, dependsOn: opts?.dependsOn },
        );
        this.registerOutputs({});
    }
}
