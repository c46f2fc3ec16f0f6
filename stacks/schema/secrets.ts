/**
 * Where External Secrets Operator reads the values of the stack's ExternalSecrets (repository
 * credentials, notification tokens), and who runs it. Without a store here, the values come from AWS
 * Secrets Manager (a stack with `aws.enabled`).
 */
import { z } from "zod";
import { HttpsUrlSchema, KubernetesNameSchema } from "./common";

/**
 * A Go duration in whole seconds, minutes or hours, as External Secrets Operator reads a
 * `refreshInterval`: `15s`, `10m`, `1h`.
 */
export const RefreshIntervalSchema = z.string().regex(/^\d+[smh]$/, { message: "expected a duration like 15s, 10m or 1h" });

/**
 * The public CA certificate(s) of an API server: PEM, base64-encoded as a `caBundle` field is. A
 * private key is refused: this config is stored in Git in plaintext.
 */
export const CaBundleSchema = z
    .string()
    // Not base64: nothing to decode, so the checks below would only repeat it.
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, { message: "expected base64 (of the PEM CA certificate: base64 -w0 ca.crt)", abort: true })
    .superRefine((value, ctx) => {
        const pem = Buffer.from(value, "base64").toString("latin1");
        if (/PRIVATE KEY-----/.test(pem)) {
            ctx.addIssue({ code: "custom", message: "holds a private key: give only the API server's public CA certificate, and rotate that key" });
        } else if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
            ctx.addIssue({ code: "custom", message: "expected a base64-encoded PEM certificate (-----BEGIN CERTIFICATE-----)" });
        }
    });

/**
 * A Secret in the hub (the cluster Argo CD runs on) holding a bearer token for the secrets cluster.
 * It is made outside Pulumi, so the token never passes through the program.
 */
export const TokenSecretSchema = z.strictObject({
    /** Secret name. Required. */
    name: KubernetesNameSchema,
    /** Its namespace. Default `external-secrets`. */
    namespace: KubernetesNameSchema.default("external-secrets"),
    /** Data key holding the token. Default `token`. */
    key: z.string().regex(/^[-._a-zA-Z0-9]+$/, { message: "expected a Secret data key ([-._a-zA-Z0-9]+)" }).default("token"),
});

/**
 * ExternalSecrets read Secrets of another Kubernetes API server (External Secrets Operator's
 * `kubernetes` provider): the store key `a/b/c` is the Secret `a.b.c` in `remoteNamespace`, its data
 * keys the values (`username` and `password` for a repository).
 */
export const KubernetesStoreSchema = z.strictObject({
    /** URL of the secrets cluster's API server, `https://...`. Required. */
    server: HttpsUrlSchema.refine((url) => !/^https:\/\/[^/]*@/i.test(url), { message: "a URL with user info (user:password@) holds a credential: use auth.tokenSecret" }),
    /**
     * Its public CA certificate, base64 PEM. External Secrets Operator refuses a kubernetes store
     * without one: required on dev, staging and prod. Default on the local stack: none (`npm run up`
     * sets its secrets cluster's).
     */
    caBundle: CaBundleSchema.optional(),
    /** Namespace of the secrets cluster the Secrets are read from. Default `gitops-secrets`. */
    remoteNamespace: KubernetesNameSchema.default("gitops-secrets"),
    /** How External Secrets Operator authenticates to the secrets cluster. Required. */
    auth: z.strictObject({
        /** The Secret with its bearer token. Required (`name`). */
        tokenSecret: TokenSecretSchema,
    }),
});
export type KubernetesStoreConfig = z.infer<typeof KubernetesStoreSchema>;

/** Secret management of a stack's ExternalSecrets. */
export const SecretsConfigSchema = z.strictObject({
    /** The store ExternalSecrets read. Default: none, AWS Secrets Manager (needs `aws.enabled`). */
    store: z
        .strictObject({
            /** A Kubernetes API server holding the values as Secrets. Required. */
            kubernetes: KubernetesStoreSchema,
        })
        .optional(),
    /**
     * Who runs External Secrets Operator: `addon` (the add-on `external-secrets`, installed by
     * Pulumi) or `outsideCluster` (the local loop runs its controller as a process; local stack
     * only). Default `addon`.
     */
    operator: z.enum(["addon", "outsideCluster"]).default("addon"),
    /** How often the ExternalSecrets read the store again. Default `1h` (ECR tokens: always `6h`). */
    refreshInterval: RefreshIntervalSchema.default("1h"),
});
export type SecretsConfig = z.infer<typeof SecretsConfigSchema>;
