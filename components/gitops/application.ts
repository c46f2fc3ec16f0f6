/**
 * TeamApplication: an Argo CD Application that deploys one chart from a declared repository: a Helm
 * repository or OCI registry (chart at an exact version) or a Git repository path (values files per
 * environment, at a pinned tag/commit, or a branch where the stack allows it). Automated sync with
 * prune and self-heal, retry with backoff, namespace creation, server-side apply, a sync wave, and
 * the finalizer that removes the deployed resources with the Application.
 */
import * as pulumi from "@pulumi/pulumi";
import { isRecord } from "gitops-platform-policies/shared";
import { AuditMetadata, auditAnnotations, auditLabels } from "../audit/auditMetadata";
import { argoCdResource, automatedSyncPolicy, DEFAULT_RETRY, RESOURCES_FINALIZER, SYNC_WAVE_ANNOTATION, SyncRetry } from "./argoCdResource";
import { argoRepoUrl, ChartRepository } from "./repositoryUrl";

/** A chart from a Helm repository or an OCI registry. */
export interface PackagedChartSource {
    /** Repository (type helm or oci). Required. */
    repository: ChartRepository;
    /** Chart name. Required. */
    chart: string;
    /** Exact chart version. Required. */
    version: string;
    /**
     * Values files packaged in the chart, e.g. `values-prod.yaml`.
     * @default - none
     */
    valueFiles?: string[];
}

/** A chart directory in a Git repository. */
export interface GitChartSource {
    /** Repository (type git). Required. */
    repository: ChartRepository;
    /** Chart directory, e.g. `charts/hello-service`. Required. */
    path: string;
    /** Tag, commit or (where allowed) branch. Required. */
    revision: string;
    /**
     * Values files inside the chart directory.
     * @default - none
     */
    valueFiles?: string[];
}

/**
 * Where Argo CD's source hydrator commits an application's rendered manifests, which it then syncs
 * from (a Git source only).
 */
export interface HydrationTarget {
    /** Environment branch synced from, e.g. `environments/prod`. Required. */
    branch: string;
    /** Folder of the application's manifests on that branch (never the root). Required. */
    path: string;
    /**
     * Branch the hydrator commits to instead, promoted to `branch` by a pull request.
     * @default - commits go straight to `branch`
     */
    hydrateTo?: string;
}

/** Arguments of {@link TeamApplication}. */
export interface TeamApplicationArgs {
    /** Application name. Required. */
    name: string;
    /** AppProject name (never `default`: the schema and the policy pack refuse it). Required. */
    project: string;
    /** Owning team (audit owner). Required. */
    team: string;
    /** Chart source. Required. */
    source: PackagedChartSource | GitChartSource;
    /** Destination cluster name and namespace. Required. */
    destination: { cluster: string; namespace: string };
    /**
     * Inline Helm values.
     * @default - none
     */
    values?: Record<string, unknown>;
    /**
     * Pass the audit metadata as the chart's `audit.*` values (this repository's charts).
     * @default false
     */
    auditValues?: boolean;
    /**
     * Sync wave.
     * @default 0
     */
    syncWave?: number;
    /**
     * Sync retry.
     * @default - 5 attempts from 5s doubling up to 3m
     */
    retry?: SyncRetry;
    /**
     * Extra labels.
     * @default - none
     */
    labels?: Record<string, string>;
    /**
     * Hydrate the chart (a Git source) to this branch and sync from there.
     * @default - synced straight from the source
     */
    hydration?: HydrationTarget;
    /**
     * The field manager of the tool whose objects this Application takes over (`helm` for a Helm
     * release): Argo CD's server-side apply moves its fields to itself on the first sync.
     * @default - Argo CD's default, `kubectl-client-side-apply`
     */
    adoptFieldsOf?: string;
    /** Namespace Argo CD runs in. Required. */
    argocdNamespace: pulumi.Input<string>;
    /** Audit metadata. Required. */
    audit: AuditMetadata;
}

/** Annotation naming the field manager whose fields Argo CD's server-side apply migrates to its own. */
export const CSA_MIGRATION_MANAGER_ANNOTATION = "argocd.argoproj.io/client-side-apply-migration-manager";

