import { ResourceValidationPolicy } from "@pulumi/policy";
import { argoCdInstallView, argoCdSettingsObjects, settingsOf } from "../lib/argocd-install";
import { grantsClusterAccess } from "../lib/cluster-access";
import { readConfig, stringList } from "../lib/config";
import { withProvenance } from "../lib/provenance";
import { argoTypes, getPath, isRecord } from "../lib/types";

/** Knobs of {@link argocdRbacTenancy}. */
export interface RbacTenancyConfig {
    /** Argo CD's namespace, which no team project may deploy into; default `argocd`. */
    argocdNamespace: string;
    /** Owners (the `gitops.platform/owner` label) whose projects are the platform's, not a team's; default `platform-team`. */
    platformTeams: string[];
    /** Identity-provider groups that may hold `role:admin`; default `platform-team`. */
    adminGroups: string[];
}

const defaults: RbacTenancyConfig = { argocdNamespace: "argocd", platformTeams: ["platform-team"], adminGroups: ["platform-team"] };


/** Argo CD resources a team's project role may act on: its own applications and their logs, nothing platform-wide. */
const teamResources = new Set(["applications", "applicationsets", "logs"]);

/** A name that cannot break a `policy.csv` line: no comma, quote, line break or control character, no outer spaces. */
function isSafeSubject(name: string): boolean {
    return name !== "" && name.trim() === name && !/[,"\p{Cc}\u2028\u2029]/u.test(name);
}

/** Problems of a team AppProject: where it deploys, what cluster-scoped kinds it may create, what its roles allow. */
function projectProblems(props: Record<string, unknown>, config: RbacTenancyConfig): string[] {
    const problems: string[] = [];
    const project = String(getPath(props, ["metadata", "name"]) ?? "");
    const list = (v: unknown) => (Array.isArray(v) ? v : []);
    list(getPath(props, ["spec", "destinations"])).forEach((d, i) => {
        if (isRecord(d) && (d.namespace === config.argocdNamespace || d.namespace === "kube-system")) {
            problems.push(`spec.destinations[${i}].namespace is ${String(d.namespace)}: a team project may not deploy into Argo CD's or the cluster's own namespace`);
        }
    });
    list(getPath(props, ["spec", "clusterResourceWhitelist"])).forEach((e, i) => {
        if (isRecord(e) && grantsClusterAccess(e)) {
            problems.push(`spec.clusterResourceWhitelist[${i}] allows ${String(e.group)}/${String(e.kind)}, which grants access to the whole cluster`);
        }
    });
    list(getPath(props, ["spec", "roles"])).forEach((role, r) => {
        if (!isRecord(role)) return;
        list(role.groups).forEach((g, i) => {
            if (typeof g !== "string" || !isSafeSubject(g)) problems.push(`spec.roles[${r}].groups[${i}] is not a plain group name (a comma, quote or line break would add RBAC policy)`);
        });
        list(role.policies).forEach((line, i) => {
            const fields = typeof line === "string" ? line.split(",").map((f) => f.trim()) : [];
            const [kind, , resource, action, object] = fields;
            const at = `spec.roles[${r}].policies[${i}]`;
            if (typeof line !== "string" || /[\r\n]/.test(line) || fields.length !== 6 || kind !== "p") {
                problems.push(`${at} is not one policy line (p, subject, resource, action, object, effect)`);
            } else if (!teamResources.has(resource)) {
                problems.push(`${at} grants ${resource}: a team role acts on its applications only`);
            } else if (action === "exec" || action === "*") {
                problems.push(`${at} grants ${action === "*" ? "every action" : "exec"}: never for a team`);
            } else if (!object.startsWith(`${project}/`)) {
                problems.push(`${at} reaches ${object}, outside project ${project}`);
            }
        });
    });
    return problems;
}

/** Problems of Argo CD's global RBAC (`argocd-rbac-cm` policy.csv): malformed lines, and admin for groups not allowed it. */
function rbacProblems(rbac: Record<string, unknown>, config: RbacTenancyConfig): string[] {
    const problems: string[] = [];
    const csv = rbac["policy.csv"];
    if (typeof csv !== "string") return problems;
    csv.split(/\r?\n/).forEach((raw, i) => {
        const line = raw.trim();
        if (line === "" || line.startsWith("#")) return;
        const fields = line.split(",").map((f) => f.trim());
        const at = `${argoCdSettingsObjects.rbac}["policy.csv"] line ${i + 1}`;
        if (!((fields[0] === "g" && fields.length === 3) || (fields[0] === "p" && fields.length === 6)) || fields.some((f) => f === "")) {
            problems.push(`${at} is not a policy line (g, subject, role or p, subject, resource, action, object, effect)`);
        } else if (fields[0] === "g" && fields[2] === "role:admin" && !config.adminGroups.includes(fields[1])) {
            problems.push(`${at} makes a group admin that is not one of adminGroups (${config.adminGroups.join(", ") || "none"})`);
        }
    });
    return problems;
}

/**
 * Teams get exactly their own access. A team's AppProject (one whose owner is not a platform team) never deploys into
 * Argo CD's namespace or kube-system, never lists cluster-scoped kinds that grant cluster access (RBAC, CRDs, admission
 * webhooks, API services, certificate requests), and its roles act only on its own applications (get, sync, ...),
 * never exec, never platform objects, with group names that cannot break a policy line. Argo CD's global RBAC
 * (`argocd-rbac-cm`, the object or the argo-cd chart values that render it) has only well-formed lines and grants
 * `role:admin` only to the groups allowed it. Guards objects made outside this program too.
 *
 * Judges: kubernetes:argoproj.io/v1alpha1:AppProject (not a platform team's), kubernetes:core/v1:ConfigMap argocd-rbac-cm, the argo-cd chart's values on gitops:platform:ArgoCd, gitops:platform:BootstrapAddon, kubernetes:helm.sh/v3:Release (configs.rbac).
 * Severity: critical. Topics: argocd, tenancy, least-privilege.
 * Link: https://argo-cd.readthedocs.io/en/stable/operator-manual/rbac/
 */
export const argocdRbacTenancy: ResourceValidationPolicy = {
    name: "argocd-rbac-tenancy",
    description: "Team AppProjects stay out of Argo CD's namespace and cluster-wide kinds, their roles act only on their own applications (never exec), and argocd-rbac-cm grants admin only to the platform's groups.",
    severity: "critical",
    tags: ["argocd", "tenancy", "least-privilege"],
    url: "https://argo-cd.readthedocs.io/en/stable/operator-manual/rbac/",
    remediationSteps:
        "Give a team project destinations in the team's namespaces only, no RBAC/CRD/webhook kinds in clusterResourceWhitelist, " +
        "and roles with policies 'p, proj:<project>:<role>, applications, <get|sync|...>, <project>/*, allow'; bind role:admin only to adminGroups.",
    configSchema: {
        properties: {
            argocdNamespace: { type: "string", default: defaults.argocdNamespace, description: "Argo CD's namespace." },
            platformTeams: stringList("Owners whose projects are the platform's.", defaults.platformTeams),
            adminGroups: stringList("Groups that may hold role:admin.", defaults.adminGroups),
        },
    },
    validateResource: (args, reportViolation) => {
        const props = args.props as Record<string, unknown>;
        const config = readConfig(defaults, args.getConfig<Partial<RbacTenancyConfig>>());
        let problems: string[] = [];
        let source: string | undefined;
        if (args.type === argoTypes.appProject) {
            const owner = getPath(props, ["metadata", "labels", "gitops.platform/owner"]);
            if (typeof owner === "string" && config.platformTeams.includes(owner)) return;
            problems = projectProblems(props, config);
        } else {
            const view = argoCdInstallView(args.type, props);
            const rbac = view ? settingsOf(view, argoCdSettingsObjects.rbac) : undefined;
            if (!view || !rbac) return;
            problems = rbacProblems(rbac, config);
            source = view.fromValues ? "the argo-cd chart values" : undefined;
        }
        if (problems.length > 0) reportViolation(withProvenance(problems, { ...args, props }, source));
    },
};
