/**
 * Step 5: how Argo CD reads private repositories and sends notifications on cloud stacks: a
 * ClusterSecretStore for AWS Secrets Manager, and one ExternalSecret per repository credential.
 */
import type { PlatformAwsResources } from "../components/aws/platformAwsResources";
import { NotificationsSecret, RepositoryCredential, SecretsManagerStore } from "../components/gitops/repositoryCredentials";
import type { ArgoCdInstall } from "./argocd";
import { externalSecretsServiceAccount, repositorySecretName } from "./aws";
import type { PlatformContext } from "./context";
import type { Foundation } from "./foundation";

/** Declares the secret store and the credentials; nothing without AWS resources. */
export function repositoryAccess(ctx: PlatformContext, foundation: Foundation, install: ArgoCdInstall, aws: PlatformAwsResources | undefined): void {
    if (!aws) return;
    const { platform, audit, argocdNamespace } = ctx;
    const store = new SecretsManagerStore(
        "secrets-manager",
        { region: foundation.region, serviceAccount: externalSecretsServiceAccount(platform), namespaces: [argocdNamespace], audit },
        install.after,
    );
    const afterStore = { ...install.after, dependsOn: [install.argocd, store, ...install.bootstrapAddons] };
    for (const repo of platform.gitops.repositories) {
        const creds = repo.credentials;
        if (!creds || creds.existingSecret) continue;
        new RepositoryCredential(
            `repo-${repo.name}`,
            {
                repository: ctx.repositories.named(repo.name),
                source: creds.ecrAuthorizationToken
                    ? { kind: "ecrToken", region: foundation.region, serviceAccount: platform.aws.repoServerServiceAccount }
                    : { kind: "secretsManager", secretName: repositorySecretName(platform, ctx.config.stack, repo.name, creds.externalSecret?.secretsManagerName) },
                argocdNamespace,
                audit,
            },
            afterStore,
        );
    }
    if (platform.argocd.notifications.secretsManagerName) {
        new NotificationsSecret("notifications-secret", { secretName: platform.argocd.notifications.secretsManagerName, argocdNamespace, audit }, afterStore);
    }
}
