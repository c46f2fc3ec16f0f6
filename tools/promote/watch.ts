/**
 * Watching a promotion roll out (`--watch`): the target environment's Applications are read every
 * 2 s until each is Synced and Healthy at a revision holding the new release. A wave fails when an
 * Application that started syncing the release is not Healthy within `verifyWindow` of its sync
 * start; then the promotion is rolled back by a new commit. The clock and the reader are injected,
 * so a test drives a rollout of minutes in no time.
 */
import type { WorkingTree } from "./git";
import { applicationsOf, describeOrigin } from "./membership";
import { type ApplicationReader, type ApplicationSyncer, type ArgoApplication, type Clock, type Environment, type ReleaseCheck, type ReleaseLine, type RollbackResult, type RolloutApplication, type RolloutResult, SYSTEM_CLOCK } from "./model";
import { releaseCheck } from "./release-check";
import { rollback } from "./rollback";
import { deployedRevision, shortRevision } from "./verify";

export interface WatchOptions {
    environment: Environment;
    release: string;
    readApplications: ApplicationReader;
    holdsRelease: ReleaseCheck;
    /** Default: the system clock. */
    clock?: Clock;
    /** Between two reads. Default 2000. */
    pollMs?: number;
    /** Where progress lines go. Default: nowhere. */
    log?: (line: string) => void;
}

const holds = (o: WatchOptions, revision: string | undefined) => revision !== undefined && o.holdsRelease(revision, o.release) === undefined;

/**
 * Whether it has started syncing the release: its sync operation is at it, or it is Synced at it.
 * An OutOfSync Application compared against the new revision has not started: with waves, a later
 * wave waits so until the wave before it is Healthy.
 */
function startedSyncing(app: ArgoApplication, o: WatchOptions): boolean {
    const status = app.status ?? {};
    return holds(o, status.operationState?.syncResult?.revision ?? status.operationState?.syncResult?.revisions?.[0]) || (status.sync?.status === "Synced" && holds(o, deployedRevision(app)));
}

/** When its sync of the release started: its operation's start, else now (when it was first seen at it). */
function syncStart(app: ArgoApplication, o: WatchOptions, now: Date): Date {
    const op = app.status?.operationState;
    const at = op?.startedAt && holds(o, op.syncResult?.revision ?? op.syncResult?.revisions?.[0]) ? Date.parse(op.startedAt) : NaN;
    return Number.isNaN(at) ? now : new Date(at);
}

const isDone = (app: ArgoApplication, o: WatchOptions) => app.status?.sync?.status === "Synced" && app.status?.health?.status === "Healthy" && holds(o, deployedRevision(app));

/** Records what changed since the last read; true when anything did (a start or an Application done). */
function observe(apps: ArgoApplication[], tracked: Map<string, RolloutApplication>, now: Date, start: Date, o: WatchOptions): boolean {
    let progress = false;
    for (const app of apps) {
        const name = app.metadata.name;
        const t = tracked.get(name) ?? { name };
        tracked.set(name, t);
        if (!t.syncStartedAt && startedSyncing(app, o)) {
            t.syncStartedAt = syncStart(app, o, now);
            progress = true;
        }
        if (t.healthyAfterSeconds === undefined && isDone(app, o)) {
            t.healthyAfterSeconds = Math.round((now.getTime() - start.getTime()) / 1000);
            o.log?.(`  ${name}: Synced and Healthy at ${shortRevision(deployedRevision(app)!)} after ${t.healthyAfterSeconds}s`);
            progress = true;
        }
    }
    return progress;
}

/** Watches until the rollout is healthy, a wave fails, or nothing moves for a whole verify window. */
export async function watchRollout(o: WatchOptions): Promise<RolloutResult> {
    const clock = o.clock ?? SYSTEM_CLOCK;
    const env = o.environment;
    const window = env.verifyWindowMs;
    const start = clock.now();
    const tracked = new Map<string, RolloutApplication>();
    let lastProgress = start;
    let readError: string | undefined;
    const end = (outcome: RolloutResult["outcome"], now: Date, extra: Partial<RolloutResult> = {}): RolloutResult => ({
        outcome,
        applications: [...tracked.values()],
        elapsedSeconds: Math.round((now.getTime() - start.getTime()) / 1000),
        ...extra,
    });
    for (;;) {
        let apps: ArgoApplication[] | undefined;
        try {
            apps = applicationsOf(env, await o.readApplications(env));
            readError = undefined;
        } catch (e) {
            // A cluster that does not answer for a moment is no verdict on the release; a whole window is.
            if (readError !== (e as Error).message) o.log?.(`  cannot read the Applications: ${(e as Error).message}`);
            readError = (e as Error).message;
        }
        const now = clock.now();
        if (apps) {
            if (observe(apps, tracked, now, start, o)) lastProgress = now;
            if (apps.length > 0 && apps.every((a) => tracked.get(a.metadata.name)?.healthyAfterSeconds !== undefined)) return end("healthy", now);
            const late = apps.find((a) => {
                const t = tracked.get(a.metadata.name)!;
                return t.syncStartedAt && t.healthyAfterSeconds === undefined && now.getTime() - t.syncStartedAt.getTime() >= window;
            });
            if (late) return end("failed", now, { failedApplication: late.metadata.name, reason: `${late.metadata.name} not Healthy within ${env.verifyWindow}` });
        }
        if (now.getTime() - lastProgress.getTime() >= window) {
            const why = readError ? `the Applications could not be read: ${readError}` : `no Application of ${describeOrigin(env)} started syncing ${o.release} or became Healthy`;
            return end("stalled", now, { reason: `${why} for ${env.verifyWindow}` });
        }
        await clock.sleep(o.pollMs ?? 2000);
    }
}

