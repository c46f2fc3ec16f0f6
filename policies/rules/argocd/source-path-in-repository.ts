import { ResourceValidationPolicy } from "@pulumi/policy";
import { appSources, appSpec } from "../lib/argocd";

/** Why a source path leaves its repository, or undefined when it stays inside. */
export function pathOutsideRepository(path: string): string | undefined {
    if (path.startsWith("/")) return "is absolute";
    if (/^[a-zA-Z]:[\\/]/.test(path) || path.includes("\\")) return "uses Windows separators";
    if (path.split("/").some((segment) => segment === "..")) return "climbs out with '..'";
    return undefined;
}

/**
 * An Argo CD source `path` stays inside its repository: relative, no `..` segment. Argo CD itself refuses
 * such a path, but only when it syncs; this refuses it in the pull request, for Applications and
 * ApplicationSets however they were declared (the stack config already refuses it when it is read).
 *
 * Judges: kubernetes:argoproj.io/v1alpha1:Application, kubernetes:argoproj.io/v1alpha1:ApplicationSet (its template's spec).
 * Severity: high. Topics: argocd, supply-chain.
 * Link: https://argo-cd.readthedocs.io/en/stable/user-guide/application-specification/
 */
export const argocdSourcePathInRepository: ResourceValidationPolicy = {
    name: "argocd-source-path-in-repository",
    description: "Argo CD source paths are relative and stay inside their repository (no absolute path, no '..').",
    severity: "high",
    tags: ["argocd", "supply-chain"],
    url: "https://argo-cd.readthedocs.io/en/stable/user-guide/application-specification/",
    remediationSteps: "Give the chart's directory relative to the repository root, e.g. charts/hello-service.",
    validateResource: (args, reportViolation) => {
        const view = appSpec(args.type, args.props as Record<string, unknown>);
        if (!view) return;
        const problems: string[] = [];
        for (const { source, at } of appSources(view)) {
            if (typeof source.path !== "string") continue;
            const why = pathOutsideRepository(source.path);
            if (why) problems.push(`${at}.path ${JSON.stringify(source.path)} ${why}`);
        }
        if (problems.length > 0) reportViolation(problems.join("; "));
    },
};
