import { StackValidationPolicy } from "@pulumi/policy";
import { apiStatus, kubernetesMinor } from "../lib/api-removals";
import { readConfig } from "../lib/config";
import { isRecord } from "../lib/types";

/** Knobs of {@link kubernetesApiNotDeprecated}. */
export interface ApiNotDeprecatedConfig {
    /** The cluster's Kubernetes version (`1.33`); default: from the cluster Secrets' `kubernetes_version` annotation. */
    kubernetesVersion: string;
}

const defaults: ApiNotDeprecatedConfig = { kubernetesVersion: "" };

/** The annotation the program puts on each Argo CD cluster Secret, from the Terraform output `cluster_version`. */
export const KUBERNETES_VERSION_ANNOTATION = "kubernetes_version";

/**
 * No manifest uses an `apiVersion` that the cluster's Kubernetes version has deprecated or removed
 * (the idea of Fairwinds' pluto and kubent). The cluster's version is the policy knob
 * `kubernetesVersion` or else the newest `kubernetes_version` annotation on the stack's Argo CD
 * cluster Secrets (which carry the Terraform output `cluster_version`). The table of APIs is
 * policies/data/kubernetes-api-removals.yaml, kept from the Kubernetes deprecation guide.
 *
 * Judges: the stack: every kubernetes:* resource's apiVersion and kind, the kubernetes_version annotation of kubernetes:core/v1:Secret (Argo CD cluster Secrets).
 * Severity: high. Topics: kubernetes, upgrades.
 * Link: https://kubernetes.io/docs/reference/using-api/deprecation-guide/
 */
export const kubernetesApiNotDeprecated: StackValidationPolicy = {
    name: "kubernetes-api-not-deprecated",
    description: "Manifests use no apiVersion the cluster's Kubernetes version has deprecated or removed.",
    severity: "high",
    tags: ["kubernetes", "upgrades"],
    url: "https://kubernetes.io/docs/reference/using-api/deprecation-guide/",
    remediationSteps: "Move the object to the replacement apiVersion named in the message (kubectl convert, or the chart's newer release).",
    configSchema: {
        properties: {
            kubernetesVersion: { type: "string", default: "", description: "The cluster's Kubernetes version (1.33); empty: from the cluster Secrets." },
        },
    },
    validateStack: (args, reportViolation) => {
        const config = readConfig(defaults, args.getConfig<Partial<ApiNotDeprecatedConfig>>());
        let version = config.kubernetesVersion;
        if (!version) {
            const found = args.resources
                .filter((r) => r.type === "kubernetes:core/v1:Secret")
                .map((r) => (r.props as { metadata?: { annotations?: Record<string, unknown> } }).metadata?.annotations?.[KUBERNETES_VERSION_ANNOTATION])
                .filter((v): v is string => typeof v === "string" && kubernetesMinor(v) !== undefined)
                .sort((a, b) => kubernetesMinor(b)! - kubernetesMinor(a)!);
            version = found[0] ?? "";
        }
        const minor = kubernetesMinor(version);
        // No version known: nothing to judge against (the rule says so only through its silence).
        if (minor === undefined) return;
        for (const r of args.resources) {
            if (!r.type.startsWith("kubernetes:")) continue;
            const props = r.props as Record<string, unknown>;
            if (!isRecord(props) || typeof props.apiVersion !== "string" || typeof props.kind !== "string") continue;
            const status = apiStatus(props.apiVersion, props.kind, minor);
            if (!status) continue;
            const e = status.entry;
            const when = status.state === "removed" ? `removed in Kubernetes ${e.removedIn}` : `deprecated in Kubernetes ${e.deprecatedIn}${e.removedIn ? `, removed in ${e.removedIn}` : ""}`;
            reportViolation(`${e.apiVersion} ${e.kind} is ${when} (cluster ${version}): use ${e.replacement}`, r.urn);
        }
    },
};
