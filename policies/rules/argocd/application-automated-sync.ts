import { ResourceValidationPolicy } from "@pulumi/policy";
import { appSpec } from "../lib/argocd";
import { flag, readConfig } from "../lib/config";
import { argoTypes, getPath, isFalsy, isRecord } from "../lib/types";

/** Knobs of {@link argocdAutomatedSync}. */
export interface AutomatedSyncConfig {
    /** Require automated sync with prune and selfHeal (prod, staging); default false. */
    requireAutomatedSync: boolean;
}

const defaults: AutomatedSyncConfig = { requireAutomatedSync: false };

/**
 * Where the stack requires it, Applications sync automatically with prune and selfHeal, so drift from Git is corrected.
 * An ApplicationSet that rolls out in waves (`strategy.type: RollingSync` with steps) syncs its
 * Applications itself, OutOfSync ones included, and turns their automated sync off: its template is
 * not asked for one.
 *
 * Judges: kubernetes:argoproj.io/v1alpha1:Application, kubernetes:argoproj.io/v1alpha1:ApplicationSet (its template's spec).
 * Severity: medium. Topics: argocd, drift.
 * Link: https://argo-cd.readthedocs.io/en/stable/user-guide/auto_sync/
 */
export const argocdAutomatedSync: ResourceValidationPolicy = {
    name: "argocd-automated-sync",
    description: "Argo CD Applications and ApplicationSet templates sync automatically with prune and selfHeal where the stack requires it.",
    severity: "medium",
    tags: ["argocd", "drift"],
    url: "https://argo-cd.readthedocs.io/en/stable/user-guide/auto_sync/",
    remediationSteps: "Set spec.syncPolicy.automated: {prune: true, selfHeal: true} (and do not set automated.enabled: false).",
    configSchema: {
        properties: {
            requireAutomatedSync: flag("Require automated sync with prune and selfHeal.", defaults.requireAutomatedSync),
        },
    },
    validateResource: (args, reportViolation) => {
        const view = appSpec(args.type, args.props as Record<string, unknown>);
        const config = readConfig(defaults, args.getConfig<Partial<AutomatedSyncConfig>>());
        if (!view || !config.requireAutomatedSync || rollsOut(args.type, args.props as Record<string, unknown>)) {
            return;
        }
        const automated = isRecord(view.spec.syncPolicy) ? view.spec.syncPolicy.automated : undefined;
        const at = `${view.at}.syncPolicy.automated`;
        if (!isRecord(automated)) {
            reportViolation(`${at} is not set: changes are not synced and drift is not corrected`);
            return;
        }
        const problems: string[] = [];
        if (isFalsy(automated.enabled)) problems.push(`${at}.enabled is false`);
        if (automated.prune !== true) problems.push(`${at}.prune is not true`);
        if (automated.selfHeal !== true) problems.push(`${at}.selfHeal is not true`);
        if (problems.length > 0) {
            reportViolation(problems.join("; "));
        }
    },
};

/** An ApplicationSet whose controller syncs its Applications wave by wave. */
function rollsOut(type: string, props: Record<string, unknown>): boolean {
    if (type !== argoTypes.applicationSet) return false;
    const strategy = getPath(props, ["spec", "strategy"]);
    const steps = getPath(props, ["spec", "strategy", "rollingSync", "steps"]);
    return isRecord(strategy) && strategy.type === "RollingSync" && Array.isArray(steps) && steps.length > 0;
}
