/**
 * Step 5: how Argo CD reads repositories and sends notifications: a repository Secret for each public
 * OCI registry, and on cloud stacks a ClusterSecretStore for AWS Secrets Manager and one
 * ExternalSecret per repository credential.
 */
import type { PlatformAwsResources } from "../aws/platformAwsResources";
import { OciHelmRepository } from "../gitops/ociRepository";
import { NotificationsSecret, RepositoryCredential, SecretsManagerStore } from "../gitops/repositoryCredentials";
import type { ArgoCdInstall } from "./argocd";
import { repositorySecretName } from "../../stacks/secretContainers";
import { externalSecretsServiceAccount } from "./aws";
import type { PlatformContext } from "./context";
import type { Foundation } from "./foundation";

/** Declares the repository Secrets public OCI registries need, and with AWS the secret store and the credentials. */
export function repositoryAccess(ctx: PlatformContext, foundation: Foundation, install: ArgoCdInstall, aws: PlatformAwsResources | undefined): void {
    const { platform, audit, argocdNamespace } = ctx;
    // Argo CD reads a public OCI registry's charts only through a repository Secret saying enableOCI.
    for (const repo of ctx.repositories.all().filter((r) => r.type === "oci" && !platform.gitops.repositories.find((c) => c.name === r.name)?.credentials)) {
        new OciHelmRepository(`repo-${repo.name}`, { repository: repo, argocdNamespace, audit }, install.after);
    }
    if (!aws) return;
    const store = new SecretsManagerStore(
        "secrets-manager",
        { region: foundation.region, serviceAccount: externalSecretsServiceAccount(platform), namespaces: [argocdNamespace], audit },
        install.after,
    );
    const afterStore = install.alsoAfter(store);
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
    // The commit server's push credentials, where hydrated manifests are pushed with them.
    for (const repo of platform.gitops.repositories) {
        const external = repo.writeCredentials?.externalSecret;
        if (!external) continue;
        new RepositoryCredential(
            `repo-write-${repo.name}`,
            {
                repository: ctx.repositories.named(repo.name),
                access: "write",
                source: { kind: "secretsManager", secretName: repositorySecretName(platform, ctx.config.stack, `${repo.name}-write`, external.secretsManagerName) },
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
