import { ResourceValidationPolicy } from "@pulumi/policy";
import { flag, readConfig } from "../lib/config";
import { helmInstall, isArgoCdChart } from "../lib/helm";
import { getPath } from "../lib/types";

/** Knobs of {@link argocdProtectedOnDelete}. */
export interface ProtectedOnDeleteConfig {
    /** Require protection (prod); default false. */
    required: boolean;
    /** Namespace Argo CD is installed in; default `argocd`. */
    argocdNamespace: string;
}

const defaults: ProtectedOnDeleteConfig = { required: false, argocdNamespace: "argocd" };

/**
 * In prod, deleting the stack must not delete Argo CD's namespace or its CRDs: removing the Application CRD
 * deletes every Application and, through finalizers, what they deployed.
 *
 * CrossGuard's analyzer protocol carries `protect` but not `retainOnDelete`, so only `protect` can be verified.
 *
 * Judges: kubernetes:core/v1:Namespace (Argo CD's), kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition (group argoproj.io), the argo-cd chart on gitops:platform:ArgoCd, gitops:platform:BootstrapAddon, kubernetes:helm.sh/v3:Release.
 * Severity: high. Topics: argocd, resilience.
 * Link: https://www.pulumi.com/docs/iac/concepts/options/protect/
 */
export const argocdProtectedOnDelete: ResourceValidationPolicy = {
    name: "argocd-protected-on-delete",
    description: "In prod the Argo CD namespace, the Argo CD CRDs and the argo-cd chart (whose children inherit it) are protected.",
    severity: "high",
    tags: ["argocd", "resilience"],
    url: "https://www.pulumi.com/docs/iac/concepts/options/protect/",
    remediationSteps: "Pass { protect: true } to the Argo CD Namespace, the argo-cd Chart (its CRDs inherit it) and any Argo CD CRD managed directly.",
    configSchema: {
        properties: {
            required: flag("Require protection.", defaults.required),
            argocdNamespace: { type: "string", default: defaults.argocdNamespace, description: "Argo CD namespace." },
        },
    },
    validateResource: (args, reportViolation) => {
        const config = readConfig(defaults, args.getConfig<Partial<ProtectedOnDeleteConfig>>());
        if (!config.required || args.opts.protect) {
            return;
        }
        const props = args.props as Record<string, unknown>;
        let what: string | undefined;
        if (args.type === "kubernetes:core/v1:Namespace" && getPath(props, ["metadata", "name"]) === config.argocdNamespace) {
            what = `the Argo CD namespace "${config.argocdNamespace}"`;
        } else if (args.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition" && getPath(props, ["spec", "group"]) === "argoproj.io") {
            what = `the Argo CD CRD ${String(getPath(props, ["metadata", "name"]) ?? "")}`;
        } else {
            const install = helmInstall(args.type, props);
            if (install && isArgoCdChart(install)) {
                what = "the argo-cd chart (its CRDs and namespace objects)";
            }
        }
        if (what) {
            reportViolation(`${what} is not protected: deleting the stack would delete it`);
        }
    },
};
