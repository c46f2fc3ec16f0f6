import { z } from "zod";
import { ClusterNamePatternSchema } from "./cluster";
import { KubernetesNameSchema, RepositoryPathSchema } from "./common";
import { LabelsSchema } from "./labels";
import { ApplicationHydrationSchema, HydrationSchema, SourceIntegritySchema } from "./integrity";
import { PromotionSchema } from "./promotion";
import { RolloutSchema } from "./rollout";
import { OrphanedResourcesSchema, ProjectRoleSchema, SyncWindowSchema } from "./tenancy";
import { ExactVersionSchema, GitRevisionSchema } from "./versions";

/**
 * Where a repository's credentials come from. Exactly one of the two; a username, password or
 * token written here is a config error, because it would land in Pulumi state in plaintext.
 */
export const RepositoryCredentialsSchema = z
    .strictObject({
        /**
         * Made by an ExternalSecret from the stack's secret store: this AWS Secrets Manager secret (JSON
         * with `username` and `password`; Pulumi creates the empty container), or with
         * `secrets.store.kubernetes` the Secret of the same name with each `/` as `.` (data keys
         * `username` and `password`, put there out of band). Default: none.
         */
        externalSecret: z.strictObject({
            /** Secrets Manager secret name (the store key). Default `gitops-platform/<stack>/repositories/<repository name>` (`-write` appended for writeCredentials). */
            secretsManagerName: z.string().min(1).optional(),
        }).optional(),
        /** Name of an existing, labelled Argo CD repository Secret in the Argo CD namespace. Default: none. */
        existingSecret: KubernetesNameSchema.optional(),
        /** Made by an ExternalSecret from an ECR authorization token, minted with the repo-server's IAM role. Default `false`. */
        ecrAuthorizationToken: z.boolean().optional(),
    })
    .superRefine((creds, ctx) => {
        const given = (["externalSecret", "existingSecret", "ecrAuthorizationToken"] as const).filter((k) => creds[k] !== undefined && creds[k] !== false);
        if (given.length !== 1) {
            ctx.addIssue({ code: "custom", message: `give exactly one of externalSecret, existingSecret, ecrAuthorizationToken (got ${given.length === 0 ? "none" : given.join(", ")})` });
        }
    });
export type RepositoryCredentials = z.infer<typeof RepositoryCredentialsSchema>;

/** A chart or Git repository Argo CD may read from. Projects, applications and add-ons refer to it by `name`. */
export const RepositorySchema = z
    .strictObject({
        /** Short name other config refers to. Required. */
        name: KubernetesNameSchema,
        /** `git` (charts in a Git repository), `helm` (Helm HTTP repository) or `oci` (Helm charts in an OCI registry). Required. */
        type: z.enum(["git", "helm", "oci"]),
        /** Repository URL (`https://...`, `oci://...` for type oci, or `file:///...` for a local Git repository on the local stack). Required unless `ecr` is set. */
        url: z
            .string()
            .regex(/^(https|oci|file):\/\/[^\s]+$/, { message: "expected an https://, oci:// or file:// URL" })
            // A project lists its repositories by URL: a `*` there would admit any repository.
            .refine((url) => !url.includes("*"), { message: "wildcards are not allowed: name one repository" })
            // Credentials go in `credentials` (an ExternalSecret or an existing Secret), never in the URL, which
            // Argo CD objects, the plan and the review all show.
            .refine((url) => !/^[a-z]+:\/\/[^/]*@/i.test(url), { message: "a URL with user info (user:password@) holds a credential: use credentials instead" })
            .optional(),
        /** This account's ECR registry (`oci://<account_id>.dkr.ecr.<region>.amazonaws.com/<aws.ecr.namespace>`), from Terraform outputs. Default `false`. */
        ecr: z.boolean().default(false),
        /** Credentials for a private repository. Default: none (public). */
        credentials: RepositoryCredentialsSchema.optional(),
        /**
         * Credentials Argo CD's commit server pushes hydrated manifests with (an Argo CD
         * `repository-write` Secret); git repositories only. Default: none (not written to).
         */
        writeCredentials: RepositoryCredentialsSchema.optional(),
    })
    .superRefine((repo, ctx) => {
        if ((repo.url === undefined) === !repo.ecr) {
            ctx.addIssue({ code: "custom", path: ["url"], message: "give exactly one of url and ecr: true" });
        }
        if (repo.ecr && repo.type !== "oci") {
            ctx.addIssue({ code: "custom", path: ["type"], message: "an ecr repository has type oci" });
        }
        if (repo.writeCredentials && repo.type !== "git") {
            ctx.addIssue({ code: "custom", path: ["writeCredentials"], message: "only a git repository is written to (hydrated manifests)" });
        }
        if (repo.writeCredentials?.ecrAuthorizationToken) {
            ctx.addIssue({ code: "custom", path: ["writeCredentials", "ecrAuthorizationToken"], message: "an ECR token reads charts; push credentials are an externalSecret or an existingSecret" });
        }
        if (repo.url?.startsWith("file://") && repo.type !== "git") {
            ctx.addIssue({ code: "custom", path: ["url"], message: "a file:// URL is a local Git repository: type git" });
        } else if (repo.url !== undefined && repo.url.startsWith("oci://") !== (repo.type === "oci")) {
            ctx.addIssue({ code: "custom", path: ["url"], message: `type ${repo.type} needs ${repo.type === "oci" ? "an oci://" : "an https://"} URL` });
        }
    });
