/**
 * Credentials for private chart repositories without a secret ever passing through Pulumi: an
 * ExternalSecret that External Secrets Operator fills from a secret store (AWS Secrets Manager, or a
 * Kubernetes secrets cluster: `kubernetesSecretStore.ts`) or from an ECR authorization token it
 * mints, producing a labelled Argo CD repository Secret in the cluster. A repository whose Secret
 * already exists needs nothing here.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AuditMetadata, auditLabels } from "../audit/auditMetadata";
import { argoRepoUrl, ChartRepository } from "./repositoryUrl";

/**
 * API versions External Secrets Operator 1.3 serves (the pinned add-on, policies/data/addons.catalogue.yaml):
 * `external-secrets.io/v1` (v1beta1 is not served since v0.17.0); the generators are still v1alpha1.
 */
export const EXTERNAL_SECRETS_API = "external-secrets.io/v1";
export const ESO_GENERATORS_API = "generators.external-secrets.io/v1alpha1";

/** Name of the ClusterSecretStore reading AWS Secrets Manager. */
export const AWS_SECRET_STORE = "aws-secrets-manager";

/** Arguments of {@link SecretsManagerStore}. */
export interface SecretsManagerStoreArgs {
    /** AWS region of the secrets. Required. */
    region: pulumi.Input<string>;
    /** Service account of External Secrets Operator (IRSA). Required. */
    serviceAccount: { namespace: string; name: string };
    /** Namespaces allowed to use the store. Required. */
    namespaces: pulumi.Input<string>[];
    /** Audit metadata. Required. */
    audit: AuditMetadata;
}

/** The ClusterSecretStore for AWS Secrets Manager, usable from the given namespaces only. */
export class SecretsManagerStore extends pulumi.ComponentResource {
    /** Store name. */
    readonly storeName = AWS_SECRET_STORE;

    constructor(name: string, args: SecretsManagerStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops:platform:SecretsManagerStore", name, {}, opts);
        new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: EXTERNAL_SECRETS_API,
                kind: "ClusterSecretStore",
                metadata: { name: AWS_SECRET_STORE, labels: auditLabels(args.audit) },
                spec: {
                    conditions: [{ namespaces: args.namespaces }],
                    provider: {
                        aws: {
                            service: "SecretsManager",
                            region: args.region,
                            auth: { jwt: { serviceAccountRef: { name: args.serviceAccount.name, namespace: args.serviceAccount.namespace } } },
                        },
                    },
                },
            },
            { parent: this, dependsOn: opts?.dependsOn },
        );
        this.registerOutputs({});
    }
}

/** Where a repository's credentials come from. */
export type CredentialSource =
    /** A key of the secret store with the fields `username` and `password`. */
    | { kind: "storeKey"; key: pulumi.Input<string> }
    /** An ECR authorization token minted with the given service account's IAM role. */
    | { kind: "ecrToken"; region: pulumi.Input<string>; serviceAccount: string };

/** Arguments of {@link RepositoryCredential}. */
export interface RepositoryCredentialArgs {
    /** The repository. Required. */
    repository: ChartRepository;
    /** Credential source. Required. */
    source: CredentialSource;
    /** Name of the ClusterSecretStore the ExternalSecret reads (`storeName` of the stack's store). Required. */
    store: string;
    /** Namespace Argo CD runs in. Required. */
    argocdNamespace: pulumi.Input<string>;
    /**
     * `write`: the commit server's push credentials (an Argo CD `repository-write` Secret, `repo-write-<name>`).
     * @default "read"
     */
    access?: "read" | "write";
    /**
     * How often ESO refreshes the Secret.
     * @default "1h" (`6h` for ECR tokens, which live 12h)
     */
    refreshInterval?: string;
    /** Audit metadata. Required. */
    audit: AuditMetadata;
}

/** An ExternalSecret that produces the Argo CD repository Secret `repo-<name>` (or `repo-write-<name>`). */
export class RepositoryCredential extends pulumi.ComponentResource {
    /** Name of the Kubernetes Secret ESO writes. */
    readonly secretName: string;

