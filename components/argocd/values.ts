/**
 * The argo-cd chart values for a hardened installation. A pure function, so a test can check that
 * every key it sets exists in the chart's values.yaml (or sits under one of its free-form maps).
 */
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { auditNotificationSettings } from "./notifications";

/** OIDC single sign-on; the client secret stays in a Kubernetes Secret. */
export interface ArgoCdSso {
    /** Name on the login button. Required. */
    name: string;
    /** OIDC issuer URL. Required. */
    issuer: string;
    /** Client ID. Required. */
    clientId: string;
    /** Secret and key holding the client secret (the Secret must carry `app.kubernetes.io/part-of: argocd`). Required. */
    clientSecretRef: { name: string; key: string };
    /** Scopes requested at login. Required. */
    requestedScopes: string[];
}

/** RBAC settings. */
export interface ArgoCdRbac {
    /** Role of users without a mapping: `role:readonly` or `""` (nothing). Required. */
    defaultPolicy: "role:readonly" | "";
    /** Group-to-role bindings. Required (may be empty). */
    groupRoles: { group: string; role: string }[];
}

/** Notification targets; tokens are keys of `argocd-notifications-secret`, never values. */
export interface ArgoCdNotifications {
    /** Run the notifications controller. Required. */
    enabled: boolean;
    /**
     * Slack bot token key.
     * @default - no Slack
     */
    slack?: { tokenKey: string };
    /** Webhooks; `audit` ones get every audit event as JSON (components/argocd/notifications.ts). Required (may be empty). */
    webhooks: { name: string; url: string; tokenKey?: string; audit: boolean }[];
}

/** High availability settings. */
export interface ArgoCdHighAvailability {
    /** Turn HA on. Required. */
    enabled: boolean;
    /** Application controller replicas (shards). Required. */
    controllerReplicas: number;
    /** API server replicas. Required. */
    serverReplicas: number;
    /** Repo server replicas. Required. */
    repoServerReplicas: number;
    /** ApplicationSet controller replicas. Required. */
    applicationSetReplicas: number;
}

/** What makes Argo CD's deployments auditable in Git (see stacks/schema/integrity.ts). */
export interface ArgoCdGitTrail {
    /** Public keys Argo CD trusts to sign commits (`argocd-gpg-keys-cm`, by long key ID). Required (may be empty). */
    trustedKeys: { keyId: string; armored: string }[];
    /** Run the source hydrator and its commit server. Required. */
    hydrator: boolean;
    /** The commit server signs hydrated commits with the key in `argocd-commit-server-gpg-signing-key` (Argo CD 3.6). Required. */
    signHydratedCommits: boolean;
}

/** Where the commit server's signing key Secret is mounted in its pod (Argo CD 3.6's manifests). */
export const COMMIT_SIGNING_KEY_PATH = "/app/config/gpg/signing/signingKey";

/** Inputs of {@link argoCdValues}. */
export interface ArgoCdValuesArgs {
    /**
     * Public host name (`global.domain`).
     * @default - the chart's
     */
    domain?: string;
    /**
     * bcrypt hash of the admin password; its presence turns the local admin user on.
     * @default - admin off
     */
    adminPasswordHash?: pulumi.Input<string>;
    /**
     * OIDC SSO.
     * @default - none
     */
    sso?: ArgoCdSso;
    /** RBAC. Required. */
    rbac: ArgoCdRbac;
    /** Notifications. Required. */
    notifications: ArgoCdNotifications;
    /** High availability. Required. */
    ha: ArgoCdHighAvailability;
    /**
     * IAM role ARN for the repo-server service account (IRSA, pulls charts from ECR).
     * @default - none
     */
    repoServerRoleArn?: pulumi.Input<string>;
    /** Labels put on every object of the chart (audit labels). Required. */
    labels: Record<string, string>;
    /**
     * Trusted signing keys and the hydrator.
     * @default - no key trusted, no hydrator
     */
    gitTrail?: ArgoCdGitTrail;
    /**
     * Whether the chart installs Argo CD's CRDs; false when the argocd-crds stack does.
     * @default true
     */
    installCrds?: boolean;
}

/** Fixed admin password change time: the chart's default is "now", which would change every render. */
export const ADMIN_PASSWORD_MTIME = "2024-01-01T00:00:00Z";

