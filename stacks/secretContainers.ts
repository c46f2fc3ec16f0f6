/**
 * The AWS Secrets Manager secrets a stack creates empty (Pulumi makes the container; the value is put
 * there out of band and read by External Secrets): one per repository credential from an
 * ExternalSecret, one for the notification tokens. Their names come from config, so two entries can
 * name the same secret, or two names can make the same Pulumi resource name: both are refused when
 * the config is read, naming both key paths, rather than by AWS or the engine halfway through an update.
 */
import type { ConfigProblem } from "../lib/stackConfigError";
import type { PlatformConfig } from "./schema";

/** What a secret's values are for: a repository's read or push credentials, or the notification tokens. */
export type SecretUse = { kind: "repository"; repository: string; access: "read" | "write" } | { kind: "notifications" };

/** One empty secret, with the config key it comes from. */
export interface SecretContainer {
    /** Secrets Manager name. */
    name: string;
    /** What goes in it. */
    description: string;
    /** Config key path that decides the name (`platform.gitops.repositories[1]`). */
    path: string;
    /** What its values are for. */
    use: SecretUse;
}

/** The Secrets Manager name of a repository's credentials: as configured, else under the stack's prefix. */
export function repositorySecretName(platform: PlatformConfig, stack: string, repo: string, explicit?: string): string {
    return explicit ?? `${platform.aws.secretsManagerPrefix ?? `gitops-platform/${stack}/`}repositories/${repo}`;
}

/** The Pulumi resource name part of a container: a secret name's characters other than letters, digits, `_` and `-` become `-`. */
export function secretContainerResourceName(secretName: string): string {
    return secretName.replace(/[^\w-]/g, "-");
}

/** The secrets a stack's ExternalSecrets read, by their Secrets Manager names (the containers of a stack reading AWS Secrets Manager). */
export function secretContainers(platform: PlatformConfig, stack: string): SecretContainer[] {
    const containers: SecretContainer[] = [];
    platform.gitops.repositories.forEach((r, i) => {
        for (const access of ["credentials", "writeCredentials"] as const) {
            const external = r[access]?.externalSecret;
            if (!external) continue;
            const explicit = external.secretsManagerName;
            const write = access === "writeCredentials";
            containers.push({
                name: repositorySecretName(platform, stack, write ? `${r.name}-write` : r.name, explicit),
                description: `Argo CD ${write ? "push credentials (the commit server's)" : "credentials"} (JSON username/password) for repository ${r.name}`,
                path: `platform.gitops.repositories[${i}]${explicit === undefined ? (write ? ".writeCredentials" : "") : `.${access}.externalSecret.secretsManagerName`}`,
                use: { kind: "repository", repository: r.name, access: write ? "write" : "read" },
            });
        }
    });
    const notifications = platform.argocd.notifications.secretsManagerName;
    if (notifications) {
        containers.push({ name: notifications, description: "Argo CD notification tokens (JSON, keys as in argocd-notifications-secret)", path: "platform.argocd.notifications.secretsManagerName", use: { kind: "notifications" } });
    }
    return containers;
}

/** Two containers with one secret name or one resource name, each reported at the later key path. */
export function secretContainerProblems(containers: SecretContainer[]): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const byName = new Map<string, SecretContainer>();
    const byResource = new Map<string, SecretContainer>();
    for (const c of containers) {
        const resource = secretContainerResourceName(c.name);
        const sameName = byName.get(c.name);
        const sameResource = byResource.get(resource);
        if (!sameName) byName.set(c.name, c);
        if (!sameResource) byResource.set(resource, c);
        if (sameName) {
            problems.push({ path: c.path, message: `Secrets Manager secret ${JSON.stringify(c.name)} is also the one of ${sameName.path}: give each its own secretsManagerName` });
        } else if (sameResource) {
            problems.push({
                path: c.path,
                message: `Secrets Manager secrets ${JSON.stringify(sameResource.name)} (${sameResource.path}) and ${JSON.stringify(c.name)} differ only in characters other than letters, digits, '_' and '-', which make one Pulumi resource name: rename one`,
            });
        }
    }
    return problems;
}
