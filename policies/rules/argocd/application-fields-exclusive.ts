import { ResourceValidationPolicy } from "@pulumi/policy";
import { appSources, appSpec } from "../lib/argocd";
import { isRecord } from "../lib/types";

/**
 * An Application source names exactly one of `chart` (Helm repository) and `path` (Git directory); a destination
 * exactly one of `server` and `name`. Argo CD accepts both and then ignores one, which hides mistakes.
 *
 * Judges: kubernetes:argoproj.io/v1alpha1:Application, kubernetes:argoproj.io/v1alpha1:ApplicationSet (its template's spec).
 * Severity: medium. Topics: argocd, correctness.
 * Link: https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#applications
 */
export const argocdApplicationFieldsExclusive: ResourceValidationPolicy = {
    name: "argocd-application-fields-exclusive",
    description: "Argo CD sources set exactly one of chart and path; destinations exactly one of server and name.",
    severity: "medium",
    tags: ["argocd", "correctness"],
    url: "https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#applications",
    remediationSteps: "Keep `chart` for Helm repository sources or `path` for Git sources, not both; keep either destination.server or destination.name.",
    validateResource: (args, reportViolation) => {
        const view = appSpec(args.type, args.props as Record<string, unknown>);
        if (!view) {
            return;
        }
        const problems: string[] = [];
        for (const { source, at } of appSources(view)) {
            const hasChart = source.chart !== undefined && source.chart !== "";
            const hasPath = source.path !== undefined && source.path !== "";
            if (hasChart && hasPath) problems.push(`${at} sets both chart and path`);
            if (!hasChart && !hasPath && source.ref === undefined) problems.push(`${at} sets neither chart nor path`);
        }
        const dest = isRecord(view.spec.destination) ? view.spec.destination : {};
        const hasServer = typeof dest.server === "string" && dest.server !== "";
        const hasName = typeof dest.name === "string" && dest.name !== "";
        if (hasServer === hasName) {
            problems.push(`${view.at}.destination sets ${hasServer ? "both server and name" : "neither server nor name"}`);
        }
        if (problems.length > 0) {
            reportViolation(problems.join("; "));
        }
    },
};
