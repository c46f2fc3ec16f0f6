/**
 * AddonApplicationSet: one add-on on every cluster that asks for it (the gitops-bridge pattern).
 * The cluster generator selects cluster Secrets labelled `enable_<addon>: "true"`; Helm values may
 * take facts from the cluster Secret's annotations (`{{.metadata.annotations.aws_region}}`), which
 * carry the Terraform outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { AuditMetadata, auditAnnotations, auditLabels } from "../audit/auditMetadata";
import { ComponentValidationError } from "../validationError";
import { applicationSource, PackagedChartSource } from "./application";
import { argoCdResource, automatedSyncPolicy, DEFAULT_RETRY, RESOURCES_FINALIZER, SYNC_WAVE_ANNOTATION } from "./argoCdResource";

/** Arguments of {@link AddonApplicationSet}. */
export interface AddonApplicationSetArgs {
    /** Add-on name. Required. */
    addon: string;
    /** AppProject of the generated Applications. Required. */
    project: string;
    /** Chart at an exact version. Required. */
    source: PackagedChartSource;
    /** Namespace the add-on runs in. Required. */
    namespace: string;
    /**
     * Helm values, possibly with `{{.metadata.annotations.<key>}}` templates.
     * @default - none
     */
    values?: Record<string, unknown>;
    /** Annotation keys every selected cluster Secret carries; templates may only use these. Required. */
    clusterAnnotationKeys: string[];
    /**
     * Sync wave of the generated Applications.
     * @default -1
     */
    syncWave?: number;
    /**
     * Extra cluster label selection, e.g. `{ environment: "prod" }`.
     * @default - none
     */
    matchLabels?: Record<string, string>;
    /** Namespace Argo CD runs in. Required. */
    argocdNamespace: pulumi.Input<string>;
    /** Audit metadata. Required. */
    audit: AuditMetadata;
}

/** Type token of the component. */
export const ADDON_APPLICATION_SET_TYPE = "gitops:platform:AddonApplicationSet";

/** The cluster label that turns an add-on on: `enable_<name>` with `-` as `_` (gitops-bridge convention). */
export function addonEnableLabel(addon: string): string {
    return `enable_${addon.replace(/-/g, "_")}`;
}

/** The annotation keys a values object's `{{.metadata.annotations.<key>}}` templates refer to. */
export function annotationReferences(values: unknown): string[] {
    const found = new Set<string>();
    const text = JSON.stringify(values ?? {});
    for (const match of text.matchAll(/\{\{\s*\.metadata\.annotations\.([A-Za-z0-9_]+)\s*\}\}/g)) found.add(match[1]);
    return [...found].sort();
}

/** An ApplicationSet installing one add-on across clusters. */
export class AddonApplicationSet extends pulumi.ComponentResource {
    constructor(name: string, args: AddonApplicationSetArgs, opts?: pulumi.ComponentResourceOptions) {
        super(ADDON_APPLICATION_SET_TYPE, name, {}, opts);
        const unknown = annotationReferences(args.values).filter((k) => !args.clusterAnnotationKeys.includes(k));
        if (unknown.length > 0) {
            throw new ComponentValidationError("AddonApplicationSet", name, [
                {
                    prop: "values",
                    message:
                        `add-on ${JSON.stringify(args.addon)}: values refer to cluster annotations the cluster Secret does not carry: ${unknown.join(", ")}; ` +
                        `available: ${args.clusterAnnotationKeys.join(", ")}`,
                },
            ]);
        }
        const labels = auditLabels(args.audit);
        argoCdResource(
            `addon-${args.addon}`,
            "ApplicationSet",
            {
                metadata: { name: `addon-${args.addon}`, namespace: args.argocdNamespace, labels, annotations: auditAnnotations(args.audit) },
                spec: {
                    goTemplate: true,
                    // A template naming a missing annotation fails instead of rendering an empty value.
                    goTemplateOptions: ["missingkey=error"],
                    generators: [{ clusters: { selector: { matchLabels: { ...(args.matchLabels ?? {}), [addonEnableLabel(args.addon)]: "true" } } } }],
                    template: {
                        metadata: {
                            name: `{{.name}}-${args.addon}`,
                            labels: { ...labels, "gitops.platform/addon": args.addon },
                            annotations: { [SYNC_WAVE_ANNOTATION]: String(args.syncWave ?? -1) },
                            finalizers: [RESOURCES_FINALIZER],
                        },
                        spec: {
                            project: args.project,
                            source: applicationSource(args.source, args.addon, args.values),
                            destination: { name: "{{.name}}", namespace: args.namespace },
                            syncPolicy: automatedSyncPolicy(DEFAULT_RETRY),
                        },
                    },
                },
            },
            { parent: this, dependsOn: opts?.dependsOn },
        );
        this.registerOutputs({});
    }
}
