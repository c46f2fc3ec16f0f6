/**
 * What a component that installs a Helm chart shows the engine, and so the policy pack. The
 * Kubernetes provider registers a helm v4 `Chart` (a multi-language component) with empty inputs,
 * so the rules cannot judge its chart, version or values there; the component that owns the
 * Chart registers the same chart arguments as its own inputs instead, and the rules read those.
 */
import * as pulumi from "@pulumi/pulumi";

/** The chart arguments a component registers: the same keys a `k8s.helm.v4.Chart` takes. */
export interface ChartInputs {
    /** Chart name, `oci://` URL, or a local chart directory. */
    chart: string;
    /** Exact chart version; none for a local chart. */
    version?: string;
    /** The Helm repository a named chart comes from. */
    repositoryOpts?: { repo: string };
    /** Release name. Default: the Chart's resource name. */
    name?: string;
    /** Namespace the chart is installed in. */
    namespace: pulumi.Input<string>;
    /** Values (secrets stay Pulumi secrets). */
    values: pulumi.Input<Record<string, unknown>>;
}
