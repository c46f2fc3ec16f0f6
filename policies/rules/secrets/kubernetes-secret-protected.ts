import { ResourceValidationPolicy } from "@pulumi/policy";
import { ARGOCD_APPLICATION_RENDER_TYPE, urnParts } from "../lib/provenance";
import { secretDataEntries } from "../lib/secret-data";
import { isRecord } from "../lib/types";

/**
 * Kubernetes Secrets carry data only as Pulumi secrets, and never when the provider renders YAML to a directory,
 * where the files would hold them in plaintext. Through CrossGuard the secretness of `data`/`stringData` is visible
 * only as `additionalSecretOutputs` (which @pulumi/kubernetes' Secret class sets); prefer ExternalSecret or SealedSecret.
 * An Argo CD declarative Secret whose data is only descriptive (name, server, url, ...) may be rendered. A Secret an
 * Argo CD Application renders from Git (the pack's manifests entry point) holds its credentials in plaintext in Git.
 *
 * Judges: kubernetes:core/v1:Secret.
 * Severity: critical. Topics: secrets, kubernetes.
 * Link: https://www.pulumi.com/registry/packages/kubernetes/api-docs/provider/#renderyamltodirectory_nodejs
 */
export const kubernetesSecretProtected: ResourceValidationPolicy = {
    name: "kubernetes-secret-protected",
    description: "Kubernetes Secrets hold data only as Pulumi secrets and never under a provider that renders YAML to a directory.",
    severity: "critical",
    tags: ["secrets", "kubernetes"],
    url: "https://www.pulumi.com/registry/packages/kubernetes/api-docs/provider/#renderyamltodirectory_nodejs",
    remediationSteps:
        "Replace the Secret with an ExternalSecret (external-secrets.io) or a SealedSecret; if a Secret is unavoidable, create it with " +
        "k8s.core.v1.Secret (which marks data and stringData secret) from pulumi.secret values, and never on a provider with renderYamlToDirectory.",
    validateResource: (args, reportViolation) => {
        if (args.type !== "kubernetes:core/v1:Secret") return;
        const props = args.props as Record<string, unknown>;
        const fields = ["data", "stringData"].filter(f => isRecord(props[f]) && Object.keys(props[f] as object).length > 0);
        if (fields.length === 0) {
            return;
        }
        const problems: string[] = [];
        const renderDir = args.provider?.props.renderYamlToDirectory;
        // An Argo CD cluster or repository Secret may hold only descriptive fields (in-cluster
        // registration): rendering those writes nothing secret.
        const credentials = secretDataEntries(props).filter(e => e.credential).map(e => e.path);
        if (typeof renderDir === "string" && renderDir !== "" && credentials.length > 0) {
            problems.push(`provider ${args.provider?.name ?? ""} renders YAML to a directory, so ${credentials.join(", ")} would be written in plaintext`);
        }
        if (args.opts.parent && urnParts(args.opts.parent)?.type === ARGOCD_APPLICATION_RENDER_TYPE) {
            // From Git through Argo CD: no Pulumi secret is involved, the chart or manifest holds the value itself.
            if (credentials.length > 0) reportViolation(`${credentials.join(", ")} ${credentials.length > 1 ? "are" : "is"} in plaintext in Git (the chart renders the Secret's data)`);
            return;
        }
        const secretOutputs = new Set(args.opts.additionalSecretOutputs ?? []);
        const plain = fields.filter(f => !secretOutputs.has(f));
        if (plain.length > 0) {
            problems.push(`${plain.join(" and ")} ${plain.length > 1 ? "are" : "is"} not marked secret (additionalSecretOutputs)`);
        }
        if (problems.length > 0) {
            reportViolation(problems.join("; "));
        }
    },
};
