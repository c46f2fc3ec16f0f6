/**
 * One drift report across the three layers that drift on their own: the Terraform foundation (its
 * outputs against those the last `pulumi up` used), Pulumi's resources (changed out of band), and
 * what Argo CD deploys (out of sync, orphaned). Each layer is read on its own; a layer that cannot
 * be read says so (`error`) and is never remediated.
 */

export type Layer = "terraform" | "pulumi" | "argocd";
export const LAYERS: readonly Layer[] = ["terraform", "pulumi", "argocd"];

/** One field that differs. A secret's values are never carried: `secret: true` and "changed". */
export interface FieldChange {
    /** Dotted path inside the object (`spec.replicas`, `data.url`, an output's name). */
    path: string;
    /** What the source of truth says (Git, the last `pulumi up`, Terraform's last outputs), as JSON text. */
    expected?: string;
    /** What is there now, as JSON text. */
    actual?: string;
    /** A secret: shown as changed, never its value. */
    secret?: boolean;
}

/** One thing that drifted. */
export interface DriftItem {
    layer: Layer;
    /** The cluster it is in (Argo CD: the destination's name; Pulumi: the provider's cluster), or none for Terraform. */
    cluster?: string;
    /** What drifted: `output cluster_endpoint`, `ConfigMap argocd/argocd-cm`, `Deployment hello/hello-service`. */
    object: string;
    /** Kind of drift: `changed` (fields differ), `missing` (deleted out of band), `orphaned` (no owner in Git), `state` (Terraform state moved on). */
    kind: "changed" | "missing" | "orphaned" | "state";
    /** The fields that differ, when known. */
    fields: FieldChange[];
    /** Who changed it and when, where the cluster knows (managedFields: manager, operation, time). */
    changedBy?: { manager: string; operation?: string; time?: string }[];
    /** The Argo CD Application it belongs to, if any. */
    application?: string;
    /** Whether something corrects it on its own (Argo CD self-heal), and what. */
    selfHeals?: boolean;
    /** What to do, in words a person acts on. */
    action: string;
}

/** One layer's outcome. `error`: it could not be read (unreachable backend, missing credentials). */
export interface LayerResult {
    layer: Layer;
    status: "clean" | "drift" | "error";
    /** What was read, e.g. `terraform state local stacks/local/terraform/terraform.tfstate (serial 4)`. */
    source: string;
    /** Why it could not be read. */
    error?: string;
    items: DriftItem[];
    /** Extra facts worth a line (e.g. `terraform plan -refresh-only: no changes`). */
    notes: string[];
    seconds: number;
}

export interface DriftReport {
    stack: string;
    generatedAt: string;
    layers: LayerResult[];
    /** What --remediate did, per layer, when it was asked. */
    remediation?: { layer: Layer; action: string; ok: boolean; detail: string }[];
}

/** 0: no drift anywhere; 1: drift in a layer; 2: no drift seen but a layer could not be read. */
export function exitCode(report: DriftReport): 0 | 1 | 2 {
    if (report.layers.some((l) => l.status === "drift")) return 1;
    if (report.layers.some((l) => l.status === "error")) return 2;
    return 0;
}

/** A layer's result from its items (or its failure). */
export function layerResult(layer: Layer, source: string, started: number, outcome: { items: DriftItem[]; notes?: string[] } | { error: string }): LayerResult {
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    if ("error" in outcome) return { layer, status: "error", source, error: outcome.error, items: [], notes: [], seconds };
    return { layer, status: outcome.items.length > 0 ? "drift" : "clean", source, items: outcome.items, notes: outcome.notes ?? [], seconds };
}
