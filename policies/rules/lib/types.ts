/**
 * Plain shapes of the objects the rules read. CrossGuard hands policies the deserialized inputs,
 * so these are JSON-like views of Kubernetes manifests and Argo CD custom resources.
 */

/** Kubernetes object metadata as far as the rules read it. */
export interface ObjectMeta {
    /** Object name; default: none (the provider autonames). */
    name?: string;
    /** Namespace; default: the provider's namespace. */
    namespace?: string;
    /** Labels; default: none. */
    labels?: Record<string, string>;
    /** Annotations; default: none. */
    annotations?: Record<string, string>;
}

/** Any Kubernetes object: apiVersion, kind, metadata and the rest. */
export interface KubernetesObject {
    /** API version, e.g. `argoproj.io/v1alpha1`. */
    apiVersion?: string;
    /** Kind, e.g. `Application`. */
    kind?: string;
    /** Object metadata. */
    metadata?: ObjectMeta;
    /** Any other field (spec, data, ...). */
    [key: string]: unknown;
}

/** Type tokens of the Argo CD custom resources, as `apiextensions.CustomResource` registers them. */
export const argoTypes = {
    application: "kubernetes:argoproj.io/v1alpha1:Application",
    applicationSet: "kubernetes:argoproj.io/v1alpha1:ApplicationSet",
    appProject: "kubernetes:argoproj.io/v1alpha1:AppProject",
} as const;

/** Type tokens of secret replacements that hold no plaintext. */
export const secretReplacementTypes = [
    "kubernetes:external-secrets.io/v1:ExternalSecret",
    "kubernetes:external-secrets.io/v1beta1:ExternalSecret",
    "kubernetes:bitnami.com/v1alpha1:SealedSecret",
];

/** True for a plain (non-array) object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads a nested value by path segments; undefined when any step is missing. */
export function getPath(value: unknown, path: readonly string[]): unknown {
    let current: unknown = value;
    for (const key of path) {
        if (!isRecord(current)) {
            return undefined;
        }
        current = current[key];
    }
    return current;
}

/** Renders a path as `a.b["c.d"][0]` so keys with dots stay readable. */
export function formatPath(path: readonly (string | number)[]): string {
    let out = "";
    for (const key of path) {
        if (typeof key === "number") {
            out += `[${key}]`;
        } else if (/^[A-Za-z_$][\w$-]*$/.test(key)) {
            out += out === "" ? key : `.${key}`;
        } else {
            out += `[${JSON.stringify(key)}]`;
        }
    }
    return out;
}

/** True when a chart value is enabled, accepting the string forms Helm values often carry. */
export function isTruthy(value: unknown): boolean {
    return value === true || (typeof value === "string" && value.trim().toLowerCase() === "true");
}

/** True when a chart value is explicitly disabled. */
export function isFalsy(value: unknown): boolean {
    return value === false || (typeof value === "string" && value.trim().toLowerCase() === "false");
}