export type RepositoryConfig = z.infer<typeof RepositorySchema>;

/** A Kubernetes group/kind pair. */
export const GroupKindSchema = z.strictObject({
    /** API group (`""` for the core group). Required; never `*`. */
    group: z.string().regex(/^[a-z0-9.-]*$/, { message: "expected an API group name (no wildcards)" }),
    /** Kind. Required; never `*`. */
    kind: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, { message: "expected a Kind (no wildcards)" }),
});

/** Where a project's applications may deploy. */
export const DestinationSchema = z.strictObject({
    /** Namespace. Required; never `*`. */
    namespace: KubernetesNameSchema,
    /**
     * Argo CD cluster name, or in a project a name prefix ending in `*` (`dev-eu-*`) that admits every
     * cluster of a fleet named so; never `*` alone. Default `in-cluster`.
     */
    cluster: ClusterNamePatternSchema.default("in-cluster"),
});

/** An Argo CD AppProject: one per team. */
export const ProjectSchema = z.strictObject({
    /** Project name; `default` is reserved. Required. */
    name: KubernetesNameSchema.refine((n) => n !== "default", { message: "the default project may not be used; name a team project" }),
    /** Owning team (audit `owner`). Required. */
    team: KubernetesNameSchema,
    /** Description shown in the UI. Default: `Applications of team <team>`. */
    description: z.string().optional(),
    /** Names of repositories (from `gitops.repositories`) the project may deploy from. Required, at least one. */
    sourceRepos: z.array(KubernetesNameSchema).min(1),
    /** Where its applications may deploy. Required, at least one. */
    destinations: z.array(DestinationSchema).min(1),
    /**
     * Cluster-scoped kinds its applications may create. Kinds that grant access to the whole cluster
     * (RBAC, CRDs, admission webhooks, API services, certificate requests) only for the platform team
     * (`audit.owner`). Default: none.
     */
    clusterResourceWhitelist: z.array(GroupKindSchema).default([]),
    /** Project roles bound to the team's identity-provider groups (e.g. a deployer and a read-only role). Default: none. */
    roles: z.array(ProjectRoleSchema).default([]).superRefine((roles, ctx) => {
        const seen = new Map<string, number>();
        roles.forEach((role, i) => {
            const first = seen.get(role.name);
            if (first !== undefined) ctx.addIssue({ code: "custom", path: [i, "name"], message: `duplicate role ${JSON.stringify(role.name)} (also at [${first}])` });
            else seen.set(role.name, i);
        });
    }),
    /** Sync windows (e.g. no automatic sync on weekends). Default: none, syncs at any time. */
    syncWindows: z.array(SyncWindowSchema).default([]),
    /** Warn about objects in the project's namespaces that no application owns. Default: not monitored. */
    orphanedResources: OrphanedResourcesSchema.optional(),
});
export type ProjectConfig = z.infer<typeof ProjectSchema>;

/** The chart an Application deploys, from one of the declared repositories. */
export const ApplicationSourceSchema = z.strictObject({
    /** Repository name from `gitops.repositories`. Required. */
    repository: KubernetesNameSchema,
    /** Chart name (helm and oci repositories). */
    chart: z.string().min(1).optional(),
    /** Exact chart version (helm and oci repositories). */
    version: ExactVersionSchema.optional(),
    /** Chart directory inside the repository, e.g. `charts/hello-service` (git repositories). */
    path: RepositoryPathSchema.optional(),
    /** Git revision: a 40-hex commit or a release tag; a branch only with `trackBranch`. */
    revision: GitRevisionSchema.optional(),
    /** Track a branch instead of a pinned revision (dev only). Default `false`. */
    trackBranch: z.boolean().default(false),
    /** Values files inside the chart (the Git chart directory, or packaged in a published chart), e.g. `values-prod.yaml`. Default: none. */
    valueFiles: z.array(z.string().regex(/^[\w.-]+\.ya?ml$/, { message: "expected a values file name like values-dev.yaml" })).default([]),
});

