import { ResourceValidationPolicy } from "@pulumi/policy";
import { appSpec } from "../lib/argocd";

/**
 * Applications never use the `default` AppProject, which allows every repository, destination and kind.
 *
 * Judges: kubernetes:argoproj.io/v1alpha1:Application, kubernetes:argoproj.io/v1alpha1:ApplicationSet (its template's spec).
 * Severity: high. Topics: argocd, least-privilege.
 * Link: https://argo-cd.readthedocs.io/en/stable/user-guide/projects/#the-default-project
 */
export const argocdApplicationNoDefaultProject: ResourceValidationPolicy = {
    name: "argocd-application-no-default-project",
    description: "Argo CD Applications and ApplicationSet templates never use the `default` AppProject.",
    severity: "high",
    tags: ["argocd", "least-privilege"],
    url: "https://argo-cd.readthedocs.io/en/stable/user-guide/projects/#the-default-project",
    remediationSteps: "Set spec.project to a dedicated AppProject that restricts source repositories, destinations and cluster-scoped kinds.",
    validateResource: (args, reportViolation) => {
        const view = appSpec(args.type, args.props as Record<string, unknown>);
        if (!view) {
            return;
        }
        const project = view.spec.project;
        if (project === undefined || project === "" || project === "default") {
            reportViolation(`${view.at}.project is "${project ?? ""}": the default project must not be used`);
        }
    },
};
