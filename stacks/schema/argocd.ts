import { z } from "zod";
import { HttpsUrlSchema, KubernetesNameSchema, SecretKeyRefSchema } from "./common";
import { IdentityGroupSchema } from "./tenancy";
import { ExactVersionSchema } from "./versions";

/** The upstream argo-cd chart this platform is built and tested against. */
export const DEFAULT_ARGOCD_CHART = {
    repository: "https://argoproj.github.io/argo-helm",
    name: "argo-cd",
    version: "10.1.1",
} as const;

/**
 * Where the argo-cd chart comes from: the upstream Helm repository at an exact version, or a local
 * chart directory (`path`, used offline by the end-to-end test with a stand-in chart).
 */
export const ArgoCdChartSchema = z
    .strictObject({
        /** Helm repository URL. Default `https://argoproj.github.io/argo-helm`. */
        repository: HttpsUrlSchema.optional(),
        /** Chart name in that repository. Default `argo-cd`. */
        name: z.string().min(1).optional(),
        /** Exact chart version. Default `10.1.1` (Argo CD v3.4.4). */
        version: ExactVersionSchema.optional(),
        /** Local chart directory, relative to the project root, used instead of repository+version. Default: none. */
        path: z.string().min(1).optional(),
    })
    .superRefine((chart, ctx) => {
        if (chart.path !== undefined) {
            for (const key of ["repository", "version"] as const) {
                if (chart[key] !== undefined) {
                    ctx.addIssue({ code: "custom", path: [key], message: "give either path (a local chart) or repository+version, not both" });
                }
            }
        }
    });

/** Single sign-on through an OIDC provider. */
export const SsoSchema = z.strictObject({
    /** Name shown on the login button. Default `SSO`. */
    name: z.string().min(1).default("SSO"),
    /** OIDC issuer URL. Required. */
    issuer: HttpsUrlSchema,
    /** OIDC client ID (not a secret). Required. */
    clientId: z.string().min(1),
    /** Kubernetes Secret key holding the client secret; the secret itself never enters values or state. Required. */
    clientSecretRef: SecretKeyRefSchema,
    /** Scopes requested at login. Default `["openid", "profile", "email", "groups"]`. */
    requestedScopes: z.array(z.string().min(1)).default(["openid", "profile", "email", "groups"]),
});

/** One identity-provider group bound to an Argo CD role. */
export const GroupRoleSchema = z.strictObject({
    /** Group name as the OIDC `groups` claim carries it; written into `policy.csv`, so no comma, quote or line break. Required. */
    group: IdentityGroupSchema,
    /** Argo CD role, e.g. `role:admin`, `role:readonly` or a project role. Required. */
    role: z.string().regex(/^(role:[\w-]+|proj:[\w-]+:[\w-]+)$/, { message: "expected role:<name> or proj:<project>:<role>" }),
});

/** Argo CD RBAC (`argocd-rbac-cm`). */
export const RbacSchema = z.strictObject({
    /** Role for authenticated users without a mapping: read-only or nothing. Default `role:readonly`. */
    defaultPolicy: z.enum(["role:readonly", ""]).default("role:readonly"),
    /** Group-to-role bindings. Default: none. */
    groupRoles: z.array(GroupRoleSchema).default([]),
});

/** A webhook notification target. */
export const WebhookNotifierSchema = z.strictObject({
    /** Name of the webhook service (`service.webhook.<name>`). Required. */
    name: KubernetesNameSchema,
    /** Webhook URL. Required. */
    url: HttpsUrlSchema,
    /**
     * Key of `argocd-notifications-secret` with a bearer token sent as `Authorization` (Argo CD finds
     * `$<key>` by the pattern `[\w-]+`, so a dot would cut it short). Default: no token.
     */
    tokenKey: z.string().regex(/^[\w-]+$/, { message: "expected a key of letters, digits, '_' and '-' (Argo CD reads $<key> up to the first other character)" }).optional(),
    /** Send every audit event here as JSON: syncs, degradations, failed verifications and hydrations. Default `true`. */
    audit: z.boolean().default(true),
});

/** Argo CD notifications (Slack and/or webhooks); tokens live in `argocd-notifications-secret`. */
export const NotificationsSchema = z.strictObject({
    /** Run the notifications controller. Default `false`. */
    enabled: z.boolean().default(false),
    /** Slack: the key of `argocd-notifications-secret` holding the bot token. Default: no Slack. */
    slack: z.strictObject({ tokenKey: z.string().min(1).default("slack-token") }).optional(),
    /** Webhook targets. Default: none. */
    webhooks: z.array(WebhookNotifierSchema).default([]),
    /**
     * AWS Secrets Manager secret whose JSON keys become `argocd-notifications-secret` (through an
     * ExternalSecret); with `secrets.store.kubernetes` the Secret of this name with each `/` as `.`,
     * its data keys. Default: none, the Secret is expected to exist already.
     */
    secretsManagerName: z.string().min(1).optional(),
});

