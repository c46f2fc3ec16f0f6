/**
 * The audit trail's data: what the sources hand over (Git commits, Argo CD Applications as the API
 * returns them, Pulumi's update history, the Terraform state's identity, notification events, the
 * live object) and the report the join makes of them. Plain data: no I/O here, so the join is tested
 * without a cluster and the renderers without the join.
 */

/** `%G?` of `git log`: G good, B bad, U good but of unknown validity, X expired signature, Y by an expired key, R by a revoked key, E cannot be checked (key missing), N none. */
export type SignatureStatus = "G" | "B" | "U" | "X" | "Y" | "R" | "E" | "N";

/** A commit's signature as git (through gpg) reports it. */
export interface CommitSignature {
    status: SignatureStatus;
    /** `%GF`: fingerprint of the key that made the signature (a subkey's, if a subkey signed). */
    fingerprint?: string;
    /** `%GP`: fingerprint of the primary key of that key. */
    primaryFingerprint?: string;
    /** `%GK`: the key id the signature names (also known when the key is not in the keyring). */
    keyId?: string;
    /** `%GS`: the signer's user id. */
    signer?: string;
}

/** One `Key: value` trailer of a commit message. */
export interface Trailer {
    key: string;
    value: string;
}

/** What every commit read from the repository carries. */
export interface GitCommit {
    sha: string;
    parents: string[];
    author: string;
    authorEmail: string;
    /** ISO 8601, `%aI`. */
    authorDate: string;
    committer: string;
    /** ISO 8601, `%cI`. */
    committerDate: string;
    subject: string;
    trailers: Trailer[];
}

/** A commit of the dry source (the branch people merge to). */
export interface DryCommit extends GitCommit {
    /** Unset when it was not checked (outside what the query needs). */
    signature?: CommitSignature;
    /** False for a commit an Application or a hydrated commit names that is not on the dry branch. */
    onDryBranch: boolean;
}

/** The `hydrator.metadata` file Argo CD's source hydrator writes at the root of every hydrated commit. */
export interface HydratorMetadata {
    drySha?: string;
    repoURL?: string;
    author?: string;
    subject?: string;
    date?: string;
    references?: unknown[];
}

/** A commit of an environment branch the source hydrator writes. */
export interface HydratedCommit extends GitCommit {
    /** The commit server may sign what it commits; unset when it was not checked. */
    signature?: CommitSignature;
    /** The branch it was read from; empty when an Application named it and no branch read holds it. */
    branch: string;
    /** `hydrator.metadata` at this commit; unset when the commit has none or it is not JSON (see `metadataProblem`). */
    metadata?: HydratorMetadata;
    metadataProblem?: string;
}

/** `initiatedBy` of a sync: a user, or Argo CD's automated sync. */
export interface InitiatedBy {
    username?: string;
    automated?: boolean;
}

/** One source of an Application (`spec.source`, an entry of `spec.sources`, a history entry's `source`). */
export interface ApplicationSource {
    repoURL?: string;
    targetRevision?: string;
    path?: string;
    chart?: string;
}

/** An entry of `status.history`: one sync that reached the cluster. */
export interface HistoryEntry {
    id?: number;
    revision?: string;
    revisions?: string[];
    deployedAt?: string;
    deployStartedAt?: string;
    initiatedBy?: InitiatedBy;
    source?: ApplicationSource;
    sources?: ApplicationSource[];
}

/** One resource of the last sync's result. */
export interface SyncResultResource {
    group?: string;
    version?: string;
    kind?: string;
    namespace?: string;
    name?: string;
    status?: string;
    message?: string;
    syncPhase?: string;
    hookPhase?: string;
}

/** `status.operationState`: the last or current operation. */
export interface OperationState {
    phase?: string;
    message?: string;
    startedAt?: string;
    finishedAt?: string;
    operation?: { initiatedBy?: InitiatedBy; sync?: { revision?: string; revisions?: string[] } };
    syncResult?: { revision?: string; revisions?: string[]; resources?: SyncResultResource[] };
}

/** The hydrator's settings (`spec.sourceHydrator`, and as recorded in its operations). */
export interface SourceHydratorSpec {
    drySource?: ApplicationSource;
    syncSource?: { targetBranch?: string; path?: string; repoURL?: string };
    hydrateTo?: { targetBranch?: string };
}

/** `status.sourceHydrator`. */
export interface SourceHydratorStatus {
    lastSuccessfulOperation?: { drySHA?: string; hydratedSHA?: string; sourceHydrator?: SourceHydratorSpec };
    currentOperation?: { phase?: string; message?: string; drySHA?: string; hydratedSHA?: string; startedAt?: string; finishedAt?: string; sourceHydrator?: SourceHydratorSpec };
}

