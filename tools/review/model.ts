/**
 * The review document (`review.json`): what merging the working tree into a base ref changes, per
 * stack. Every value in it is already redacted: a secret is `[secret]`, a Secret's data `[redacted]`.
 */

/** How one object or property differs between base and head. */
export type ChangeKind = "added" | "removed" | "changed" | "replaced";

/** One changed property of an object, by path (`spec.source.targetRevision`). */
export interface PropertyChange {
    path: string;
    change: "added" | "removed" | "changed";
    before?: unknown;
    after?: unknown;
    /** True when the value is a secret: before and after are `[secret]` and it changed. */
    secret?: boolean;
}

/** Which part of the review an object belongs to. */
export type Section = "pulumi" | "argocd" | "generated" | "rendered";

/** One object that differs: a Pulumi resource, an Argo CD object, a generated Application or a rendered object. */
export interface ObjectChange {
    section: Section;
    /** Kubernetes kind (`Deployment`) or Pulumi type token (`aws:ecr/repository:Repository`). */
    kind: string;
    /** Stable identity within the stack and section (URN, or `kind namespace/name`). */
    id: string;
    /** Short name to show. */
    name: string;
    change: ChangeKind;
    /** Why a change is a replace (the rule that fired). */
    replaceReason?: string;
    /** For generated and rendered objects: the Application (and for generated ones the ApplicationSet and cluster). */
    origin?: string;
    properties: PropertyChange[];
    /** Unified diff of the object's YAML, base against head (redacted). */
    diff: string;
}

/** A policy violation as the plan reports it. */
export interface Finding {
    policyName: string;
    enforcementLevel: string;
    message: string;
    urn?: string;
    severity?: string;
    /** On an object an Argo CD Application renders: the Application, the cluster and the object (the plan's report says so). */
    renderedBy?: { application: string; cluster: string; applicationSet?: string; object: string; template?: string };
}

/** Findings of head against base: new (only in head), fixed (only in base), unchanged (both). */
export interface FindingsDiff {
    new: Finding[];
    fixed: Finding[];
    unchanged: Finding[];
    /** Counts per enforcement level, e.g. `{ mandatory: { new: 1, fixed: 0, unchanged: 2 } }`. */
    byLevel: Record<string, { new: number; fixed: number; unchanged: number }>;
}

/** Something that could not be shown, and why (a chart that cannot be fetched, a generator not expanded). */
export interface NotShown {
    what: string;
    side: "base" | "head" | "both";
    reason: string;
}

/** The outcome of planning one side of one stack. */
export interface PlanOutcome {
    planned: boolean;
    /** The plan's exit code (0, 1 mandatory finding, 2 bad input). */
    exitCode: number;
    /** Why it did not plan (the plan's own message). */
    error?: string;
}

/** The review of one stack. */
export interface StackReview {
    stack: string;
    base: PlanOutcome;
    head: PlanOutcome;
    changes: ObjectChange[];
    /** `secure:` keys of the stack file whose ciphertext differs (values are never decrypted). */
    stackSecrets: { key: string; change: "added" | "removed" | "re-encrypted" }[];
    findings: FindingsDiff;
    /** Mandatory findings in head (what the exit code is about). */
    headMandatory: number;
    notRendered: NotShown[];
    notExpanded: NotShown[];
    /** Counts of what was compared, for the summary. */
    counts: { applications: number; generatedApplications: number; renderedObjects: number };
}

/** The whole review. */
export interface Review {
    base: { ref: string; commit?: string };
    head: { description: string; commit?: string };
    stacks: StackReview[];
    /** Errors of bad input: an unknown ref, a side that does not plan. */
    errors: string[];
    /** Notes about what the review assumes (same audit commit on both sides, ...). */
    notes: string[];
    verdict: string;
    /** 0 no mandatory finding in head, 1 a mandatory finding, 2 bad input. */
    exitCode: 0 | 1 | 2;
    /** Seconds the review took. */
    seconds: number;
    /** Where the time went: the base worktree with its dependencies, and per stack the two plans and the comparison. */
    timings: { worktreeSeconds: number; stacks: Record<string, { planSeconds: number; compareSeconds: number }> };
}
