import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { appSources, appSpec, AppSource } from "../lib/argocd";
import { readConfig } from "../lib/config";
import { argoTypes, getPath, isRecord } from "../lib/types";

/** Knobs of {@link argocdSourceIntegrity}. */
export interface SourceIntegrityConfig {
    /** GnuPG verification modes that satisfy the rule; default `["strict"]` (`head` allowed on dev). */
    modes: ("head" | "strict")[];
}

const defaults: SourceIntegrityConfig = { modes: ["strict"] };

/** A project's verification of one repository URL: the mode of the policy that applies, if any. */
function verificationMode(project: Record<string, unknown>, repoURL: string): "none" | "head" | "strict" | undefined {
    const policies = getPath(project, ["spec", "sourceIntegrity", "git", "policies"]);
    if (Array.isArray(policies)) {
        // Argo CD applies the first policy whose positive globs match and no negative glob does.
        for (const policy of policies.filter(isRecord)) {
            const patterns = (Array.isArray(policy.repos) ? policy.repos : []).filter(isRecord).map((r) => String(r.url ?? ""));
            const matches = patterns.some((p) => !p.startsWith("!") && globMatch(p, repoURL)) && !patterns.some((p) => p.startsWith("!") && globMatch(p.slice(1), repoURL));
            if (!matches) continue;
            const gpg = isRecord(policy.gpg) ? policy.gpg : {};
            const keys = Array.isArray(gpg.keys) ? gpg.keys : [];
            const mode = gpg.mode === "head" || gpg.mode === "strict" ? gpg.mode : "none";
            return keys.length > 0 ? mode : "none";
        }
        return undefined;
    }
    // Before Argo CD 3.5: signatureKeys, which verifies the revision itself on every Git source.
    const legacy = getPath(project, ["spec", "signatureKeys"]);
    return Array.isArray(legacy) && legacy.length > 0 ? "head" : undefined;
}

function globMatch(pattern: string, value: string): boolean {
    const re = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp(`^${re}$`).test(value);
}

/** A Git source: a chart directory (not a Helm chart), or a hydrated application's dry source. */
function isGitSource(source: AppSource): boolean {
    return source.chart === undefined && typeof source.repoURL === "string" && !source.repoURL.startsWith("oci://");
}

/**
 * Only signed commits are synced: every Git source of an Argo CD Application or ApplicationSet is
 * verified by its AppProject (`spec.sourceIntegrity` GnuPG policies, or `signatureKeys` before Argo
 * CD 3.5) in a mode the stack allows. `strict` verifies the revision and every ancestor, so history
 * cannot be rewritten under a signed head; `head` only the revision. A hydrated application's sync
 * source is the same repository, so the hydrated commits are verified by the same policy.
 *
 * Judges: the stack: kubernetes:argoproj.io/v1alpha1:Application and ApplicationSet (its template's spec), against the AppProjects it declares.
 * Severity: high. Topics: argocd, supply-chain, audit.
 * Link: https://argo-cd.readthedocs.io/en/latest/user-guide/source-integrity-git-gpg/
 */
export const argocdSourceIntegrity: StackValidationPolicy = {
    name: "argocd-source-integrity",
    description: "Every Git source of an Argo CD application is verified by its project: only commits signed by trusted GnuPG keys are synced.",
    severity: "high",
    tags: ["argocd", "supply-chain", "audit"],
    url: "https://argo-cd.readthedocs.io/en/latest/user-guide/source-integrity-git-gpg/",
    remediationSteps:
        "Set gitops.sourceIntegrity in the stack config (the trusted keys' fingerprints, public keys in stacks/signing-keys/, " +
        "mode strict), so every AppProject verifies its Git repositories; sign commits with one of those keys.",
    configSchema: {
        properties: {
            modes: { type: "array", items: { type: "string", enum: ["head", "strict"] }, default: defaults.modes, description: "Verification modes that satisfy the rule." },
        },
    },
    validateStack: (args, reportViolation) => {
        const config = readConfig(defaults, args.getConfig<Partial<SourceIntegrityConfig>>());
        const projects = new Map<string, Record<string, unknown>>();
        for (const r of args.resources.filter((r) => r.type === argoTypes.appProject)) {
            const name = getPath(r.props, ["metadata", "name"]);
            if (typeof name === "string") projects.set(name, r.props as Record<string, unknown>);
        }
        for (const r of args.resources) {
            const problems = sourceProblems(r, projects, config);
            if (problems.length > 0) reportViolation(problems.join("; "), r.urn);
        }
    },
};

function sourceProblems(r: PolicyResource, projects: Map<string, Record<string, unknown>>, config: SourceIntegrityConfig): string[] {
    const view = appSpec(r.type, r.props as Record<string, unknown>);
    if (!view) return [];
    const sources = appSources(view).filter(({ source }) => isGitSource(source));
    if (sources.length === 0) return [];
    const projectName = String(view.spec.project ?? "default");
    const project = projects.get(projectName);
    if (!project) return [`${view.at}.project ${JSON.stringify(projectName)} is not declared in this stack, so nothing shows that its Git sources are verified`];
    const allowed = config.modes.join(" or ");
    return sources.flatMap(({ source, at }) => {
        const mode = verificationMode(project, source.repoURL as string);
        if (mode === undefined) return [`${at}.repoURL ${source.repoURL}: project ${projectName} verifies no signature of it (no sourceIntegrity policy matches it)`];
        if (mode === "none") return [`${at}.repoURL ${source.repoURL}: project ${projectName}'s policy for it has mode none or no key`];
        if (!config.modes.includes(mode)) return [`${at}.repoURL ${source.repoURL}: project ${projectName} verifies it in mode ${mode}; this stack requires ${allowed}`];
        return [];
    });
}
