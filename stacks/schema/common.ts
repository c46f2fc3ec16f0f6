import { z } from "zod";
import { matchSecretShape } from "gitops-platform-policies/shared";
import { TOKEN_PREFIX } from "../../lib/zodIssues";

/**
 * A config value as an error message may quote it: short, version-like values as JSON, anything
 * else (long, odd characters, a credential's shape) described, never shown: a user who pasted a
 * token into the wrong key must not see it echoed into CI logs.
 */
export function shown(value: unknown): string {
    if (typeof value !== "string") return typeof value;
    const plain = /^[\w.+~^<>=*| -]{0,40}$/.test(value) && !TOKEN_PREFIX.test(value) && matchSecretShape(value) === undefined;
    return plain ? JSON.stringify(value) : `a value of ${value.length} characters (not shown)`;
}

/** A Kubernetes object name (RFC 1123 label): lowercase letters, digits and `-`, at most 63 characters. */
export const KubernetesNameSchema = z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { message: "expected a lowercase RFC 1123 name (a-z, 0-9, '-', at most 63 characters)" });

/**
 * A directory inside a Git repository, e.g. `charts/hello-service`: relative, `/`-separated, no `.` or
 * `..` segment. Argo CD refuses a path that leaves the repository only at sync time; this refuses it
 * when the config is read.
 */
export const RepositoryPathSchema = z
    .string()
    .regex(/^[\w.-]+(\/[\w.-]+)*$/, { message: "expected a relative path like charts/hello-service" })
    .refine((p) => p.split("/").every((segment) => segment !== "." && segment !== ".."), {
        message: "must stay inside the repository: no '.' or '..' segments",
    });

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
