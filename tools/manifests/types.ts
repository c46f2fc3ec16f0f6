/** Shapes the plan and the review share about Argo CD Applications and what their charts render. */

/** A Kubernetes object: a manifest the plan wrote, or one a chart rendered. */
export interface Manifest {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    [field: string]: unknown;
}

/** Something that was not expanded or rendered, and why. */
export interface NotDone {
    what: string;
    reason: string;
}
