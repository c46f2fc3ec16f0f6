/**
 * What `npm run promote` works with: a release line resolved from the stack config (environments
 * with the file and key their release lives in), Argo CD Applications as the cluster reports them,
 * and what a promotion, a rollback and a watched rollout come to.
 */

/** A step of a key path: a mapping key, or the item of a sequence whose `name` is this (an entry of a list). */
export type KeySegment = string | { name: string };

/** Where an environment's release is written. */
export interface ReleaseLocation {
    /** The file, relative to the Git repository's root, `/`-separated. */
    file: string;
    /** The key path inside it. */
    key: KeySegment[];
    /** The key path as messages and the `Release:` trailer show it, e.g. `image.tag`. */
    shownKey: string;
}

/**
 * How an Application's synced revision is matched with a release: the release file at that commit
 * (a hub entry), the chart version itself (another stack's Helm/OCI entry), or the commit a tag or
 * commit names (another stack's Git entry).
 */
export type RevisionMatch = "release-file" | "chart-version" | "git-revision";

/** One environment of a release line, resolved. */
export interface Environment {
    /** Its name in the line (`--from`, `--to`, `--env`). */
    name: string;
    /** The `gitops.applications` entry that deploys it. */
    entry: string;
    /** The entry has a clusterSelector: its Applications are the ApplicationSet `app-<entry>`'s. */
    applicationSet: boolean;
    /** The stack whose entry it is, when it is not the hub's. */
    stack?: string;
    release: ReleaseLocation;
    revisionMatch: RevisionMatch;
    /** Synced and Healthy at least this long before the release may go on, as written and in ms. */
    soak: string;
    soakMs: number;
    /** Time each Application gets from its sync start to become Healthy after a promotion. */
    verifyWindow: string;
    verifyWindowMs: number;
}

/** A release line of `gitops.promotion`, resolved against the stack. */
export interface ReleaseLine {
    /** The line's name (`--app`). */
    application: string;
    /** The stack whose config declares it. */
    stack: string;
    /** Environments in promotion order. */
    environments: Environment[];
}

/** The fields of an Argo CD Application (`kubectl get applications.argoproj.io -o json`) the tool reads. */
export interface ArgoApplication {
    metadata: {
        name: string;
        namespace?: string;
        ownerReferences?: { kind?: string; name?: string }[];
    };
    spec?: { sourceHydrator?: unknown; syncPolicy?: { syncOptions?: string[] } };
    /** An operation asked for and not yet taken up by the application controller. */
    operation?: unknown;
    status?: {
        sync?: { status?: string; revision?: string; revisions?: string[] };
        health?: { status?: string; message?: string; lastTransitionTime?: string };
        operationState?: {
            phase?: string;
            startedAt?: string;
            finishedAt?: string;
            syncResult?: { revision?: string; revisions?: string[] };
        };
        sourceHydrator?: { lastSuccessfulOperation?: { drySHA?: string } };
    };
}

/** Asks Argo CD to sync an Application to a revision (as `argocd app sync --revision` does). */
export type ApplicationSyncer = (app: ArgoApplication, revision: string) => Promise<void>;

/** Reads the Applications of an environment's cluster (all of them; membership is decided here). */
export type ApplicationReader = (environment: Environment) => Promise<ArgoApplication[]>;

/** Whether a revision holds a release: undefined when it does, else why not in plain words. */
export type ReleaseCheck = (revision: string, release: string) => string | undefined;

/** Time as the tool sees it: injectable so a test drives a rollout without waiting. */
export interface Clock {
    now(): Date;
    sleep(ms: number): Promise<void>;
}

/** The real clock. */
export const SYSTEM_CLOCK: Clock = {
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** What was found of one Application. */
export interface ApplicationCheck {
    name: string;
    /** The commit (or chart version) it is synced at, if it reports one. */
    revision?: string;
    /** How long it has been Healthy, when known. */
    healthyForMs?: number;
    /** Why it does not verify the release; empty when it does. */
    problems: string[];
}

/** Whether an environment runs a release well enough to promote it on. */
export interface Verification {
    environment: string;
    release: string;
    verified: boolean;
    applications: ApplicationCheck[];
    /** Problems of the environment as a whole (no Applications at all). */
    problems: string[];
    /** The distinct revisions its Applications are synced at. */
    revisions: string[];
    /** The shortest time any of them has been Healthy. */
    healthyForMs?: number;
    /** One line: `3 Applications Synced and Healthy at abc1234 for 45s (soak 20s)`, or what is wrong. */
    summary: string;
}

/** A refusal: nothing was written; exit 1 with this one message. */
export class PromotionRefused extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PromotionRefused";
    }
}

/** A commit made (or, dry, the one that would be). */
export interface CommitOutcome {
    /** The commit's full sha; undefined on a dry run. */
    sha?: string;
    /** The branch it is on. */
    branch: string;
    /** Its message, trailers included. */
    message: string;
    /** The release file's change as a unified diff. */
    diff: string;
    /** Whether it was pushed. */
    pushed: boolean;
}

/** What `promote()` did. */
export interface PromotionResult extends CommitOutcome {
    application: string;
    from: string;
    to: string;
    release: string;
    /** The value the target had before. */
    previous: string;
    verification: Verification;
    /** With `pullRequest`: the branch made, and the review command to run on it. */
    pullRequest?: { branch: string; base: string; reviewHint: string };
}

/** What `rollback()` did. */
export interface RollbackResult extends CommitOutcome {
    application: string;
    environment: string;
    /** The value set back. */
    release: string;
    /** The value replaced. */
    replaced: string;
    /** The full sha of the commit undone. */
    undone: string;
    reason: string;
}

/** One Application of a watched rollout. */
export interface RolloutApplication {
    name: string;
    /** When it started syncing the new release (its operation's startedAt, or when first seen doing so). */
    syncStartedAt?: Date;
    /** Seconds from the start of the watch to Synced and Healthy at the new release. */
    healthyAfterSeconds?: number;
}

/** How a watched rollout ended. */
export interface RolloutResult {
    outcome: "healthy" | "failed" | "stalled";
    /** The Application that failed its wave (outcome failed). */
    failedApplication?: string;
    /** Why it failed or stalled, in plain words. */
    reason?: string;
    applications: RolloutApplication[];
    elapsedSeconds: number;
}
