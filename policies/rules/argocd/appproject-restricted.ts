import { ResourceValidationPolicy } from "@pulumi/policy";
import { argoTypes, getPath, isRecord } from "../lib/types";

/**
 * AppProjects never allow `*`: not in sourceRepos, not in destinations, not in cluster-scoped kinds. Cluster-scoped
 * kinds are either listed one by one in clusterResourceWhitelist or all denied with a
 * clusterResourceBlacklist entry `{group: '*', kind: '*'}`, so the intent is explicit.
 *
 * Judges: kubernetes:argoproj.io/v1alpha1:AppProject.
 * Severity: high. Topics: argocd, least-privilege.
 * Link: https://argo-cd.readthedocs.io/en/stable/user-guide/projects/
 */
export const argocdAppProjectRestricted: ResourceValidationPolicy = {
    name: "argocd-appproject-restricted",
    description: "AppProjects allow no `*` in sourceRepos, destinations or cluster-scoped kinds, and deny cluster-scoped kinds they do not list.",
    severity: "high",
    tags: ["argocd", "least-privilege"],
    url: "https://argo-cd.readthedocs.io/en/stable/user-guide/projects/",
    remediationSteps:
        "List source repositories and destinations explicitly; list the cluster-scoped kinds the project needs in " +
        "clusterResourceWhitelist (group and kind, no '*'), or deny them all with clusterResourceBlacklist: [{group: '*', kind: '*'}].",
    validateResource: (args, reportViolation) => {
        if (args.type !== argoTypes.appProject) {
            return;
        }
        const spec = getPath(args.props, ["spec"]);
        const s = isRecord(spec) ? spec : {};
        const problems: string[] = [];
        const list = (v: unknown) => (Array.isArray(v) ? v : []);
        list(s.sourceRepos).forEach((r, i) => {
            if (r === "*") problems.push(`spec.sourceRepos[${i}] is '*'`);
        });
        list(s.destinations).forEach((d, i) => {
            for (const field of ["server", "name", "namespace"]) {
                if (isRecord(d) && d[field] === "*") problems.push(`spec.destinations[${i}].${field} is '*'`);
            }
        });
        const whitelist = list(s.clusterResourceWhitelist);
        whitelist.forEach((e, i) => {
            if (isRecord(e) && (e.group === "*" || e.kind === "*")) {
                problems.push(`spec.clusterResourceWhitelist[${i}] allows '${String(e.group)}/${String(e.kind)}'`);
            }
        });
        const deniesAll = list(s.clusterResourceBlacklist).some(e => isRecord(e) && e.group === "*" && e.kind === "*");
        if (whitelist.length === 0 && !deniesAll) {
            problems.push("cluster-scoped kinds are neither listed in spec.clusterResourceWhitelist nor all denied by spec.clusterResourceBlacklist [{group: '*', kind: '*'}]");
        }
        if (problems.length > 0) {
            reportViolation(problems.join("; "));
        }
    },
};
