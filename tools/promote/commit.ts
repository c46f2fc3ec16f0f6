/**
 * A release change made into a commit: on the current branch, on a new branch for a pull request,
 * or only shown (dry run). The diff and message are worked out before anything is written, so a
 * dry run shows exactly the commit a real run would make.
 */
import { createTwoFilesPatch } from "diff";
import type { WorkingTree } from "./git";
import type { CommitOutcome } from "./model";

export interface ReleaseChange {
    tree: WorkingTree;
    /** The release file, relative to the repository root. */
    file: string;
    before: string;
    after: string;
    message: string;
    /** Commit on this new branch instead of the current one. Default: the current branch. */
    newBranch?: string;
    push?: boolean;
    dryRun?: boolean;
}

/** A branch name part from a release (a ref name may not hold `:`, `~`, spaces, ...). */
export function refSafe(text: string): string {
    return text.replace(/[^\w.-]+/g, "-").replace(/\.+$/, "").replace(/^[-.]+/, "") || "release";
}

/** A commit that was made but could not be pushed: it stays, the message says so and what to do. */
export class PushFailed extends Error {
    constructor(
        message: string,
        readonly sha: string,
    ) {
        super(message);
        this.name = "PushFailed";
    }
}

/** Makes (or, dry, describes) the commit of `change`. */
export function commitRelease(change: ReleaseChange): CommitOutcome {
    const { tree, file } = change;
    const diff = createTwoFilesPatch(`a/${file}`, `b/${file}`, change.before, change.after, undefined, undefined, { context: 3 });
    const branch = change.newBranch ?? tree.branch();
    if (change.dryRun) return { branch, message: change.message, diff, pushed: false };
    const sha = change.newBranch ? tree.commitOnNewBranch(change.newBranch, file, change.after, change.message) : tree.commitFile(file, change.after, change.message);
    if (!change.push) return { sha, branch, message: change.message, diff, pushed: false };
    try {
        tree.push(branch);
    } catch (e) {
        // Never forced: a rejected push (someone pushed first) is for a person to pull and push.
        throw new PushFailed(`committed ${sha} on ${branch}, but it was not pushed: ${(e as Error).message}; pull (rebase) and push it`, sha);
    }
    return { sha, branch, message: change.message, diff, pushed: true };
}
