/**
 * A rollback: the environment's release set back to what it was before its last change (passing over
 * earlier rollbacks and what they undid), as a new commit that names the one it undoes. History is kept (no reset, no force-push), so Argo CD syncs
 * the rollback like any change and the audit trail shows both.
 */
import { commitRelease, refSafe } from "./commit";
import type { WorkingTree } from "./git";
import { releaseAt, requireClean } from "./head";
import { rollbackMessage } from "./messages";
import { type Environment, PromotionRefused, type ReleaseLine, type RollbackResult } from "./model";
import { writeRelease } from "./release-file";
import { environmentNamed } from "./release-line";

export interface RollbackOptions {
    line: ReleaseLine;
    /** The environment to roll back. */
    environment: string;
    tree: WorkingTree;
    /** The `Reason:` trailer. Default `requested`. */
    reason?: string;
    /** Refuse unless the change undone is this commit (a watch undoes its own promotion, nothing later). */
    expectUndo?: string;
    push?: boolean;
    /** Commit on a new branch `rollback/<app>/<env>-<release>` for review. Default `false`. */
    pullRequest?: boolean;
    dryRun?: boolean;
}

/** The release at `revision`, or undefined when the file or key is not there. */
function valueAt(tree: WorkingTree, environment: Environment, revision: string | undefined): string | undefined {
    if (!revision) return undefined;
    try {
        return releaseAt(tree, environment, revision).value;
    } catch (e) {
        if (e instanceof PromotionRefused) return undefined;
        throw e;
    }
}

/**
 * The newest commit of HEAD's history that changed the release (not merely the file: a commit that
 * changed only replicaCount there is passed over), and the value before it. A rollback and the change
 * it undid are passed over too: rolling back after a rollback goes to the verified release before,
 * never back to the release that failed.
 */
function lastChange(tree: WorkingTree, environment: Environment): { sha: string; before: string | undefined } | undefined {
    const undone = new Set<string>();
    for (const sha of tree.commitsTouching(environment.release.file)) {
        if (undone.has(sha)) continue;
        const rolledBack = tree.git(["log", "-1", "--format=%(trailers:key=Rolled-Back,valueonly,unfold)", sha]).trim();
        if (rolledBack !== "") {
            undone.add(rolledBack);
            continue;
        }
        const before = valueAt(tree, environment, tree.parentOf(sha));
        if (valueAt(tree, environment, sha) !== before) return { sha, before };
    }
    return undefined;
}

/** Rolls back, or throws a PromotionRefused that says why and writes nothing. */
export function rollback(options: RollbackOptions): RollbackResult {
    const { line, tree } = options;
    const environment = environmentNamed(line, options.environment, "--env");
    const { file, shownKey } = environment.release;
    requireClean(tree, environment);
    const current = releaseAt(tree, environment);
    const change = lastChange(tree, environment);
    if (!change) throw new PromotionRefused(`no commit of HEAD's history changed ${shownKey} in ${file}: nothing to roll back`);
    if (change.before === undefined) throw new PromotionRefused(`${file}: ${shownKey} has no earlier value than ${JSON.stringify(current.value)} (set by ${change.sha.slice(0, 7)}, the first to set it): nothing to roll back to`);
    if (options.expectUndo && change.sha !== options.expectUndo) {
        throw new PromotionRefused(`the last change of ${shownKey} in ${file} is ${change.sha.slice(0, 7)}, not ${options.expectUndo.slice(0, 7)}: not rolled back automatically`);
    }
    if (change.before === current.value) throw new PromotionRefused(`${environment.name} has ${line.application} ${current.value} already`);
    const reason = options.reason?.trim() || "requested";
    const outcome = commitRelease({
        tree,
        file,
        before: current.text,
        after: writeRelease(current.text, environment.release, change.before, `${file} at HEAD`),
        message: rollbackMessage(line.application, environment, change.before, change.sha, reason),
        newBranch: options.pullRequest ? `rollback/${line.application}/${environment.name}-${refSafe(change.before)}` : undefined,
        push: options.push,
        dryRun: options.dryRun,
    });
    return { ...outcome, application: line.application, environment: environment.name, release: change.before, replaced: current.value, undone: change.sha, reason };
}
