/**
 * TeamProject: an Argo CD AppProject for one team, listing exactly the repositories, destinations
 * and cluster-scoped kinds it may use. No wildcard anywhere (a `*` would make the project a way
 * around every other restriction) and never the `default` project: the stack schema refuses both
 * in the config, and the policy pack (argocd-appproject-restricted, argocd-application-no-default-project)
 * in any AppProject, made here or not (docs/adr-0005-validation-layers.md).
 */
import * as pulumi from "@pulumi/pulumi";
import { AuditMetadata, auditAnnotations, auditLabels } from "../audit/auditMetadata";
import { argoCdResource, RESOURCES_FINALIZER } from "./argoCdResource";
import { argoRepoUrl, ChartRepository } from "./repositoryUrl";

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
    /** Namespace Argo CD runs in. Required. */
    argocdNamespace: pulumi.Input<string>;
    /** Audit metadata. Required. */
    audit: AuditMetadata;
}

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
                    annotations: auditAnnotations(args.audit),
                    // Keeps the project until no Application refers to it any more.
                    finalizers: [RESOURCES_FINALIZER],
                },
                spec: {
                    description: args.description ?? `Applications of team ${args.team}`,
                    sourceRepos: args.sourceRepos.map(argoRepoUrl),
                    destinations: args.destinations.map((d) => ({ name: d.cluster, namespace: d.namespace })),
                    clusterResourceWhitelist: args.clusterResourceWhitelist ?? [],
                },
            },
            { parent: this, dependsOn: opts?.dependsOn },
        );
        this.registerOutputs({ projectName: this.projectName });
    }
}
