/**
 * Whether a revision an Application is synced at holds a release, in the repository the release
 * lines live in: for a hub entry, the release file as it is at that commit; for another stack's
 * entry, the chart version itself, or the commit a Git tag names. What a commit holds never
 * changes, so each revision is read once (a watched rollout asks every 2 s).
 */
import type { WorkingTree } from "./git";
import type { Environment, ReleaseCheck } from "./model";
import { ReleaseFileError, readRelease } from "./release-file";
import { shortRevision } from "./verify";

/** The check for `environment`'s Applications. */
export function releaseCheck(tree: WorkingTree, environment: Environment): ReleaseCheck {
    if (environment.revisionMatch === "chart-version") {
        return (revision, release) => (revision === release ? undefined : `synced at chart version ${revision}, not ${release}`);
    }
    if (environment.revisionMatch === "git-revision") {
        return (revision, release) => {
            const wanted = tree.commitOf(release);
            if (!wanted) return `release ${release} is no commit or tag of ${tree.root} (git fetch --tags?)`;
            return wanted === (tree.commitOf(revision) ?? revision) ? undefined : `synced at ${shortRevision(revision)}, not ${release} (${shortRevision(wanted)})`;
        };
    }
    const seen = new Map<string, { value?: string; problem?: string }>();
    return (revision, release) => {
        let found = seen.get(revision);
        if (!found) {
            found = releaseAt(tree, environment, revision);
            seen.set(revision, found);
        }
        if (found.problem) return found.problem;
        const { file, shownKey } = environment.release;
        return found.value === release ? undefined : `synced at ${shortRevision(revision)}, whose ${file} has ${shownKey} ${JSON.stringify(found.value)}, not ${JSON.stringify(release)}`;
    };
}

/** The release in the environment's file at `revision`, or why it cannot be read. */
function releaseAt(tree: WorkingTree, environment: Environment, revision: string): { value?: string; problem?: string } {
    const short = shortRevision(revision);
    const { file } = environment.release;
    if (!tree.commitOf(revision)) return { problem: `synced at ${short}, a commit ${tree.root} does not have (git fetch?)` };
    const text = tree.fileAt(revision, file);
    if (text === undefined) return { problem: `synced at ${short}, which has no ${file}` };
    try {
        return { value: readRelease(text, environment.release, `${file} at ${short}`) };
    } catch (e) {
        if (e instanceof ReleaseFileError) return { problem: `synced at ${short}: ${e.message}` };
        throw e;
    }
}
