import { z } from "zod";

/** A Kubernetes object name (RFC 1123 label): lowercase letters, digits and `-`, at most 63 characters. */
export const KubernetesNameSchema = z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { message: "expected a lowercase RFC 1123 name (a-z, 0-9, '-', at most 63 characters)" });

/** An https URL. */
export const HttpsUrlSchema = z.url({ protocol: /^https$/, error: "expected an https:// URL" });

/**
 * Where a value that must stay secret lives in the cluster: a key of an existing Kubernetes Secret
 * (made by an ExternalSecret or by hand). The value itself never passes through Pulumi.
 */
export const SecretKeyRefSchema = z.strictObject({
    /** Name of the Kubernetes Secret in the Argo CD namespace. Required. */
    name: KubernetesNameSchema,
    /** Key inside that Secret. Required. */
    key: z.string().regex(/^[-._a-zA-Z0-9]+$/, { message: "expected a Secret data key ([-._a-zA-Z0-9]+)" }),
});
export type SecretKeyRef = z.infer<typeof SecretKeyRefSchema>;

/** Labels or annotations: string keys to string values. */
export const StringMapSchema = z.record(z.string(), z.string());
