/**
 * Kubernetes labels as the API server accepts them (apimachinery's `IsQualifiedName` for keys,
 * `IsValidLabelValue` for values). A label the API server refuses fails at apply time, on a cluster
 * Secret or an Application, long after review; a selector with an invisible character matches no
 * cluster and says nothing. Both are refused when the config is read, naming the key path.
 */
import { z } from "zod";
import { AUDIT_LABELS } from "../../lib/auditLabels";

const AUDIT_LABEL_KEYS: readonly string[] = Object.values(AUDIT_LABELS);

/** A label name, or the name part of a prefixed key: at most 63 characters, alphanumeric at both ends. */
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** A key prefix: a lowercase DNS subdomain of at most 253 characters. */
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** What is wrong with a label key, or undefined when Kubernetes accepts it. */
export function labelKeyProblem(key: string): string | undefined {
    const slash = key.lastIndexOf("/");
    const [prefix, name] = slash < 0 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
    if (prefix !== undefined && (prefix.length > 253 || !PREFIX.test(prefix))) {
        return "not a label key Kubernetes accepts: the prefix before '/' must be a lowercase DNS subdomain (a-z, 0-9, '-', '.'), at most 253 characters";
    }
    if (name.length > 63 || !NAME.test(name)) {
        return "not a label key Kubernetes accepts: expected letters, digits, '-', '_' or '.', starting and ending with a letter or digit, at most 63 characters, with an optional DNS prefix and '/'";
    }
    return undefined;
}

/** What is wrong with a label value, or undefined when Kubernetes accepts it. */
export function labelValueProblem(value: string): string | undefined {
    if (value === "" || (value.length <= 63 && NAME.test(value))) return undefined;
    return `not a label value Kubernetes accepts (a value of ${value.length} characters): expected at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, or empty`;
}

/** What is wrong with a label, key first, or undefined when Kubernetes accepts it. */
export function labelProblem(key: string, value: string): string | undefined {
    return labelKeyProblem(key) ?? labelValueProblem(value);
}

/** Labels (or a label selector's `matchLabels`): each key and value one Kubernetes accepts. */
export const LabelsSchema = z.record(z.string(), z.string()).superRefine((labels, ctx) => {
    for (const [key, value] of Object.entries(labels)) {
        const problem = labelProblem(key, value);
        if (problem) ctx.addIssue({ code: "custom", path: [key], message: problem });
    }
});

/**
 * Label keys the program sets on a cluster Secret itself: given in config they would be overwritten
 * without a word (`environment`, the audit labels, Argo CD's secret type) or turn an add-on on for a
 * cluster behind the fleet's `addons` list and its project check (`enable_<add-on>`).
 */
export function reservedClusterLabelProblem(key: string): string | undefined {
    if (key === "environment") return "set by the program to the stack's environment; remove it";
    if (key.startsWith("enable_")) return "turns an add-on on; list the add-on in the fleet entry's addons instead, so its project is checked";
    if (key === "argocd.argoproj.io/secret-type") return "set by the program (the Secret is a cluster Secret); remove it";
    return reservedAuditLabelProblem(key);
}

/** The audit labels are the program's (who, which stack, which commit): config may not set them. */
export function reservedAuditLabelProblem(key: string): string | undefined {
    return AUDIT_LABEL_KEYS.includes(key) ? "an audit label, set by the program on everything it creates; remove it" : undefined;
}