export interface WatchPromotionOptions {
    line: ReleaseLine;
    /** The environment promoted to. */
    environment: Environment;
    release: string;
    /** The promotion commit: the only change the automatic rollback may undo. */
    promotionSha: string;
    tree: WorkingTree;
    readApplications: ApplicationReader;
    clock?: Clock;
    pollMs?: number;
    push?: boolean;
    log?: (line: string) => void;
    /**
     * With it, the watch follows the rollback too until every Application is Synced and Healthy at it,
     * and syncs to the rollback commit any Application that took the failed release after it.
     * Default: the watch ends with the rollback commit.
     */
    syncApplication?: ApplicationSyncer;
}

/** What `--watch` does after a promotion: watch, and roll back when a wave fails its verification. */
export async function watchPromotion(o: WatchPromotionOptions): Promise<{ rollout: RolloutResult; rollback?: RollbackResult; recovery?: RolloutResult & { resynced: string[] } }> {
    const holdsRelease = releaseCheck(o.tree, o.environment);
    const rollout = await watchRollout({ ...o, holdsRelease });
    if (rollout.outcome !== "failed") return { rollout };
    const undo = rollback({
        line: o.line,
        environment: o.environment.name,
        tree: o.tree,
        reason: `wave verification failed: ${rollout.reason}`,
        expectUndo: o.promotionSha,
        push: o.push,
    });
    if (!o.syncApplication || !undo.sha) return { rollout, rollback: undo };
    const recovery = await followRollback({ ...o, release: undo.release, holdsRelease }, o.release, undo.sha, o.syncApplication);
    return { rollout, rollback: undo, recovery };
}

/**
 * After a rollback. RollingSync syncs a waiting wave to the revision it recorded for it, so a wave
 * still waiting on the failed release can take it once the wave before heals, if its own refresh
 * has not yet recorded the rollback (seen on the loop: the rest wave synced the failed commit after
 * the rollback healed the canary). Such an Application is synced to the rollback commit, once; the
 * watch ends when every Application is Synced and Healthy at the rollback, or after a verify window.
 */
export async function followRollback(o: WatchOptions, failed: string, rollbackSha: string, sync: ApplicationSyncer): Promise<RolloutResult & { resynced: string[] }> {
    const clock = o.clock ?? SYSTEM_CLOCK;
    const start = clock.now();
    const resynced: string[] = [];
    const tookFailed = (app: ArgoApplication) => {
        const op = app.status?.operationState;
        const revision = op?.syncResult?.revision ?? op?.syncResult?.revisions?.[0];
        return revision !== undefined && o.holdsRelease(revision, failed) === undefined;
    };
    for (;;) {
        const apps = applicationsOf(o.environment, await o.readApplications(o.environment).catch(() => undefined) ?? []);
        const now = clock.now();
        const elapsedSeconds = Math.round((now.getTime() - start.getTime()) / 1000);
        if (apps.length > 0 && apps.every((a) => isDone(a, o))) return { outcome: "healthy", applications: apps.map((a) => ({ name: a.metadata.name })), elapsedSeconds, resynced };
        for (const app of apps) {
            const idle = !app.operation && app.status?.operationState?.phase !== "Running";
            if (idle && !resynced.includes(app.metadata.name) && tookFailed(app) && app.status?.sync?.status === "OutOfSync") {
                o.log?.(`  ${app.metadata.name}: synced the failed release ${failed}; syncing it to the rollback ${shortRevision(rollbackSha)}`);
                await sync(app, rollbackSha);
                resynced.push(app.metadata.name);
            }
        }
        if (now.getTime() - start.getTime() >= o.environment.verifyWindowMs) {
            return { outcome: "stalled", reason: `not every Application of ${describeOrigin(o.environment)} is Synced and Healthy at the rollback after ${o.environment.verifyWindow}`, applications: [], elapsedSeconds, resynced };
        }
        await clock.sleep(o.pollMs ?? 2000);
    }
}
