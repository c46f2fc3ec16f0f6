/**
 * PlatformAwsResources: the AWS side of a cloud stack (dev/staging/prod): ECR repositories for the
 * platform's OCI charts, IRSA roles for External Secrets Operator (reads the repository secrets)
 * and the Argo CD repo server (pulls charts from ECR), and empty Secrets Manager containers for
 * repository credentials and notification tokens. Every resource carries the audit tags.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AuditMetadata, awsTags } from "../audit/auditMetadata";
import { ChartRegistry } from "./chartRegistry";
import { SecretContainers } from "./secretContainers";
import { ServiceAccountRole } from "./serviceAccountRole";

/** Arguments of {@link PlatformAwsResources}. */
export interface PlatformAwsResourcesArgs {
    /** AWS region. Required. */
    region: string;
    /** IAM OIDC provider ARN of the cluster (Terraform `oidc_provider_arn`). Required. */
    oidcProviderArn: string;
    /** ECR settings: path prefix, charts, retention. Required. */
    ecr: { namespace: string; charts: string[]; keepTaggedVersions: number; untaggedExpiryDays: number };
    /** Secrets Manager secrets to create empty, with what goes in them. Required (may be empty). */
    secrets: { name: string; description: string }[];
    /** External Secrets Operator service account. Required. */
    externalSecretsServiceAccount: { namespace: string; name: string };
    /** Argo CD repo-server service account. Required. */
    repoServerServiceAccount: { namespace: string; name: string };
    /** Audit metadata (tags). Required. */
    audit: AuditMetadata;
}

/** Type token of the component. */
export const PLATFORM_AWS_TYPE = "gitops:platform:PlatformAwsResources";

/** AWS resources of a cloud stack. */
export class PlatformAwsResources extends pulumi.ComponentResource {
    /** IRSA role ARNs by service name (`external-secrets`, `argocd-repo-server`). */
    readonly roleArns: Record<"external-secrets" | "argocd-repo-server", pulumi.Output<string>>;
    /** ECR repository ARNs of the charts. */
    readonly chartRepositoryArns: pulumi.Output<string>[];

    constructor(name: string, args: PlatformAwsResourcesArgs, opts?: pulumi.ComponentResourceOptions) {
        super(PLATFORM_AWS_TYPE, name, {}, opts);
        const tags = awsTags(args.audit);
        const provider = new aws.Provider(name, { region: args.region as aws.Region, defaultTags: { tags } }, { parent: this });
        const child = { parent: this, provider };

        const registry = new ChartRegistry("charts", { ...args.ecr, tags }, child);
        const containers = new SecretContainers("secrets", { secrets: args.secrets, tags }, child);
        const secretArns = Object.values(containers.arns);

        const eso = new ServiceAccountRole(
            "external-secrets",
            {
                oidcProviderArn: args.oidcProviderArn,
                namespace: args.externalSecretsServiceAccount.namespace,
                serviceAccount: args.externalSecretsServiceAccount.name,
                statements: pulumi.all(secretArns).apply((arns): aws.iam.PolicyStatement[] =>
                    arns.length
                        ? [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: arns }]
                        : // A role with nothing to read still needs a valid policy: deny is the honest one.
                          [{ Effect: "Deny", Action: ["secretsmanager:GetSecretValue"], Resource: "*" }],
                ),
                tags,
            },
            child,
        );
        const repoServer = new ServiceAccountRole(
            "argocd-repo-server",
            {
                oidcProviderArn: args.oidcProviderArn,
                namespace: args.repoServerServiceAccount.namespace,
                serviceAccount: args.repoServerServiceAccount.name,
                statements: pulumi.all(registry.repositoryArns).apply((arns): aws.iam.PolicyStatement[] => [
                    // GetAuthorizationToken has no resource-level permissions.
                    { Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
                    ...(arns.length ? [{ Effect: "Allow" as const, Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:DescribeImages"], Resource: arns }] : []),
                ]),
                tags,
            },
            child,
        );
        this.roleArns = { "external-secrets": eso.roleArn, "argocd-repo-server": repoServer.roleArn };
        this.chartRepositoryArns = registry.repositoryArns;
        this.registerOutputs({ roleArns: this.roleArns, chartRepositoryArns: this.chartRepositoryArns });
    }
}
