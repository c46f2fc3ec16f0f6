/**
 * Step 3: the stack's AWS resources (ECR chart repositories, IRSA roles, Secrets Manager containers),
 * on cloud stacks only. `@pulumi/aws` is loaded here, when the stack has AWS resources, and not by a
 * stack without any (the local one), which then starts faster.
 */
import type { PlatformAwsResources } from "../aws/platformAwsResources";
import type { PlatformConfig } from "../../stacks/schema";
import type { PlatformContext } from "./context";
import type { Foundation } from "./foundation";

/** The AWS resources, or undefined when `platform.aws.enabled` is false. */
export async function platformAws(ctx: PlatformContext, foundation: Foundation): Promise<PlatformAwsResources | undefined> {
    const platform = ctx.platform;
    if (!platform.aws.enabled) return undefined;
    const { PlatformAwsResources } = await import("../aws/platformAwsResources");
    return new PlatformAwsResources("aws", {
        region: platform.aws.region ?? foundation.region,
        oidcProviderArn: foundation.outputs.oidc_provider_arn.value,
        ecr: platform.aws.ecr,
        secrets: secretContainers(platform, ctx.config.stack),
        externalSecretsServiceAccount: externalSecretsServiceAccount(platform),
        repoServerServiceAccount: { namespace: ctx.argocdNamespace, name: platform.aws.repoServerServiceAccount },
        audit: ctx.audit,
    });
}

/** External Secrets Operator's service account (its IRSA role reads Secrets Manager). */
export function externalSecretsServiceAccount(platform: PlatformConfig): { namespace: string; name: string } {
    return { namespace: platform.aws.externalSecretsServiceAccount.namespace, name: platform.aws.externalSecretsServiceAccount.serviceAccount };
}

/** The Secrets Manager name of a repository's credentials: as configured, else under the stack's prefix. */
export function repositorySecretName(platform: PlatformConfig, stack: string, repo: string, explicit?: string): string {
    return explicit ?? `${platform.aws.secretsManagerPrefix ?? `gitops-platform/${stack}/`}repositories/${repo}`;
}

/** The empty Secrets Manager containers a stack needs: repository credentials and notification tokens. */
function secretContainers(platform: PlatformConfig, stack: string): { name: string; description: string }[] {
    return [
        ...platform.gitops.repositories
            .filter((r) => r.credentials?.externalSecret)
            .map((r) => ({
                name: repositorySecretName(platform, stack, r.name, r.credentials?.externalSecret?.secretsManagerName),
                description: `Argo CD credentials (JSON username/password) for repository ${r.name}`,
            })),
        ...(platform.argocd.notifications.secretsManagerName
            ? [{ name: platform.argocd.notifications.secretsManagerName, description: "Argo CD notification tokens (JSON, keys as in argocd-notifications-secret)" }]
            : []),
    ];
}
