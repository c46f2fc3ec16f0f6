/**
 * TeamProject: an Argo CD AppProject for one team, listing exactly the repositories, destinations
 * and cluster-scoped kinds it may use. No wildcard anywhere: a `*` would make the project a
 * way around every other restriction.
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
    /** Description. Default `Applications of team <team>`. */
    description?: string;
    /** Repositories its applications may use. Required, at least one. */
    sourceRepos: ChartRepository[];
    /** Destinations (cluster name and namespace). Required, at least one. */
    destinations: { cluster: string; namespace: string }[];
    /** Cluster-scoped kinds allowed. Default: none. */
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
        const problems = wildcardProblems(args);
        if (args.name === "default") problems.push("name: the default project may not be used");
        if (args.sourceRepos.length === 0) problems.push("sourceRepos: at least one repository is required");
        if (args.destinations.length === 0) problems.push("destinations: at least one destination is required");
        if (problems.length > 0) throw new Error(`AppProject ${JSON.stringify(args.name)}:\n  ${problems.join("\n  ")}`);
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

function wildcardProblems(args: TeamProjectArgs): string[] {
    const problems: string[] = [];
    const check = (path: string, value: string) => {
        if (value.includes("*")) problems.push(`${path}: wildcards are not allowed, got ${JSON.stringify(value)}`);
    };
    args.sourceRepos.forEach((r, i) => check(`sourceRepos[${i}]`, r.url));
    args.destinations.forEach((d, i) => {
        // A fleet's clusters are admitted by a name prefix (`dev-eu-*`); `*` alone admits any cluster.
        check(`destinations[${i}].cluster`, /^[a-z0-9][-a-z0-9]*\*$/.test(d.cluster) ? d.cluster.slice(0, -1) : d.cluster);
        check(`destinations[${i}].namespace`, d.namespace);
    });
    (args.clusterResourceWhitelist ?? []).forEach((k, i) => {
        check(`clusterResourceWhitelist[${i}].group`, k.group);
        check(`clusterResourceWhitelist[${i}].kind`, k.kind);
    });
    return problems;
}
