/**
 * TeamProject: an Argo CD AppProject for one team, listing exactly the repositories, destinations
 * and cluster-scoped kinds it may use. No wildcard anywhere (a `*` would make the project a way
 * around every other restriction) and never the `default` project: the stack schema refuses both
 * in the config, and the policy pack (argocd-appproject-restricted, argocd-application-no-default-project)
 * in any AppProject, made here or not (docs/adr-0005-validation-layers.md).
 *
 * Its roles give the team's groups exactly their own access: each role's policies act on the
 * project's applications only (`p, proj:<project>:<role>, applications, <action>, <project>/*, allow`),
 * with the actions the stack schema offers; the policy pack (argocd-rbac-tenancy) guards the same on
 * any AppProject.
 */
import * as pulumi from "@pulumi/pulumi";
import type { TeamApplicationAction } from "../../stacks/schema/tenancy";
import { AuditMetadata, auditAnnotations, auditLabels } from "../audit/auditMetadata";
import { argoCdResource, RESOURCES_FINALIZER } from "./argoCdResource";
import { argoRepoUrl, ChartRepository } from "./repositoryUrl";

/** A project role: what it may do to the project's applications, and the groups that hold it. */
export interface TeamProjectRole {
    /** Role name (`proj:<project>:<name>`). Required. */
    name: string;
    /**
     * Description shown in the UI.
     * @default - none
     */
    description?: string;
    /** Identity-provider groups that hold the role. Required (may be empty: project tokens only). */
    groups: string[];
    /** Actions on the project's applications (`<project>/*`). Required, at least one. */
    applications: TeamApplicationAction[];
    /**
     * Read the logs of the project's applications.
     * @default false
     */
    logs?: boolean;
}

/** A sync window (`spec.syncWindows[]`). */
export interface TeamProjectSyncWindow {
    /** `allow` or `deny`. Required. */
    kind: "allow" | "deny";
    /** Cron schedule when it opens. Required. */
    schedule: string;
    /** How long it stays open (`48h`). Required. */
    duration: string;
    /** Application names or globs. Required (may be empty when namespaces or clusters are given). */
    applications: string[];
    /**
     * Destination namespaces.
     * @default - none
     */
    namespaces?: string[];
    /**
     * Destination clusters.
     * @default - none
     */
    clusters?: string[];
    /**
     * Allow manual syncs while a deny window is open.
     * @default false
     */
    manualSync?: boolean;
    /**
     * IANA time zone of the schedule.
     * @default - UTC
     */
    timeZone?: string;
}

/**
 * Only commits signed by trusted keys are synced from the project's Git repositories: Argo CD 3.5's
 * `sourceIntegrity` (head or strict), or before it `signatureKeys` (the head only).
 */
export interface SignatureVerification {
    /** `strict`: the revision and its ancestors; `head`: the revision. Required. */
    mode: "head" | "strict";
    /** Long key IDs of the trusted keys (in `argocd-gpg-keys-cm`). Required, at least one. */
    keyIds: string[];
    /** Which field the stack's Argo CD release reads. Required. */
    field: "sourceIntegrity" | "signatureKeys";
}

/** Arguments of {@link TeamProject}. */
export interface TeamProjectArgs {
    /** Project name (never `default`). Required. */
    name: string;
    /** Owning team (audit owner). Required. */
    team: string;
    /**
     * Description.
     * @default - `Applications of team <team>`
     */
    description?: string;
    /** Repositories its applications may use. Required, at least one. */
    sourceRepos: ChartRepository[];
    /** Destinations (cluster name and namespace). Required, at least one. */
    destinations: { cluster: string; namespace: string }[];
    /**
     * Cluster-scoped kinds allowed.
     * @default - none
     */
    clusterResourceWhitelist?: { group: string; kind: string }[];
    /**
     * Project roles bound to the team's groups.
     * @default - none
     */
    roles?: TeamProjectRole[];
    /**
     * Sync windows.
     * @default - none: syncs at any time
     */
    syncWindows?: TeamProjectSyncWindow[];
    /**
     * Orphaned-resource monitoring (`spec.orphanedResources`), with a warning condition when `warn`.
     * @default - not monitored
     */
    orphanedResources?: { warn: boolean };
    /**
     * Verify the signatures of commits from the project's Git repositories.
     * @default - not verified
     */
    signatureVerification?: SignatureVerification;
    /** Namespace Argo CD runs in. Required. */
    argocdNamespace: pulumi.Input<string>;
    /** Audit metadata. Required. */
    audit: AuditMetadata;
}

