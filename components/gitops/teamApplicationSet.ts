/**
 * TeamApplicationSet: one team application on every registered cluster whose cluster Secret carries
 * the given labels: an ApplicationSet with a cluster generator, so a fleet of N clusters costs one
 * declared resource, not N. The generated Applications are those a TeamApplication would declare,
 * named `<cluster>-<application>` and sent to their cluster by name.
 */
import * as pulumi from "@pulumi/pulumi";
import { auditAnnotations, auditLabels } from "../audit/auditMetadata";
import { applicationSource, applicationSourceSpec, chartAuditValues, mergeValues, type TeamApplicationArgs } from "./application";
import { argoCdResource, automatedSyncPolicy, DEFAULT_RETRY, RESOURCES_FINALIZER, SYNC_WAVE_ANNOTATION } from "./argoCdResource";

/**
 * Arguments of {@link TeamApplicationSet}: those of a {@link TeamApplication}, with a namespace and a
 * cluster selector in place of its one destination.
 */
export interface TeamApplicationSetArgs extends Omit<TeamApplicationArgs, "destination"> {
    /** Application name; the generated Applications are `<cluster>-<name>`. Required. */
    name: string;
    /** Namespace on each cluster. Required. */
    namespace: string;
    /** Labels a cluster Secret must carry to get the application. Required. */
    clusterSelector: Record<string, string>;
}

/** Type token of the component. */
export const TEAM_APPLICATION_SET_TYPE = "gitops:platform:TeamApplicationSet";

/** A team application across the clusters a label selector picks. */
export class TeamApplicationSet extends pulumi.ComponentResource {
    constructor(name: string, args: TeamApplicationSetArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TEAM_APPLICATION_SET_TYPE, name, {}, opts);
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
                            ...applicationSourceSpec(applicationSource(args.source, args.name, mergeValues(audit.values, args.values ?? {}), audit.parameters), args.hydration),
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
