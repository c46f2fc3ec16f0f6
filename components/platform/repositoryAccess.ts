/**
 * Step 5: how Argo CD reads repositories and sends notifications: a repository Secret for each public
 * OCI registry, and where the stack has a secret store (a Kubernetes secrets cluster, or AWS Secrets
 * Manager) its ClusterSecretStore and one ExternalSecret per repository credential.
 */
import { OciHelmRepository } from "../gitops/ociRepository";
import { KubernetesSecretStore } from "../gitops/kubernetesSecretStore";
import { NotificationsSecret, RepositoryCredential, SecretsManagerStore } from "../gitops/repositoryCredentials";
import type { ArgoCdInstall } from "./argocd";
import { repositorySecretName } from "../../stacks/secretContainers";
import { secretStoreKind, storeKey } from "../../stacks/secretStore";
import { externalSecretsServiceAccount } from "./aws";
import type { PlatformContext } from "./context";
import type { Foundation } from "./foundation";

/** Declares the repository Secrets public OCI registries need, and with a secret store the store and the credentials. */
export function repositoryAccess(ctx: PlatformContext, foundation: Foundation, install: ArgoCdInstall): void {
    const { platform, audit, argocdNamespace } = ctx;
    // Argo CD reads a public OCI registry's charts only through a repository Secret saying enableOCI.
    for (const repo of ctx.repositories.all().filter((r) => r.type === "oci" && !platform.gitops.repositories.find((c) => c.name === r.name)?.credentials)) {
        new OciHelmRepository(`repo-${repo.name}`, { repository: repo, argocdNamespace, audit }, install.after);
    }
    const kind = secretStoreKind(platform);
    if (!kind) return;
    const kubernetes = platform.secrets.store?.kubernetes;
    const store = kubernetes
        ? new KubernetesSecretStore(
              "kubernetes-secrets",
              { server: kubernetes.server, caBundle: kubernetes.caBundle, remoteNamespace: kubernetes.remoteNamespace, tokenSecret: kubernetes.auth.tokenSecret, namespaces: [argocdNamespace], audit },
              install.after,
          )
        : new SecretsManagerStore("secrets-manager", { region: foundation.region, serviceAccount: externalSecretsServiceAccount(platform), namespaces: [argocdNamespace], audit }, install.after);
    const afterStore = install.alsoAfter(store);
    const fromStore = { store: store.storeName, refreshInterval: platform.secrets.refreshInterval, argocdNamespace, audit };
    const keyOf = (repo: string, explicit?: string) => storeKey(kind, repositorySecretName(platform, ctx.config.stack, repo, explicit));
    for (const repo of platform.gitops.repositories) {
        const creds = repo.credentials;
        if (!creds || creds.existingSecret) continue;
        const repository = ctx.repositories.named(repo.name);
        new RepositoryCredential(
            `repo-${repo.name}`,
            creds.ecrAuthorizationToken
                ? // An ECR token lives 12h: refreshed every 6h whatever the store's interval.
                  { ...fromStore, repository, refreshInterval: undefined, source: { kind: "ecrToken", region: foundation.region, serviceAccount: platform.aws.repoServerServiceAccount } }
                : { ...fromStore, repository, source: { kind: "storeKey", key: keyOf(repo.name, creds.externalSecret?.secretsManagerName) } },
            afterStore,
        );
    }
    // The commit server's push credentials, where hydrated manifests are pushed with them.
    for (const repo of platform.gitops.repositories) {
        const external = repo.writeCredentials?.externalSecret;
        if (!external) continue;
        new RepositoryCredential(
            `repo-write-${repo.name}`,
            { ...fromStore, repository: ctx.repositories.named(repo.name), access: "write", source: { kind: "storeKey", key: keyOf(`${repo.name}-write`, external.secretsManagerName) } },
            afterStore,
        );
    }
    const notifications = platform.argocd.notifications.secretsManagerName;
    if (notifications) {
        new NotificationsSecret("notifications-secret", { ...fromStore, key: storeKey(kind, notifications) }, afterStore);
    }
}
