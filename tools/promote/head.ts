/**
 * An environment's release as the working tree's HEAD has it: what a promotion starts from and a
 * rollback goes back from. A release file with uncommitted changes is refused first, since the
 * commit would silently take them along (or drop them).
 */
import type { WorkingTree } from "./git";
import { type Environment, PromotionRefused } from "./model";
import { ReleaseFileError, readRelease } from "./release-file";

/** The file's text and release at HEAD. */
export interface HeadRelease {
    text: string;
    value: string;
}

/** Refuses when the release file has local changes (staged, unstaged or untracked). */
export function requireClean(tree: WorkingTree, environment: Environment): void {
    const { file } = environment.release;
    if (tree.hasLocalChanges(file)) throw new PromotionRefused(`${file} (${environment.name}) has uncommitted changes in ${tree.root}: commit or stash them first`);
}

/** The release of `environment` at `revision` (default HEAD), or a refusal naming the file and key. */
export function releaseAt(tree: WorkingTree, environment: Environment, revision = "HEAD"): HeadRelease {
    const { file } = environment.release;
    const text = tree.fileAt(revision, file);
    if (text === undefined) throw new PromotionRefused(`${file} (${environment.name}'s release file) is not in ${revision} of ${tree.root}`);
    try {
        return { text, value: readRelease(text, environment.release, `${file} at ${revision}`) };
    } catch (e) {
        if (e instanceof ReleaseFileError) throw new PromotionRefused(e.message);
        throw e;
    }
}