/**
 * Argo CD's API server writes each project token it issues into `spec.roles[].jwtTokens` (and
 * `status.jwtTokensByRole`, where it verifies them), so it co-owns `spec.roles`, an atomic list. The
 * stack's next apply of the project would then fail on a server-side apply conflict: Pulumi forces
 * the roles back to what the stack declares, and the tokens stay valid in the status.
 */
export const ROLES_TAKEN_BACK = { "pulumi.com/patchForce": "true" };

/** Type token of the component. */
export const TEAM_PROJECT_TYPE = "gitops:platform:TeamProject";

/** An AppProject per team. */
export class TeamProject extends pulumi.ComponentResource {
    /** Project name. */
    readonly projectName: string;

    constructor(name: string, args: TeamProjectArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TEAM_PROJECT_TYPE, name, {}, opts);
        this.projectName = args.name;
        argoCdResource(
            args.name,
            "AppProject",
            {
                metadata: {
                    name: args.name,
                    namespace: args.argocdNamespace,
                    labels: auditLabels(args.audit, args.team),
                    annotations: { ...auditAnnotations(args.audit), ...(args.roles?.length ? ROLES_TAKEN_BACK : {}) },
                    // Keeps the project until no Application refers to it any more.
                    finalizers: [RESOURCES_FINALIZER],
                },
                spec: {
                    description: args.description ?? `Applications of team ${args.team}`,
                    sourceRepos: args.sourceRepos.map(argoRepoUrl),
                    destinations: args.destinations.map((d) => ({ name: d.cluster, namespace: d.namespace })),
                    clusterResourceWhitelist: args.clusterResourceWhitelist ?? [],
                    ...(args.roles?.length ? { roles: args.roles.map((role) => projectRole(args.name, role)) } : {}),
                    ...(args.syncWindows?.length ? { syncWindows: args.syncWindows.map(syncWindow) } : {}),
                    ...(args.orphanedResources ? { orphanedResources: { warn: args.orphanedResources.warn } } : {}),
                    ...signatureFields(args.sourceRepos, args.signatureVerification),
                },
            },
            { parent: this, dependsOn: opts?.dependsOn },
        );
        this.registerOutputs({ projectName: this.projectName });
    }
}

/** The project's signature checks, on its Git repositories only (GnuPG verifies Git commits, not charts). */
function signatureFields(repos: ChartRepository[], v: SignatureVerification | undefined): Record<string, unknown> {
    const git = repos.filter((r) => r.type === "git").map(argoRepoUrl);
    if (!v || git.length === 0) return {};
    if (v.field === "signatureKeys") return { signatureKeys: v.keyIds.map((keyID) => ({ keyID })) };
    return { sourceIntegrity: { git: { policies: [{ repos: git.map((url) => ({ url })), gpg: { mode: v.mode, keys: v.keyIds } }] } } };
}

/** An AppProject role as Argo CD reads it: one policy line per action, on the project's applications only. */
function projectRole(project: string, role: TeamProjectRole): Record<string, unknown> {
    const subject = `proj:${project}:${role.name}`;
    const line = (resource: string, action: string) => `p, ${subject}, ${resource}, ${action}, ${project}/*, allow`;
    return {
        name: role.name,
        ...(role.description ? { description: role.description } : {}),
        policies: [...role.applications.map((action) => line("applications", action)), ...(role.logs ? [line("logs", "get")] : [])],
        groups: role.groups,
    };
}

function syncWindow(w: TeamProjectSyncWindow): Record<string, unknown> {
    return {
        kind: w.kind,
        schedule: w.schedule,
        duration: w.duration,
        applications: w.applications,
        ...(w.namespaces?.length ? { namespaces: w.namespaces } : {}),
        ...(w.clusters?.length ? { clusters: w.clusters } : {}),
        manualSync: w.manualSync ?? false,
        ...(w.timeZone ? { timeZone: w.timeZone } : {}),
    };
}
