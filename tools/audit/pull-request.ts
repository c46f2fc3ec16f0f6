/**
 * Which pull request a dry commit came from: a merge commit's subject ("Merge pull request #12 from
 * ..."), a `Pull-request: #12` trailer, or a squash merge's subject ending in "(#12)". A commit inside a
 * merged branch gets the pull request of the merge commit that brought it to the dry branch.
 */
import type { DryCommit, PullRequestRef } from "./model";

/** The pull request a commit names itself, or undefined. */
export function namedPullRequest(commit: Pick<DryCommit, "sha" | "subject" | "trailers">): PullRequestRef | undefined {
    const merge = /^Merge pull request #(\d+)\b/.exec(commit.subject);
    if (merge) return { number: Number(merge[1]), from: "merge-subject", commit: commit.sha };
    for (const t of commit.trailers) {
        if (!/^pull[- ]?request$/i.test(t.key)) continue;
        const n = /(?:^#?|\/pulls?\/)(\d+)\s*$/.exec(t.value.trim());
        if (n) return { number: Number(n[1]), from: "trailer", commit: commit.sha };
    }
    const squash = /\(#(\d+)\)\s*$/.exec(commit.subject);
    if (squash) return { number: Number(squash[1]), from: "squash-subject", commit: commit.sha };
    return undefined;
}

/**
 * Commit sha to pull request, for every commit of the dry branch's history: a commit names its own,
 * else it is inside a merge commit's second parent's history, down to the dry branch's first-parent
 * line (what `git log <merge>^1..<merge>^2` lists).
 */
export function pullRequestIndex(commits: readonly DryCommit[], tip: string | undefined): Map<string, PullRequestRef> {
    const bySha = new Map(commits.map((c) => [c.sha, c]));
    const index = new Map<string, PullRequestRef>();
    const mainLine = new Set<string>();
    for (let c = tip ? bySha.get(tip) : undefined; c && !mainLine.has(c.sha); c = bySha.get(c.parents[0])) mainLine.add(c.sha);
    for (const c of commits) {
        const own = namedPullRequest(c);
        if (own) index.set(c.sha, own);
    }
    for (const sha of mainLine) {
        const merge = bySha.get(sha)!;
        const pr = index.get(sha);
        if (!pr || pr.from !== "merge-subject" || merge.parents.length < 2) continue;
        const stack = merge.parents.slice(1);
        const seen = new Set<string>();
        while (stack.length > 0) {
            const s = stack.pop()!;
            if (seen.has(s) || mainLine.has(s)) continue;
            seen.add(s);
            if (!index.has(s)) index.set(s, pr);
            stack.push(...(bySha.get(s)?.parents ?? []));
        }
    }
    return index;
}