/** Type token of the component. */
export const TEAM_APPLICATION_TYPE = "gitops:platform:TeamApplication";

/** The `spec.source` of an Application for a chart source and inline values. */
export function applicationSource(
    source: PackagedChartSource | GitChartSource,
    releaseName: string,
    values: Record<string, unknown> = {},
    parameters: { name: string; value: string }[] = [],
): Record<string, unknown> {
    const helm: Record<string, unknown> = { releaseName };
    if (source.valueFiles && source.valueFiles.length > 0) helm.valueFiles = source.valueFiles;
    if (Object.keys(values).length > 0) helm.valuesObject = values;
    if (parameters.length > 0) helm.parameters = parameters;
    if ("chart" in source) {
        return { repoURL: argoRepoUrl(source.repository), chart: source.chart, targetRevision: source.version, helm };
    }
    return { repoURL: argoRepoUrl(source.repository), path: source.path, targetRevision: source.revision, helm };
}

/**
 * The source part of an Application's spec: `source`, or with hydration `sourceHydrator`, whose dry
 * source is that same source (the hydrator renders it as Argo CD would) and whose sync source is the
 * environment branch the rendered manifests are committed to.
 */
export function applicationSourceSpec(source: Record<string, unknown>, hydration?: HydrationTarget): Record<string, unknown> {
    if (!hydration || source.chart !== undefined) return { source };
    const { repoURL, path, targetRevision, helm } = source;
    return {
        sourceHydrator: {
            drySource: { repoURL, path, targetRevision, helm },
            syncSource: { targetBranch: hydration.branch, path: hydration.path },
            ...(hydration.hydrateTo ? { hydrateTo: { targetBranch: hydration.hydrateTo } } : {}),
        },
    };
}

/**
 * The chart's `audit.*` values for an Application, and for a Git source the commit Argo CD actually
 * deployed: `$ARGOCD_APP_REVISION`, which Argo CD substitutes in Helm parameters (not in values). A
 * published chart already carries the commit it was built from (stamped by the publish workflow).
 */
export function chartAuditValues(source: PackagedChartSource | GitChartSource, audit: AuditMetadata, owner: string) {
    const values = { audit: { owner, environment: audit.stack, project: audit.project } };
    const parameters = "path" in source ? [{ name: "audit.gitCommit", value: "$ARGOCD_APP_REVISION" }] : [];
    return { values, parameters };
}

/** An Application of a team. */
export class TeamApplication extends pulumi.ComponentResource {
    constructor(name: string, args: TeamApplicationArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TEAM_APPLICATION_TYPE, name, {}, opts);
        const audit = args.auditValues ? chartAuditValues(args.source, args.audit, args.team) : { values: {}, parameters: [] };
        const source = applicationSource(args.source, args.name, mergeValues(audit.values, args.values ?? {}), audit.parameters);
        argoCdResource(
            args.name,
            "Application",
            {
                metadata: {
                    name: args.name,
                    namespace: args.argocdNamespace,
                    labels: { ...(args.labels ?? {}), ...auditLabels(args.audit, args.team) },
                    annotations: {
                        ...auditAnnotations(args.audit),
                        [SYNC_WAVE_ANNOTATION]: String(args.syncWave ?? 0),
                        ...(args.adoptFieldsOf ? { [CSA_MIGRATION_MANAGER_ANNOTATION]: args.adoptFieldsOf } : {}),
                    },
                    finalizers: [RESOURCES_FINALIZER],
                },
                spec: {
                    project: args.project,
                    ...applicationSourceSpec(source, args.hydration),
                    destination: { name: args.destination.cluster, namespace: args.destination.namespace },
                    syncPolicy: automatedSyncPolicy(args.retry ?? DEFAULT_RETRY),
                },
            },
            { parent: this, dependsOn: opts?.dependsOn },
        );
        this.registerOutputs({});
    }
}

/** Deep-merges inline values over defaults: objects key by key, anything else replaces. */
export function mergeValues(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) {
        const b = out[k];
        out[k] = isRecord(b) && isRecord(v) ? mergeValues(b, v) : v;
    }
    return out;
}