/** High availability (prod): redis-ha, replicas, controller sharding, PodDisruptionBudgets. */
export const HighAvailabilitySchema = z.strictObject({
    /** Turn HA on. Default `false`. */
    enabled: z.boolean().default(false),
    /** Application controller replicas, i.e. shards. Default `2`. */
    controllerReplicas: z.number().int().min(1).default(2),
    /** API server replicas. Default `2`. */
    serverReplicas: z.number().int().min(2).default(2),
    /** Repo server replicas. Default `2`. */
    repoServerReplicas: z.number().int().min(2).default(2),
    /** ApplicationSet controller replicas. Default `2`. */
    applicationSetReplicas: z.number().int().min(2).default(2),
});

/**
 * How Argo CD is reached from outside the cluster: a Gateway API Gateway with TLS passthrough to
 * argocd-server (Argo CD keeps its own TLS, gRPC for the CLI included) and an HTTP listener that
 * redirects to HTTPS. See docs/adr-0004-gateway-api.md.
 */
export const ArgoCdGatewaySchema = z.strictObject({
    /** GatewayClass of the Gateway; declared by the program for Envoy Gateway. Default `envoy-gateway`. */
    className: KubernetesNameSchema.default("envoy-gateway"),
    /**
     * Annotations for what the implementation makes for the Gateway (Gateway API
     * `spec.infrastructure.annotations`; Envoy Gateway puts them on the proxy's Service), e.g. the
     * AWS NLB annotation on EKS. Default: none.
     */
    infrastructureAnnotations: z.record(z.string().min(1), z.string()).default({}),
});
export type ArgoCdGatewayConfig = z.infer<typeof ArgoCdGatewaySchema>;

/**
 * Argo CD's CRDs (650 KB of schema): installed by the argo-cd chart in this stack, or by this
 * stack's namesake in the `argocd-crds` project, brought up first, so that this stack's
 * previews carry none of them (docs/adr-0011-argocd-crds-stack.md).
 */
export const ArgoCdCrdsSchema = z
    .strictObject({
        /** `chart` (default) or `crds-stack`. */
        installedBy: z.enum(["chart", "crds-stack"]).default("chart"),
        /**
         * For `crds-stack`: a directory of Argo CD's CRD files (`*-crd.yaml`, as Argo CD's
         * `manifests/crds` has them), relative to the project root. Default: those of the Argo CD
         * release (`release`) at github.com/argoproj/argo-cd.
         */
        path: z.string().min(1).optional(),
    })
    .superRefine((crds, ctx) => {
        if (crds.path !== undefined && crds.installedBy !== "crds-stack") {
            ctx.addIssue({ code: "custom", path: ["path"], message: "a CRD directory is read by the argocd-crds stack only: set installedBy: crds-stack, or remove path" });
        }
    });
export type ArgoCdCrdsConfig = z.infer<typeof ArgoCdCrdsSchema>;

/** The Argo CD installation. */
export const ArgoCdConfigSchema = z.strictObject({
    /** Chart source. Default: upstream argo-cd 10.1.1. */
    chart: ArgoCdChartSchema.prefault({}),
    /**
     * The Argo CD release the chart installs, which decides the features the program uses (source
     * integrity and the hydrator from 3.5, signed hydrated commits from 3.6). Default: the pairing
     * recorded in the add-on catalogue (argo-cd 10.1.1 is v3.4.4; the local chart the loop's release).
     */
    release: ExactVersionSchema.optional(),
    /** Namespace Argo CD runs in. Default `argocd`. */
    namespace: KubernetesNameSchema.default("argocd"),
    /** Public host name of the UI/API (`global.domain`). Default: the chart's `argocd.example.com`. */
    domain: z.string().regex(/^[a-z0-9.-]+$/, { message: "expected a DNS name" }).optional(),
    /** Local `admin` user; allowed on the local stack only, its password is the secret `gitops-platform:argocdAdminPassword`. Default `false`. */
    admin: z.strictObject({ enabled: z.boolean().default(false) }).prefault({}),
    /** OIDC single sign-on. Default: none. */
    sso: SsoSchema.optional(),
    /** RBAC. Default: read-only default policy, no group bindings. */
    rbac: RbacSchema.prefault({}),
    /** Notifications. Default: off. */
    notifications: NotificationsSchema.prefault({}),
    /** High availability. Default: off. */
    ha: HighAvailabilitySchema.prefault({}),
    /** Exposure through a Gateway (needs `domain` and the Gateway API CRDs). Default: none (port-forward). */
    gateway: ArgoCdGatewaySchema.optional(),
    /** Who installs Argo CD's CRDs. Default: the chart, in this stack. */
    crds: ArgoCdCrdsSchema.prefault({}),
});
export type ArgoCdConfig = z.infer<typeof ArgoCdConfigSchema>;