/** The chart values. */
export function argoCdValues(args: ArgoCdValuesArgs): Record<string, unknown> {
    const ha = args.ha;
    const replicas = (n: number) => (ha.enabled ? n : 1);
    const cm: Record<string, unknown> = {
        "admin.enabled": args.adminPasswordHash !== undefined,
        "users.anonymous.enabled": "false",
        "exec.enabled": false,
        // Annotation tracking does not collide with labels that other tools (Helm, operators) set.
        "application.resourceTrackingMethod": "annotation",
    };
    if (args.sso) {
        cm["oidc.config"] = YAML.stringify({
            name: args.sso.name,
            issuer: args.sso.issuer,
            clientID: args.sso.clientId,
            // `$<secret>:<key>`: Argo CD reads the value from that Secret at runtime; it never enters values.
            clientSecret: `$${args.sso.clientSecretRef.name}:${args.sso.clientSecretRef.key}`,
            requestedScopes: args.sso.requestedScopes,
        });
    }
    const rbac: Record<string, unknown> = {
        "policy.default": args.rbac.defaultPolicy,
        "policy.csv": args.rbac.groupRoles.map((g) => `g, ${g.group}, ${g.role}`).join("\n"),
        scopes: "[groups]",
    };
    const secret: Record<string, unknown> = {};
    if (args.adminPasswordHash !== undefined) {
        secret.argocdServerAdminPassword = args.adminPasswordHash;
        secret.argocdServerAdminPasswordMtime = ADMIN_PASSWORD_MTIME;
    }
    const trail = args.gitTrail;
    // Progressive syncs: an ApplicationSet with a rollout (RollingSync) syncs its Applications in waves.
    const params: Record<string, unknown> = { "server.insecure": false, "applicationsetcontroller.enable.progressive.syncs": true };
    if (trail?.hydrator) params["hydrator.enabled"] = "true";
    // Setting the key's path is what turns signing on; the Secret never passes through Pulumi.
    if (trail?.hydrator && trail.signHydratedCommits) params["commitserver.signing.key.path"] = COMMIT_SIGNING_KEY_PATH;
    const gpg = trail && trail.trustedKeys.length > 0 ? { gpg: { keys: Object.fromEntries(trail.trustedKeys.map((k) => [k.keyId, k.armored])) } } : {};
    const pdb = { enabled: ha.enabled };
    const values: Record<string, unknown> = {
        global: { ...(args.domain ? { domain: args.domain } : {}), additionalLabels: args.labels },
        crds: { install: args.installCrds ?? true, keep: true, additionalLabels: args.labels },
        configs: {
            cm,
            params,
            rbac,
            secret,
            ...gpg,
        },
        // Dex is not needed: SSO talks OIDC to the identity provider directly.
        dex: { enabled: false },
        controller: { replicas: replicas(ha.controllerReplicas), pdb },
        server: { replicas: replicas(ha.serverReplicas), pdb },
        repoServer: {
            replicas: replicas(ha.repoServerReplicas),
            pdb,
            ...(args.repoServerRoleArn ? { serviceAccount: { annotations: { "eks.amazonaws.com/role-arn": args.repoServerRoleArn } } } : {}),
        },
        applicationSet: { replicas: replicas(ha.applicationSetReplicas), pdb },
        ...(trail?.hydrator ? { commitServer: { enabled: true } } : {}),
        "redis-ha": { enabled: ha.enabled },
        // The Secret this hook Job would make comes from ArgoCdRedisPassword: no hooks are rendered.
        redisSecretInit: { enabled: false },
        notifications: notificationValues(args.notifications),
    };
    return values;
}

function notificationValues(n: ArgoCdNotifications): Record<string, unknown> {
    if (!n.enabled) return { enabled: false };
    const notifiers: Record<string, string> = {};
    if (n.slack) notifiers["service.slack"] = YAML.stringify({ token: `$${n.slack.tokenKey}` });
    for (const hook of n.webhooks) {
        notifiers[`service.webhook.${hook.name}`] = YAML.stringify({
            url: hook.url,
            // Argo CD's webhook client sends no Content-Type of its own.
            headers: [{ name: "Content-Type", value: "application/json" }, ...(hook.tokenKey ? [{ name: "Authorization", value: `Bearer $${hook.tokenKey}` }] : [])],
        });
    }
    const auditHooks = n.webhooks.filter((w) => w.audit).map((w) => w.name);
    return {
        enabled: true,
        // The tokens live in argocd-notifications-secret, made by an ExternalSecret or by hand, never by the chart.
        secret: { create: false },
        notifiers,
        ...(auditHooks.length > 0 ? auditNotificationSettings(auditHooks) : {}),
    };
}
