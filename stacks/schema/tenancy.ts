/**
 * Team access in Argo CD: identity-provider group names, a team project's roles, sync windows and
 * orphaned-resource warnings. A team gets exactly its own access: the schema offers only the actions
 * on a project's own applications that a team may hold, so a role with `exec`, or one over projects,
 * clusters, repositories, certificates, GPG keys or accounts, cannot be written.
 */
import { z } from "zod";
import { KubernetesNameSchema } from "./common";

/**
 * An identity-provider group as the OIDC `groups` claim carries it, written into Argo CD's
 * `policy.csv` (`g, <group>, <role>`). Argo CD does not quote it, so a comma, a quote or a line break
 * would add policy lines (`x, role:readonly\ng, everyone, role:admin`): such names are refused, as are
 * control and invisible characters, spaces around the name, and a name that is itself an Argo CD role
 * (`role:...`, `proj:...`), which would bind a role to a role.
 */
export const IdentityGroupSchema = z.string().superRefine((g, ctx) => {
    const problem = identityGroupProblem(g);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** Why a group name cannot be written into `policy.csv` (the first reason), or undefined. */
export function identityGroupProblem(g: string): string | undefined {
    if (g === "") return "expected a group name";
    if (g.length > 256) return "a group name has at most 256 characters";
    if (/[,"\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(g)) {
        return "a group name is written into Argo CD's policy.csv: no comma, quote, line break, control or invisible character";
    }
    if (g.trim() !== g) return "a group name has no spaces before or after it";
    if (/^(role|proj):/.test(g)) return "a group name may not be an Argo CD role (role:..., proj:...)";
    return undefined;
}

/**
 * What a team's project role may do to the project's applications (`p, proj:<project>:<role>,
 * applications, <action>, <project>/*, allow`). Refresh, history and diff need `get`; rollback and
 * terminating an operation need `sync`; `override` syncs with local manifests or overridden
 * parameters; the rest restart a workload through Argo CD's built-in resource actions. Applications
 * are declared by this program from Git, so no role creates, updates or deletes them.
 */
export const TEAM_APPLICATION_ACTIONS = [
    "get",
    "sync",
    "override",
    "action/apps/Deployment/restart",
    "action/apps/StatefulSet/restart",
    "action/apps/DaemonSet/restart",
] as const;
export type TeamApplicationAction = (typeof TEAM_APPLICATION_ACTIONS)[number];

/** A role of a team project, bound to identity-provider groups. */
export const ProjectRoleSchema = z.strictObject({
    /** Role name (`proj:<project>:<name>`), e.g. `deployer`. Required. */
    name: KubernetesNameSchema,
    /** Description shown in the UI. Default: none. */
    description: z.string().regex(/^[^\p{Cc}]*$/u, { message: "one line of text" }).optional(),
    /** Identity-provider groups that hold the role. Default: none (the role is for project tokens only). */
    groups: z.array(IdentityGroupSchema).default([]),
    /** What the role may do to the project's applications. Required, at least one. */
    applications: z
        .array(z.enum(TEAM_APPLICATION_ACTIONS, { error: `expected one of ${TEAM_APPLICATION_ACTIONS.join(", ")} (a team never gets exec, or access to projects, clusters, repositories, certificates, GPG keys or accounts)` }))
        .min(1)
        .refine((actions) => new Set(actions).size === actions.length, { message: "each action once" }),
    /** Read the logs of the project's applications (`logs, get`). Default `false`. */
    logs: z.boolean().default(false),
});
export type ProjectRoleConfig = z.infer<typeof ProjectRoleSchema>;

/** An application name, or a glob of names (`*` for every application of the project). */
const ApplicationGlobSchema = z.string().regex(/^[a-z0-9*]([-a-z0-9*]{0,61}[a-z0-9*])?$/, { message: "expected an application name or a glob like hello-* or *" });

/** One field of a cron schedule: digits, names, `*`, `,`, `-`, `/`. */
const CRON = /^(\S+ ){4}\S+$/;
const CRON_FIELD = /^[0-9A-Za-z*,/-]+$/;

/**
 * A sync window of a project (`spec.syncWindows[]`): when its applications may (`allow`) or may not
 * (`deny`) sync. Argo CD applies it to the applications, namespaces and clusters it names.
 */
export const SyncWindowSchema = z.strictObject({
    /** `allow` or `deny`. Required. */
    kind: z.enum(["allow", "deny"]),
    /** When the window opens: a five-field cron expression, e.g. `0 0 * * 6` (Saturday 00:00). Required. */
    schedule: z.string().refine((s) => CRON.test(s) && s.split(" ").every((f) => CRON_FIELD.test(f)), {
        message: "expected a five-field cron expression like \"0 0 * * 6\"",
    }),
    /** How long it stays open, e.g. `48h` or `1h30m`. Required. */
    duration: z.string().regex(/^(?=\d)(\d+h)?(\d+m)?$/, { message: "expected a duration like 48h or 1h30m" }),
    /** Applications it applies to (names or globs). Default `["*"]`, every application of the project. */
    applications: z.array(ApplicationGlobSchema).min(1).default(["*"]),
    /** Destination namespaces it applies to as well. Default: none. */
    namespaces: z.array(KubernetesNameSchema).default([]),
    /** Destination clusters (Argo CD cluster names) it applies to as well. Default: none. */
    clusters: z.array(KubernetesNameSchema).default([]),
    /** Allow manual syncs while a deny window is open (automatic syncs stay blocked). Default `false`. */
    manualSync: z.boolean().default(false),
    /** IANA time zone of the schedule, e.g. `Europe/Berlin`. Default `UTC`. */
    timeZone: z.string().regex(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/, { message: "expected an IANA time zone like Europe/Berlin" }).optional(),
});
export type SyncWindowConfig = z.infer<typeof SyncWindowSchema>;

/** Orphaned-resource monitoring of a project: objects in its destination namespaces that no application owns. */
export const OrphanedResourcesSchema = z.strictObject({
    /** Show a warning condition on the project's applications when there are some. Default `true`. */
    warn: z.boolean().default(true),
});
export type OrphanedResourcesConfig = z.infer<typeof OrphanedResourcesSchema>;

/** Cluster-scoped kinds that grant cluster access: the pack's one list (argocd-rbac-tenancy guards it too). */
export { CLUSTER_ACCESS_KINDS, grantsClusterAccess } from "gitops-platform-policies/shared";

/** Namespaces no team project deploys into, besides Argo CD's own. */
export const SYSTEM_NAMESPACES = ["kube-system"] as const;
