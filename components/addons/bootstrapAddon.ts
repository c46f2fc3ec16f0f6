/**
 * BootstrapAddon: an add-on Pulumi installs itself, with a Helm chart, because something must run
 * before Argo CD can take over (External Secrets Operator makes Argo CD's repository credentials).
 * Values may use the same `{{.metadata.annotations.<key>}}` templates as add-ons Argo CD installs;
 * here they are filled from the cluster annotations directly. See docs/adr-0001-addon-ownership.md.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AuditMetadata, auditLabels } from "../audit/auditMetadata";
import { ComponentValidationError } from "../validationError";
import { annotationReferences } from "../gitops/addonApplicationSet";
import { ChartInputs } from "../helm/chartInputs";
import { chartTransforms } from "../helm/chartTransforms";

/** Arguments of {@link BootstrapAddon}. */
export interface BootstrapAddonArgs {
    /** Add-on name (also the release name). Required. */
    addon: string;
    /** Helm repository URL (`https://...`) or OCI registry path (`oci://...`). Required. */
    repositoryUrl: string;
    /** Chart name. Required. */
    chart: string;
    /** Exact chart version. Required. */
    version: string;
    /** Namespace; created by this component. Required. */
    namespace: string;
    /**
     * Helm values, possibly with `{{.metadata.annotations.<key>}}` templates.
     * @default - none
     */
    values?: Record<string, unknown>;
    /** The cluster annotations the templates are filled from. Required. */
    clusterAnnotations: Record<string, pulumi.Input<string>>;
    /**
     * Retain CRDs on delete (prod).
     * @default false
     */
    retainCrds?: boolean;
    /** Audit metadata. Required. */
    audit: AuditMetadata;
}

/** Type token of the component. */
export const BOOTSTRAP_ADDON_TYPE = "gitops:platform:BootstrapAddon";

/** A Helm chart installed by Pulumi at bootstrap. */
export class BootstrapAddon extends pulumi.ComponentResource {
    /** The chart; resources that need its CRDs depend on it. */
    readonly chart: k8s.helm.v4.Chart;

    constructor(name: string, args: BootstrapAddonArgs, opts?: pulumi.ComponentResourceOptions) {
        const oci = args.repositoryUrl.startsWith("oci://");
        const chartInputs: ChartInputs = {
            chart: oci ? `${args.repositoryUrl.replace(/\/$/, "")}/${args.chart}` : args.chart,
            version: args.version,
            ...(oci ? {} : { repositoryOpts: { repo: args.repositoryUrl } }),
            name: args.addon,
            namespace: args.namespace,
            values: fillTemplates(args.values ?? {}, args.clusterAnnotations),
        };
        super(BOOTSTRAP_ADDON_TYPE, name, chartInputs, opts);
        const missing = annotationReferences(args.values).filter((k) => !(k in args.clusterAnnotations));
        if (missing.length > 0) {
            throw new ComponentValidationError("BootstrapAddon", name, [
                { prop: "values", message: `add-on ${JSON.stringify(args.addon)}: values refer to cluster annotations that do not exist: ${missing.join(", ")}` },
            ]);
        }
        const labels = auditLabels(args.audit);
        const ns = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: args.namespace, labels } }, { parent: this });
        // Provider 4.25 renders no chart hooks; a chart whose install needs one must not be
        // installed here without a replacement (docs/adr-0002-real-engine.md).
        this.chart = new k8s.helm.v4.Chart(
            name,
            { ...chartInputs, namespace: ns.metadata.name },
            { parent: this, dependsOn: [ns], transforms: chartTransforms({ labels, retainCrds: args.retainCrds }) },
        );
        this.registerOutputs({});
    }
}

/** Replaces `{{.metadata.annotations.<key>}}` in every string of `values` by the annotation's value. */
export function fillTemplates(values: Record<string, unknown>, annotations: Record<string, pulumi.Input<string>>): pulumi.Output<Record<string, unknown>> {
    return pulumi.output(annotations).apply((resolved) => fill(values, resolved as Record<string, string>) as Record<string, unknown>);
}

function fill(value: unknown, annotations: Record<string, string>): unknown {
    if (typeof value === "string") {
        return value.replace(/\{\{\s*\.metadata\.annotations\.([A-Za-z0-9_]+)\s*\}\}/g, (_m, key: string) => annotations[key]);
    }
    if (Array.isArray(value)) return value.map((v) => fill(v, annotations));
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, annotations)]));
    }
    return value;
}
