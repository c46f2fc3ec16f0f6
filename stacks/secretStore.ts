/**
 * The store a stack's ExternalSecrets read, and the key each asks it for. AWS Secrets Manager keys
 * are the secret names (`stacks/secretContainers.ts`); a Kubernetes store holds each value as a
 * Secret, whose name cannot have a `/`: the same name with every `/` as `.`. Everything a store must
 * hold is listed here, so whoever fills it (an operator, the local loop) fills what the program reads.
 */
import type { ConfigProblem } from "../lib/stackConfigError";
import type { PlatformConfig } from "./schema";
import { secretContainerProblems, secretContainers, type SecretUse } from "./secretContainers";

/** Which store ExternalSecrets read: a Kubernetes secrets cluster, or AWS Secrets Manager. */
export type SecretStoreKind = "kubernetes" | "secretsManager";

/** The stack's store: `secrets.store.kubernetes` when set, else Secrets Manager on a stack with AWS resources, else none. */
export function secretStoreKind(platform: Pick<PlatformConfig, "secrets" | "aws">): SecretStoreKind | undefined {
    if (platform.secrets.store?.kubernetes) return "kubernetes";
    return platform.aws.enabled ? "secretsManager" : undefined;
}

/** The key an ExternalSecret asks the store for, from the Secrets Manager name the config gives. */
export function storeKey(kind: SecretStoreKind, secretsManagerName: string): string {
    return kind === "kubernetes" ? secretsManagerName.replaceAll("/", ".") : secretsManagerName;
}

/** One value the store must hold. */
export interface StoreKey {
    /** The key ExternalSecrets ask for: a Secrets Manager name, or a Secret's name in the remote namespace. */
    key: string;
    /** What goes in it, in words. */
    description: string;
    /** The fields read from it (JSON keys in Secrets Manager, data keys of a Kubernetes Secret). */
    fields: string[];
    /** What its values are for. */
    use: SecretUse;
    /** Config key path that decides the key. */
    path: string;
}

/** Every key the stack's store must hold, with what goes in it; none without a store. */
export function storeKeys(platform: PlatformConfig, stack: string): StoreKey[] {
    const kind = secretStoreKind(platform);
    if (!kind) return [];
    const notifications = platform.argocd.notifications;
    const tokenKeys = [...(notifications.slack ? [notifications.slack.tokenKey] : []), ...notifications.webhooks.flatMap((w) => (w.tokenKey ? [w.tokenKey] : []))];
    return secretContainers(platform, stack).map((c) => {
        const fields = c.use.kind === "repository" ? ["username", "password"] : [...new Set(tokenKeys)];
        const what = c.use.kind === "notifications"
            ? "Argo CD notification tokens (the keys of argocd-notifications-secret)"
            : `Argo CD ${c.use.access === "write" ? "push credentials (the commit server's)" : "credentials"} for repository ${c.use.repository}`;
        const holder = kind === "kubernetes" ? `a Secret with the data keys ${fields.join(", ") || "(none yet)"}` : `JSON with the keys ${fields.join(", ") || "(none yet)"}`;
        return { key: storeKey(kind, c.name), description: `${what}: ${holder}`, fields, use: c.use, path: c.path };
    });
}

/** A Kubernetes Secret name: a DNS subdomain of at most 253 characters. */
const SECRET_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Keys the store cannot hold, or that two config keys share, each reported at the key path that
 * decides it. Secrets Manager: the containers' own checks (one name, one Pulumi resource name).
 */
export function storeKeyProblems(platform: PlatformConfig, stack: string): ConfigProblem[] {
    const store = platform.secrets.store?.kubernetes;
    if (!store) return secretContainerProblems(secretContainers(platform, stack));
    const problems: ConfigProblem[] = [];
    const byKey = new Map<string, StoreKey>();
    for (const k of storeKeys(platform, stack)) {
        const same = byKey.get(k.key);
        if (!SECRET_NAME.test(k.key) || k.key.length > 253) {
            problems.push({
                path: k.path,
                message: `the kubernetes store reads the Secret ${JSON.stringify(k.key)} (the name with each '/' as '.'), which is no valid Secret name (lowercase letters, digits, '-' and '.', each part between dots starting and ending with a letter or digit, at most 253 characters): choose a secretsManagerName (or aws.secretsManagerPrefix) that makes one`,
            });
        } else if (same) {
            problems.push({ path: k.path, message: `the kubernetes store reads the Secret ${JSON.stringify(k.key)} for ${same.path} too: give each its own secretsManagerName` });
        } else {
            byKey.set(k.key, k);
        }
    }
    return problems;
}
