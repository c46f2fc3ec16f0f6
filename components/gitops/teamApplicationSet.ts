/**
 * TeamApplicationSet: one team application on every registered cluster whose cluster Secret carries
 * the given labels: an ApplicationSet with a cluster generator, so a fleet of N clusters costs one
 * declared resource, not N. The generated Applications are those a TeamApplication would declare,
 * named `<cluster>-<application>` and sent to their cluster by name.
 */
import * as pulumi from "@pulumi/pulumi";
import { AuditMetadata, auditAnnotations, auditLabels } from "../audit/auditMetadata";
import { applicationSource, chartAuditValues, GitChartSource, mergeValues, PackagedChartSource } from "./application";
import { argoCdResource, automatedSyncPolicy, DEFAULT_RETRY, RESOURCES_FINALIZER, SYNC_WAVE_ANNOTATION, SyncRetry } from "./argoCdResource";

/** Arguments of {@link TeamApplicationSet}. */
export interface TeamApplicationSetArgs {
    /** Application name; the generated Applications are `<cluster>-<name>`. Required. */
    name: string;
    /** AppProject name (never `default`). Required. */
    project: string;
    /** Owning team (audit owner). Required. */
    team: string;
    /** Chart source. Required. */
    source: PackagedChartSource | GitChartSource;
    /** Namespace on each cluster. Required. */
    namespace: string;
    /** Labels a cluster Secret must carry to get the application. Required. */
    clusterSelector: Record<string, string>;
    /** Inline Helm values. Default: none. */
    values?: Record<string, unknown>;
    /** Pass the audit metadata as the chart's `audit.*` values. Default `false`. */
    auditValues?: boolean;
    /** Sync wave. Default `0`. */
    syncWave?: number;
    /** Sync retry. Default 5 attempts from 5s doubling up to 3m. */
    retry?: SyncRetry;
    /** Extra labels. Default: none. */
    labels?: Record<string, string>;
    /** Namespace Argo CD runs in. Required. */
    argocdNamespace: pulumi.Input<string>;
    /** Audit metadata. Required. */
    audit: AuditMetadata;
}

/** Type token of the component. */
export const TEAM_APPLICATION_SET_TYPE = "gitops:platform:TeamApplicationSet";

/** A team application across the clusters a label selector picks. */
export class TeamApplicationSet extends pulumi.ComponentResource {
    constructor(name: string, args: TeamApplicationSetArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TEAM_APPLICATION_SET_TYPE, name, {}, opts);
        if (args.project === "default") {
            throw new Error(`Application ${JSON.stringify(args.name)}: project: the default project may not be used`);
        }
        const audit = args.auditValues ? chartAuditValues(args.source, args.audit, args.team) : { values: {}, parameters: [] };
        const labels = { ...(args.labels ?? {}), ...auditLabels(args.audit, args.team) };
        argoCdResource(
            `appset-${args.name}`,
            "ApplicationSet",
            {
                metadata: { name: `app-${args.name}`, namespace: args.argocdNamespace, labels, annotations: auditAnnotations(args.audit) },
                spec: {
                    goTemplate: true,
                    goTemplateOptions: ["missingkey=error"],
                    generators: [{ clusters: { selector: { matchLabels: args.clusterSelector } } }],
                    template: {
                        metadata: {
                            name: `{{.name}}-${args.name}`,
                            labels,
                            annotations: { ...auditAnnotations(args.audit), [SYNC_WAVE_ANNOTATION]: String(args.syncWave ?? 0) },
                            finalizers: [RESOURCES_FINALIZER],
                        },
                        spec: {
                            project: args.project,
                            source: applicationSource(args.source, args.name, mergeValues(audit.values, args.values ?? {}), audit.parameters),
                            destination: { name: "{{.name}}", namespace: args.namespace },
                            syncPolicy: automatedSyncPolicy(args.retry ?? DEFAULT_RETRY),
                        },
                    },
                },
            },
            { parent: this, dependsOn: opts?.dependsOn },
        );
        this.registerOutputs({});
    }
}
