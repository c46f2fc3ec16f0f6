/**
 * The whole non-secret platform config of a stack: the value of the structured config key
 * `gitops-platform:platform`. Every object is strict, so a misspelt key (or a password pasted into
 * the wrong place) is an error rather than silently ignored.
 */
import { z } from "zod";
import { ConfigTerraformSourceSchema } from "../../lib/terraform/source";
import { AddonsConfigSchema } from "./addons";
import { ArgoCdConfigSchema } from "./argocd";
import { AuditConfigSchema } from "./audit";
import { AwsConfigSchema } from "./aws";
import { ClusterConfigSchema, FleetConfigSchema, fleetRules } from "./cluster";
import { GitOpsConfigSchema } from "./gitops";
import { crossCheckPlatform } from "./rules";
import { SecretsConfigSchema } from "./secrets";
import { DriftConfigSchema } from "./drift";

/** The stack environments this program knows. */
export const EnvironmentSchema = z.enum(["local", "dev", "staging", "prod"]);
export type Environment = z.infer<typeof EnvironmentSchema>;

/** Structural schema, before the cross-field rules. */
export const PlatformShapeSchema = z.strictObject({
    /** Which environment this stack is; decides what is allowed (admin user, AWS, branch tracking). Required. */
    environment: EnvironmentSchema,
    /** The Terraform foundation this stack builds on. Required. */
    terraform: z.strictObject({
        /** Where its state (or `terraform output -json` file) is read from. Required. */
        source: ConfigTerraformSourceSchema,
    }),
    /** How the cluster is reached. Required. */
    cluster: ClusterConfigSchema,
    /** Further clusters Argo CD manages (from Terraform states, a map output or a kubeconfig). Default: none. */
    fleet: FleetConfigSchema,
    /** Argo CD installation. Default: upstream chart 10.1.1, hardened defaults. */
    argocd: ArgoCdConfigSchema.prefault({}),
    /** Platform add-ons. Default: none. */
    addons: AddonsConfigSchema,
    /** Repositories, projects, applications. Default: none. */
    gitops: GitOpsConfigSchema.prefault({}),
    /** AWS resources (cloud stacks). Default: none. */
    aws: AwsConfigSchema.prefault({}),
    /** The store ExternalSecrets read and who runs External Secrets Operator. Default: AWS Secrets Manager, the add-on. */
    secrets: SecretsConfigSchema.prefault({}),
    /** What `npm run drift -- --remediate` may do. Default: report only. */
    drift: DriftConfigSchema.prefault({}),
    /** Audit metadata. Required (`owner`). */
    audit: AuditConfigSchema,
});

/** The platform config with every cross-field rule (see `rules.ts`). */
export const PlatformConfigSchema = PlatformShapeSchema.superRefine((platform, ctx) => {
    for (const problem of [...crossCheckPlatform(platform), ...fleetRules(platform)]) {
        ctx.addIssue({ code: "custom", path: problem.path, message: problem.message });
    }
});
export type PlatformConfig = z.infer<typeof PlatformConfigSchema>;

export * from "./addons";
export * from "./argocd";
export * from "./audit";
export * from "./aws";
export * from "./cluster";
export * from "./common";
export * from "./gitops";
export * from "./integrity";
export { isHydrated } from "./rules";
export * from "./labels";
export * from "./secrets";
export * from "./drift";
export * from "./rollout";
export * from "./tenancy";
export * from "./versions";
