/**
 * Step 3: the stack's AWS resources (ECR chart repositories, IRSA roles, Secrets Manager containers),
 * on cloud stacks only. `@pulumi/aws` is loaded here, when the stack has AWS resources, and not by a
 * stack without any (the local one), which then starts faster.
 */
import type { PlatformAwsResources } from "../aws/platformAwsResources";
import type { PlatformConfig } from "../../stacks/schema";
import { secretContainers } from "../../stacks/secretContainers";
import { secretStoreKind } from "../../stacks/secretStore";
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
        // Empty containers only where ExternalSecrets read Secrets Manager; a Kubernetes store is filled out of band.
        secrets: secretStoreKind(platform) === "secretsManager" ? secretContainers(platform, ctx.config.stack) : [],
        externalSecretsServiceAccount: externalSecretsServiceAccount(platform),
        repoServerServiceAccount: { namespace: ctx.argocdNamespace, name: platform.aws.repoServerServiceAccount },
        audit: ctx.audit,
    });
}

/** External Secrets Operator's service account (its IRSA role reads Secrets Manager). */
export function externalSecretsServiceAccount(platform: PlatformConfig): { namespace: string; name: string } {
    return { namespace: platform.aws.externalSecretsServiceAccount.namespace, name: platform.aws.externalSecretsServiceAccount.serviceAccount };
}
