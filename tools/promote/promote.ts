/**
 * A promotion: the release one environment runs, verified there (Synced, Healthy, soaked), committed
 * to the next environment's release file. Every refusal comes before anything is written, cheapest
 * first (names, order, the working tree, the files), the cluster last.
 */
import { commitRelease, refSafe } from "./commit";
import type { WorkingTree } from "./git";
import { releaseAt, requireClean } from "./head";
import { promotionMessage } from "./messages";
import { type ApplicationReader, type Clock, PromotionRefused, type PromotionResult, type ReleaseLine, SYSTEM_CLOCK } from "./model";
import { releaseCheck } from "./release-check";
import { writeRelease } from "./release-file";
import { environmentNamed, orderOf } from "./release-line";
import { explainVerification, verifyEnvironment } from "./verify";

export interface PromoteOptions {
    line: ReleaseLine;
    /** The environment the release is taken from. */
    from: string;
    /** The environment it goes to: later in the line's order. */
    to: string;
    tree: WorkingTree;
    readApplications: ApplicationReader;
    /** Default: the system clock. */
    clock?: Clock;
    /** Push the commit to the branch's remote. Default `false`. */
    push?: boolean;
    /** Commit on a new branch `promote/<app>/<to>-<release>` for review, not on the current one. Default `false`. */
    pullRequest?: boolean;
    /** Work out and return the commit, write nothing. Default `false`. */
    dryRun?: boolean;
}

/** Promotes, or throws a PromotionRefused that says why and writes nothing. */
export async function promote(options: PromoteOptions): Promise<PromotionResult> {
    const { line, tree } = options;
    const from = environmentNamed(line, options.from, "--from");
    const to = environmentNamed(line, options.to, "--to");
    if (line.environments.indexOf(to) <= line.environments.indexOf(from)) {
        throw new PromotionRefused(`--to ${to.name} is not after --from ${from.name} in ${line.application}'s order (${orderOf(line)})`);
    }
    requireClean(tree, to);
    const base = tree.branch();
    const source = releaseAt(tree, from);
    if (source.value === "") throw new PromotionRefused(`${from.release.file}: ${from.release.shownKey} is empty: ${from.name} has no release to promote`);
    const target = releaseAt(tree, to);
    if (target.value === source.value) throw new PromotionRefused(`${to.name} has ${line.application} ${source.value} already (${to.release.file} at HEAD): nothing to promote`);

    const applications = await options.readApplications(from);
    const verification = verifyEnvironment({ environment: from, release: source.value, applications, holdsRelease: releaseCheck(tree, from), now: (options.clock ?? SYSTEM_CLOCK).now() });
    if (!verification.verified) throw new PromotionRefused(`${from.name} does not verify ${line.application} ${source.value}; not promoted to ${to.name}:\n${explainVerification(verification)}`);

    const after = writeRelease(target.text, to.release, source.value, `${to.release.file} at HEAD`);
    const newBranch = options.pullRequest ? `promote/${line.application}/${to.name}-${refSafe(source.value)}` : undefined;
    const outcome = commitRelease({
        tree,
        file: to.release.file,
        before: target.text,
        after,
        message: promotionMessage(line.application, source.value, from, to, verification),
        newBranch,
        push: options.push,
        dryRun: options.dryRun,
    });
    return {
        ...outcome,
        application: line.application,
        from: from.name,
        to: to.name,
        release: source.value,
        previous: target.value,
        verification,
        pullRequest: newBranch ? { branch: newBranch, base, reviewHint: `git switch ${newBranch} && npm run review -- --base ${base} --stack ${to.stack ?? line.stack}` } : undefined,
    };
}