/** An Application condition (`ComparisonError`, `SyncError`, ...). */
export interface ApplicationCondition {
    type?: string;
    message?: string;
    lastTransitionTime?: string;
}

/** The fields of an Argo CD Application (argoproj.io/v1alpha1) the audit reads, as `kubectl get -o json` returns them. */
export interface ArgoApplication {
    apiVersion?: string;
    kind?: string;
    metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string>; creationTimestamp?: string };
    spec?: { project?: string; destination?: { server?: string; name?: string; namespace?: string }; source?: ApplicationSource; sources?: ApplicationSource[]; sourceHydrator?: SourceHydratorSpec };
    status?: {
        sync?: { status?: string; revision?: string; revisions?: string[] };
        health?: { status?: string };
        history?: HistoryEntry[];
        operationState?: OperationState;
        sourceHydrator?: SourceHydratorStatus;
        conditions?: ApplicationCondition[];
    };
}

/** One update of `pulumi stack history --json`. */
export interface PulumiUpdate {
    /** The update's number; the file backend writes 0 for every update, then the reader numbers them oldest first. */
    version: number;
    kind: string;
    result?: string;
    startTime?: string;
    endTime?: string;
    message?: string;
    /** The update's environment, only its `git.*` and `exec.*` keys (the rest says which variables were set). */
    environment: Record<string, string>;
    resourceChanges?: Record<string, number>;
}

/** The identity of the Terraform state the stack reads (a state has no timestamp: serial and lineage are what identify it). */
export interface TerraformStateInfo {
    /** The source as `describeSource` describes it (never a credential). */
    source: string;
    lineage?: string;
    serial?: number;
    terraformVersion?: string;
    /** Why lineage or serial are missing (a `terraform output -json` file has neither). */
    note?: string;
}

/**
 * One webhook body Argo CD's notifications controller sent (the template of components/argocd/notifications.ts:
 * event, app, project, revision, phase, message, at, initiatedBy, drySha, hydratedSha), with the receiver's `receivedAt`.
 */
export interface NotificationEvent {
    /** The trigger, e.g. `on-audit-sync-succeeded`. */
    event: string;
    app: string;
    project?: string;
    /** The sync's revision; a multi-source sync's revisions joined by `,`. */
    revision?: string;
    drySha?: string;
    hydratedSha?: string;
    phase?: string;
    message?: string;
    at?: string;
    initiatedBy?: string | InitiatedBy;
    receivedAt?: string;
    /** Line of the JSON-lines file. */
    line: number;
}

/** A Kubernetes object as read live: identity and metadata only (a Secret's data is never kept). */
export interface LiveObject {
    apiVersion?: string;
    kind: string;
    metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string>; creationTimestamp?: string };
}

/** `kind/namespace/name` (or `kind/name` for a cluster-scoped object) as given to `--object`. */
export interface ObjectRef {
    kind: string;
    namespace?: string;
    name: string;
}

/** A source the audit read, or could not read, and what it held. */
export interface SourceSummary {
    name: string;
    read: boolean;
    detail: string;
}

/** Everything the join needs, read by the adapters in sources.ts (or made by a test). */
export interface AuditSources {
    stack: string;
    /** The namespace Argo CD's Applications live in unless their name says otherwise (`<namespace>_<name>`). */
    argocdNamespace: string;
    /** The dry branch (main) and the environment branches read. */
    dryBranch: string;
    environmentBranches: string[];
    /** The dry branch's tip (its first-parent line decides which merge brought a commit in). */
    dryTip?: string;
    /** The dry branch's history, newest first, and any other commit a hydrated commit or an Application names. */
    dryCommits: DryCommit[];
    hydratedCommits: HydratedCommit[];
    applications: ArgoApplication[];
    /** Unset when Pulumi's history was not read. */
    pulumiUpdates?: PulumiUpdate[];
    /** Unset when the Terraform state was not read. */
    terraform?: TerraformStateInfo;
    /** Unset when no notifications file was given. */
    notifications?: NotificationEvent[];
    /** The live object of an `--object` query; unset when none was asked for or it does not exist. */
    liveObject?: LiveObject;
    /** Fingerprints whose good signatures count as verified; unset: every signature git calls good (G) does. */
    trustedKeys?: string[];
    /** What each source was and held. */
    summaries: SourceSummary[];
}

/** What to report: one object's chain, or the whole stack; and from when. */
export interface AuditQuery {
    object?: ObjectRef;
    /** ISO 8601: events before it are left out of the timeline. */
    since?: string;
    /** When the report was made (a test fixes it). Default: now. */
    now?: string;
}

/** A dry commit's signature as the report shows it. */
export interface SignatureVerdict {
    /** `not-checked`: outside what the query needed (see git-history.ts). */
    status: SignatureStatus | "not-checked";
    /** What the status means, in words. */
    meaning: string;
    fingerprint?: string;
    keyId?: string;
    signer?: string;
    /** With `--trusted-keys`: whether the signing key (or its primary key) is one of them. */
    trustedKey?: boolean;
    /** A good signature by a trusted key (with `--trusted-keys`), or one git calls good (G) without. */
    verified: boolean;
}

