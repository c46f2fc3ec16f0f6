import { ResourceValidationPolicy } from "@pulumi/policy";
import { appSources, appSpec } from "../lib/argocd";
import { flag, readConfig } from "../lib/config";
import { chartVersionProblem, defaultTagPattern, gitRevisionProblem } from "../lib/versions";

/** Knobs of {@link argocdSourcePinned}. */
export interface SourcePinnedConfig {
    /** Allow Git sources to follow HEAD or a branch (dev only); default false. */
    allowBranchTracking: boolean;
    /** Regular expression a Git tag must match; default a semantic version with optional `v`. */
    tagPattern: string;
}

const defaults: SourcePinnedConfig = { allowBranchTracking: false, tagPattern: defaultTagPattern };

/**
 * Argo CD Applications and ApplicationSets deploy pinned sources: a Helm chart at an exact version, a Git
 * tag or a 40-hex commit. HEAD, branches, `*` and ranges make what runs depend on when Argo CD looked.
 *
 * Judges: kubernetes:argoproj.io/v1alpha1:Application, kubernetes:argoproj.io/v1alpha1:ApplicationSet (its template's spec).
 * Severity: high. Topics: argocd, supply-chain, reproducibility.
 * Link: https://argo-cd.readthedocs.io/en/stable/user-guide/tracking_strategies/
 */
export const argocdSourcePinned: ResourceValidationPolicy = {
    name: "argocd-source-pinned",
    description: "Argo CD Application and ApplicationSet sources are pinned: Helm charts at an exact version, Git at a tag or 40-hex commit.",
    severity: "high",
    tags: ["argocd", "supply-chain"],
    url: "https://argo-cd.readthedocs.io/en/stable/user-guide/tracking_strategies/",
    remediationSteps:
        "Set targetRevision to an exact chart version (e.g. 1.2.3) for Helm sources, or to a release tag (v1.2.3) or full commit SHA " +
        "for Git sources. Branch tracking is only allowed where the stack's policy config sets allowBranchTracking (dev).",
    configSchema: {
        properties: {
            allowBranchTracking: flag("Allow HEAD and branch names for Git sources.", defaults.allowBranchTracking),
            tagPattern: { type: "string", default: defaults.tagPattern, description: "Regular expression a Git tag must match." },
        },
    },
    validateResource: (args, reportViolation) => {
        const view = appSpec(args.type, args.props as Record<string, unknown>);
        if (!view) {
            return;
        }
        const config = readConfig(defaults, args.getConfig<Partial<SourcePinnedConfig>>());
        const problems: string[] = [];
        for (const { source, at } of appSources(view)) {
            if (source.ref !== undefined && source.chart === undefined && source.path === undefined) {
                // A ref-only source (values from another repo) still needs a pinned revision.
                const p = gitRevisionProblem(source.targetRevision, config);
                if (p) problems.push(`${at}: ${p}`);
                continue;
            }
            const problem = source.chart !== undefined
                ? chartVersionProblem(source.targetRevision)
                : gitRevisionProblem(source.targetRevision, config);
            if (problem) {
                problems.push(`${at}: ${problem}`);
            }
        }
        if (problems.length > 0) {
            reportViolation(problems.join("; "));
        }
    },
};
