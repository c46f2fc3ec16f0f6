/**
 * What every step of the composition shares: the validated stack config, the audit metadata, the
 * declared repositories with their URLs resolved, and the options that order resources after others.
 * Built once by the root from the config and the foundation's outputs; no step reads config itself.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { AuditMetadata } from "../audit/auditMetadata";
import type { ChartRepository } from "../gitops/repositoryUrl";
import type { PlatformConfig } from "../../stacks/schema";
import type { StackConfig } from "../../stacks/load";
import type { SigningKey } from "../../stacks/signingKeys";
import type { Foundation } from "./foundation";

/** The stack-wide facts every step reads. */
export interface PlatformContext {
    /** The validated stack config (platform, secrets, commit). */
    config: StackConfig;
    /** `config.platform`. */
    platform: PlatformConfig;
    /** Audit metadata stamped on everything. */
    audit: AuditMetadata;
    /** Prod protects and retains what would be costly to lose. */
    isProd: boolean;
    /** Namespace Argo CD runs in. */
    argocdNamespace: string;
    /** Declared repositories by name, URLs resolved. */
    repositories: RepositoryCatalog;
    /** Public keys trusted to sign commits (`gitops.sourceIntegrity`), read from Git and checked. */
    signingKeys: SigningKey[];
}

/** Declared repositories by name. */
export class RepositoryCatalog {
    private readonly byName: ReadonlyMap<string, ChartRepository>;

    constructor(repositories: ChartRepository[]) {
        this.byName = new Map(repositories.map((r) => [r.name, r]));
    }

    /** Every declared repository. */
    all(): ChartRepository[] {
        return [...this.byName.values()];
    }

    /** The repository `name`; the config rules have already checked every reference. */
    named(name: string): ChartRepository {
        const repo = this.byName.get(name);
        if (!repo) throw new Error(`internal: repository ${JSON.stringify(name)} is not declared`);
        return repo;
    }
}

/** Resource options of a step: the cluster's provider and what it must wait for. */
export type StepOptions = pulumi.ComponentResourceOptions & { dependsOn: pulumi.Resource[] };

/** The context of a stack: audit metadata, and repositories (an `ecr: true` one points at this account's registry). */
export function platformContext(config: StackConfig, foundation: Foundation, signingKeys: SigningKey[] = []): PlatformContext {
    const platform = config.platform;
    return {
        config,
        platform,
        audit: { stack: config.stack, project: platform.audit.project, owner: platform.audit.owner, gitCommit: config.gitCommit },
        isProd: platform.environment === "prod",
        signingKeys,
        argocdNamespace: platform.argocd.namespace,
        repositories: new RepositoryCatalog(
            platform.gitops.repositories.map((r) => ({
                name: r.name,
                type: r.type,
                url: r.ecr ? `oci://${foundation.accountId}.dkr.ecr.${foundation.region}.amazonaws.com/${platform.aws.ecr.namespace}` : (r.url as string),
            })),
        ),
    };
}