    constructor(name: string, args: RepositoryCredentialArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops:platform:RepositoryCredential", name, {}, opts);
        const repo = args.repository;
        const write = args.access === "write";
        this.secretName = write ? `repo-write-${repo.name}` : `repo-${repo.name}`;
        const labels = auditLabels(args.audit);
        let dataFrom: Record<string, unknown>[];
        if (args.source.kind === "ecrToken") {
            const generatorName = `ecr-token-${repo.name}`;
            new k8s.apiextensions.CustomResource(
                `${name}-ecr-token`,
                {
                    apiVersion: ESO_GENERATORS_API,
                    kind: "ECRAuthorizationToken",
                    metadata: { name: generatorName, namespace: args.argocdNamespace, labels },
                    spec: { region: args.source.region, auth: { jwt: { serviceAccountRef: { name: args.source.serviceAccount } } } },
                },
                { parent: this, dependsOn: opts?.dependsOn },
            );
            dataFrom = [{ sourceRef: { generatorRef: { apiVersion: ESO_GENERATORS_API, kind: "ECRAuthorizationToken", name: generatorName } } }];
        } else {
            dataFrom = [{ extract: { key: args.source.key } }];
        }
        new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: EXTERNAL_SECRETS_API,
                kind: "ExternalSecret",
                metadata: { name: this.secretName, namespace: args.argocdNamespace, labels },
                spec: {
                    refreshInterval: args.refreshInterval ?? (args.source.kind === "ecrToken" ? "6h" : "1h"),
                    secretStoreRef: { kind: "ClusterSecretStore", name: args.store },
                    dataFrom,
                    target: {
                        name: this.secretName,
                        creationPolicy: "Owner",
                        template: {
                            metadata: { labels: { ...labels, "argocd.argoproj.io/secret-type": write ? "repository-write" : "repository" } },
                            // Only non-secret facts are written here; username/password come from the source at runtime.
                            data: {
                                name: repo.name,
                                url: argoRepoUrl(repo),
                                type: repo.type === "git" ? "git" : "helm",
                                ...(repo.type === "oci" ? { enableOCI: "true" } : {}),
                                username: "{{ .username }}",
                                password: "{{ .password }}",
                            },
                        },
                    },
                },
            },
            { parent: this, dependsOn: opts?.dependsOn },
        );
        this.registerOutputs({ secretName: this.secretName });
    }
}

/** Arguments of {@link NotificationsSecret}. */
export interface NotificationsSecretArgs {
    /** Key of the secret store whose fields become the tokens. Required. */
    key: pulumi.Input<string>;
    /** Name of the ClusterSecretStore the ExternalSecret reads. Required. */
    store: string;
    /** Namespace Argo CD runs in. Required. */
    argocdNamespace: pulumi.Input<string>;
    /**
     * How often ESO refreshes the Secret.
     * @default "1h"
     */
    refreshInterval?: string;
    /** Audit metadata. Required. */
    audit: AuditMetadata;
}

/** The ExternalSecret that produces `argocd-notifications-secret` (Slack and webhook tokens). */
export class NotificationsSecret extends pulumi.ComponentResource {
    constructor(name: string, args: NotificationsSecretArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops:platform:NotificationsSecret", name, {}, opts);
        const labels = auditLabels(args.audit);
        new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: EXTERNAL_SECRETS_API,
                kind: "ExternalSecret",
                metadata: { name: "argocd-notifications-secret", namespace: args.argocdNamespace, labels },
                spec: {
                    refreshInterval: args.refreshInterval ?? "1h",
                    secretStoreRef: { kind: "ClusterSecretStore", name: args.store },
                    dataFrom: [{ extract: { key: args.key } }],
                    target: {
                        name: "argocd-notifications-secret",
                        creationPolicy: "Owner",
                        template: { metadata: { labels: { ...labels, "app.kubernetes.io/part-of": "argocd" } } },
                    },
                },
            },
            { parent: this, dependsOn: opts?.dependsOn },
        );
        this.registerOutputs({});
    }
}