/** A pull request named by a commit. */
export interface PullRequestRef {
    number: number;
    /** How it was found: a merge commit's subject, a `Pull-request:` trailer, a squash merge's `(#12)`. */
    from: "merge-subject" | "trailer" | "squash-subject";
    /** The commit that names it (the dry commit itself, or the merge commit that brought it to the dry branch). */
    commit: string;
}

/** A dry commit in the report. */
export interface DryCommitView {
    sha: string;
    author: string;
    authorEmail: string;
    date: string;
    subject: string;
    onDryBranch: boolean;
    signature: SignatureVerdict;
    pullRequest?: PullRequestRef;
}

/** A hydrated commit in the report, with the dry commit it was made from. */
export interface HydratedCommitView {
    sha: string;
    /** Unset when the commit itself was not read (the dry sha came from the Application's status). */
    signature?: SignatureVerdict;
    branch: string;
    date: string;
    subject: string;
    drySha?: string;
    /** Where the dry sha came from: the commit's `hydrator.metadata` (the source of truth), a trailer of its message, or the Application's hydrator status. */
    drySource?: "hydrator.metadata" | "trailer" | "application-status";
    repoURL?: string;
}

/** The sync that put the live revision in place. */
export interface SyncView {
    application: string;
    historyId?: number;
    revision: string;
    deployedAt?: string;
    deployStartedAt?: string;
    initiatedBy: string;
    automated: boolean;
    /** The last operation's phase and message when it synced this revision. */
    phase?: string;
    message?: string;
    /** What the last sync did to this object (`deployment.apps/web configured`), when its result lists it. */
    objectResult?: string;
}

/** A notification in the report: the event as received, who started the sync said in words. */
export interface NotificationView extends Omit<NotificationEvent, "project" | "initiatedBy" | "line"> {
    initiatedBy?: string;
}

/** The Application in the report. */
export interface ApplicationView {
    name: string;
    namespace: string;
    project?: string;
    syncStatus?: string;
    syncRevision?: string;
    health?: string;
    /** The source hydrator's settings when it hydrates this Application. */
    hydrator?: { dryRevision?: string; syncBranch?: string; lastDrySha?: string; lastHydratedSha?: string; phase?: string; message?: string };
    /** The direct source's revision setting when no hydrator is used. */
    targetRevision?: string;
    /** The audit labels (lib/auditLabels.ts) it carries. */
    auditLabels: Record<string, string>;
    conditions: { type: string; message: string; at?: string; signatureProblem: boolean }[];
}

/** The Pulumi update in the report. */
export interface PulumiUpdateView extends Omit<PulumiUpdate, "environment"> {
    gitHead?: string;
    gitAuthor?: string;
    /** The Application's git-commit audit label matched the update's `git.head`, or no update matched and this is the latest that created or updated something. */
    matchedBy: "git-commit-label" | "resource-changes";
}

/** A step of the chain from a live object back to the Terraform state. */
export type ChainStep = "object" | "application" | "sync" | "notification" | "hydrated-commit" | "dry-commit" | "pull-request" | "pulumi-update" | "terraform";

/** One object's chain: object -> Application -> sync -> hydrated commit -> dry commit -> pull request -> Pulumi update -> Terraform state. */
export interface ObjectChain {
    object: { kind: string; apiVersion?: string; namespace?: string; name: string; uid?: string; trackingId?: string; createdAt?: string; metadataOnly?: string };
    application?: ApplicationView;
    sync?: SyncView;
    notifications: NotificationView[];
    hydratedCommit?: HydratedCommitView;
    dryCommit?: DryCommitView;
    pullRequest?: PullRequestRef;
    pulumiUpdate?: PulumiUpdateView;
    terraform?: TerraformStateInfo;
    /** Each missing link, said plainly. */
    gaps: { step: ChainStep; reason: string }[];
}

/** What happened, for the timeline. */
export type TimelineKind = "dry-commit" | "hydrated-commit" | "sync" | "operation" | "hydration" | "condition" | "notification" | "pulumi-update";

/** One event of the timeline. */
export interface TimelineEvent {
    at: string;
    kind: TimelineKind;
    summary: string;
    application?: string;
    revision?: string;
    who?: string;
    status?: string;
}

/** The audit trail of a stack, or of one object in it. */
export interface AuditReport {
    stack: string;
    generatedAt: string;
    query: { object?: string; since?: string };
    sources: SourceSummary[];
    terraform?: TerraformStateInfo;
    chain?: ObjectChain;
    /** Newest first. */
    timeline: TimelineEvent[];
    notes: string[];
}
