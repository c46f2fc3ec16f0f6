/**
 * Transforms applied to every object a Helm chart renders: audit labels on all of them (charts
 * differ in how, or whether, they take common labels), Secrets' data kept secret in the state, and
 * for prod retention of CRDs, whose deletion would delete every custom resource of that kind in
 * the cluster.
 */
import * as pulumi from "@pulumi/pulumi";

/** Type token of a Secret. */
export const SECRET_TYPE = "kubernetes:core/v1:Secret";

/** Type token of a CustomResourceDefinition. */
export const CRD_TYPE = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";

/** Options of {@link chartTransforms}. */
export interface ChartTransformOptions {
    /** Labels merged into every object's metadata (existing keys are overwritten). Required. */
    labels: Record<string, string>;
    /**
     * Retain and protect CRDs on delete.
     * @default false
     */
    retainCrds?: boolean;
}

/** The transforms for a `k8s.helm.v4.Chart`. */
export function chartTransforms(options: ChartTransformOptions): pulumi.ResourceTransform[] {
    return [
        (args) => {
            // Only Kubernetes objects carry metadata; the chart's own component and providers do not.
            if (!args.custom || !args.type.startsWith("kubernetes:")) return undefined;
            const props = { ...args.props };
            const metadata = (props.metadata ?? {}) as Record<string, unknown>;
            props.metadata = { ...metadata, labels: { ...((metadata.labels as Record<string, string> | undefined) ?? {}), ...options.labels } };
            let opts = options.retainCrds && args.type === CRD_TYPE ? { ...args.opts, retainOnDelete: true, protect: true } : args.opts;
            // A chart's Secrets keep their data secret in Pulumi's state, as k8s.core.v1.Secret does.
            if (args.type === SECRET_TYPE) {
                const secretOutputs = (opts as pulumi.CustomResourceOptions).additionalSecretOutputs ?? [];
                opts = { ...opts, additionalSecretOutputs: [...new Set([...secretOutputs, "data", "stringData"])] } as pulumi.CustomResourceOptions;
            }
            return { props, opts };
        },
    ];
}
