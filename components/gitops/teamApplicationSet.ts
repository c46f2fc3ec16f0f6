/**
 * TeamApplicationSet: one team application on every registered cluster whose cluster Secret carries
 * the given labels: an ApplicationSet with a cluster generator, so a fleet of N clusters costs one
 * declared resource, not N. The generated Applications are those a TeamApplication would declare,
 * named `<cluster>-<application>` and sent to their cluster by name.
 */
import * as pulumi from "@pulumi/pulumi";
import { auditAnnotations, auditLabels } from "../audit/auditMetadata";
import { applicationSource, applicationSourceSpec, chartAuditValues, mergeValues, type TeamApplicationArgs } from "./application";
import { ROLLOUT_WAVE_LABEL } from "../../stacks/schema/rollout";
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
    /**
     * Waves, in order, synced one after the other (`strategy: RollingSync`).
     * @default - every cluster at once, synced automatically
     */
    rollout?: RolloutWave[];
}

/** A wave of a rollout: the clusters it takes, by name. */
export interface RolloutWave {
    name: string;
    clusters: string[];
    /** It also takes every cluster no wave names (the last wave, "the rest"). */
    rest: boolean;
    /**
     * Applications of the wave synced at once: a count or a share (`25%`).
     * @default - all of them (Argo CD's 100%)
     */
    maxUpdate?: number | string;
}

/** Type token of the component. */
export const TEAM_APPLICATION_SET_TYPE = "gitops:platform:TeamApplicationSet";

/** A team application across the clusters a label selector picks. */
export class TeamApplicationSet extends pulumi.ComponentResource {
    constructor(name: string, args: TeamApplicationSetArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TEAM_APPLICATION_SET_TYPE, name, {}, opts);
        const audit = args.auditValues ? chartAuditValues(args.source, args.audit, args.team) : { values: {}, parameters: [] };
        const labels = { ...(args.labels ?? {}), ...auditLabels(args.audit, args.team) };
        const syncPolicy = automatedSyncPolicy(args.retry ?? DEFAULT_RETRY);
        // RollingSync syncs the Applications itself, wave by wave, and turns their automated sync off.
        const { automated: _automated, ...rollingSyncPolicy } = syncPolicy;
        argoCdResource(
            `appset-${args.name}`,
            "ApplicationSet",
            {
                metadata: { name: `app-${args.name}`, namespace: args.argocdNamespace, labels, annotations: auditAnnotations(args.audit) },
                spec: {
                    goTemplate: true,
                    goTemplateOptions: ["missingkey=error"],
                    generators: [{ clusters: { selector: { matchLabels: args.clusterSelector } } }],
                    ...(args.rollout ? { strategy: rollingSync(args.rollout) } : {}),
                    template: {
                        metadata: {
                            name: `{{.name}}-${args.name}`,
                            labels: args.rollout ? { ...labels, [ROLLOUT_WAVE_LABEL]: waveOfCluster(args.rollout) } : labels,
                            annotations: { ...auditAnnotations(args.audit), [SYNC_WAVE_ANNOTATION]: String(args.syncWave ?? 0) },
                            finalizers: [RESOURCES_FINALIZER],
                        },
                        spec: {
                            project: args.project,
                            ...applicationSourceSpec(applicationSource(args.source, args.name, mergeValues(audit.values, args.values ?? {}), audit.parameters), args.hydration),
                            destination: { name: "{{.name}}", namespace: args.namespace },
                            syncPolicy: args.rollout ? rollingSyncPolicy : syncPolicy,
                        },
                    },
                },
            },
            { parent: this, dependsOn: opts?.dependsOn },
        );
        this.registerOutputs({});
    }
}

/** One RollingSync step per wave, selecting its Applications by their wave label. */
function rollingSync(waves: RolloutWave[]): Record<string, unknown> {
    return {
        type: "RollingSync",
        rollingSync: {
            steps: waves.map((w) => ({
                matchExpressions: [{ key: ROLLOUT_WAVE_LABEL, operator: "In", values: [w.name] }],
                ...(w.maxUpdate !== undefined ? { maxUpdate: w.maxUpdate } : {}),
            })),
        },
    };
}

/**
 * The wave label's value as a Go template over the generated cluster's name: the wave that lists it,
 * else the wave that takes the rest, else none (an Application no step selects is never synced by
 * the rollout: a cluster registered since the last `pulumi up` waits for it).
 */
function waveOfCluster(waves: RolloutWave[]): string {
    const quoted = (names: string[]) => names.map((n) => JSON.stringify(n)).join(" ");
    const branches = waves.filter((w) => !w.rest && w.clusters.length > 0).map((w, i) => `{{- ${i === 0 ? "if" : "else if"} has .name (list ${quoted(w.clusters)}) }}${w.name}`);
    const rest = waves.find((w) => w.rest)?.name ?? "";
    return `${branches.join("")}{{- else }}${rest}{{- end }}`;
}