/** Sync retry with exponential backoff. */
export const RetrySchema = z.strictObject({
    /** Attempts before giving up. Default `5`. */
    limit: z.number().int().min(1).default(5),
    /** First delay. Default `5s`. */
    duration: z.string().regex(/^\d+[smh]$/, { message: "expected a duration like 5s" }).default("5s"),
    /** Backoff factor. Default `2`. */
    factor: z.number().int().min(1).default(2),
    /** Longest delay. Default `3m`. */
    maxDuration: z.string().regex(/^\d+[smh]$/, { message: "expected a duration like 3m" }).default("3m"),
});

/** An Argo CD Application of a team. */
export const ApplicationSchema = z.strictObject({
    /** Application name. Required. */
    name: KubernetesNameSchema,
    /** Project name from `gitops.projects`. Required. */
    project: KubernetesNameSchema,
    /** Chart to deploy. Required. */
    source: ApplicationSourceSchema,
    /** Destination. Required. */
    destination: DestinationSchema,
    /**
     * Deploy to every registered cluster whose cluster Secret carries these labels (one ApplicationSet
     * with a cluster generator, named `<cluster>-<name>` per cluster) instead of `destination.cluster`;
     * `environment` is always the stack's. Default: none, the one cluster of `destination`.
     */
    clusterSelector: LabelsSchema.optional(),
    /**
     * Waves across the clusters of `clusterSelector`, synced in order by the ApplicationSet controller
     * (progressive syncs): each starts once the one before is Healthy. Default: every cluster at once.
     */
    rollout: RolloutSchema.optional(),
    /** Helm values given inline (`helm.valuesObject`). Default: none. */
    values: z.record(z.string(), z.unknown()).default({}),
    /**
     * Pass the platform's audit metadata to the chart as `audit.owner`, `audit.environment`,
     * `audit.project` and `audit.gitCommit`, the values this repository's charts turn into their
     * audit labels. Default `false` (a third-party chart has no such values).
     */
    auditValues: z.boolean().default(false),
    /** Sync wave (`argocd.argoproj.io/sync-wave`); lower waves sync first. Default `0`. */
    syncWave: z.number().int().default(0),
    /** Sync retry. Default 5 attempts from 5s doubling up to 3m. */
    retry: RetrySchema.prefault({}),
    /** Source hydration of this application (a Git source). Default: as `gitops.hydration`. */
    hydration: ApplicationHydrationSchema.prefault({}),
    /**
     * Objects this Application takes over from another tool (written by `npm run adopt`): Argo CD's
     * server-side apply moves the fields of `fieldManager` (`helm` for a Helm release) to itself on the
     * first sync (`argocd.argoproj.io/client-side-apply-migration-manager`). Default: none, Argo CD's
     * own default `kubectl-client-side-apply`.
     */
    adoption: z.strictObject({ fieldManager: z.string().regex(/^[\w.:-]{1,128}$/, { message: "expected a field manager name like helm" }) }).optional(),
});
export type ApplicationConfig = z.infer<typeof ApplicationSchema>;

/** Argo CD wiring: repositories, team projects and their applications. */
export const GitOpsConfigSchema = z.strictObject({
    /** Repositories. Default: none. */
    repositories: z.array(RepositorySchema).default([]),
    /** Team projects. Default: none. */
    projects: z.array(ProjectSchema).default([]),
    /** Applications. Default: none. */
    applications: z.array(ApplicationSchema).default([]),
    /** Extra labels put on every Application and ApplicationSet. Default: none. */
    labels: LabelsSchema.default({}),
    /** Only commits signed by these keys are synced (every project's Git sources). Default: signatures are not checked. */
    sourceIntegrity: SourceIntegritySchema.optional(),
    /** Rendered manifests committed to an environment branch before they are synced. Default: where Argo CD supports it. */
    hydration: HydrationSchema.prefault({}),
    /** Release lines `npm run promote` moves a release along, environment by environment. Default: none. */
    promotion: z.array(PromotionSchema).default([]),
});
export type GitOpsConfig = z.infer<typeof GitOpsConfigSchema>;
