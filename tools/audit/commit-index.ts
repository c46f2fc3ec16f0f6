/**
 * Commits by sha, as the join looks them up: a full sha, or an abbreviation of one (an Application's
 * revision or a trailer may be shortened) when it names exactly one commit. Also: which dry commit a
 * hydrated commit was made from.
 */
import type { DryCommit, HydratedCommit, HydratedCommitView } from "./model";

/** Shortest abbreviation accepted: git's default. */
const MIN_PREFIX = 7;

class ShaMap<T extends { sha: string }> {
    private readonly bySha = new Map<string, T>();
    private readonly sorted: string[];

    constructor(items: readonly T[]) {
        for (const item of items) if (!this.bySha.has(item.sha)) this.bySha.set(item.sha, item);
        this.sorted = [...this.bySha.keys()].sort();
    }

    get(sha: string | undefined): T | undefined {
        if (!sha) return undefined;
        const s = sha.toLowerCase();
        const exact = this.bySha.get(s);
        if (exact || s.length < MIN_PREFIX || !/^[0-9a-f]+$/.test(s)) return exact;
        // Binary search for the first key >= s; a unique match has the prefix and the next key does not.
        let lo = 0;
        let hi = this.sorted.length;
        while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (this.sorted[mid] < s) lo = mid + 1;
            else hi = mid;
        }
        const hit = this.sorted[lo];
        if (!hit?.startsWith(s) || this.sorted[lo + 1]?.startsWith(s)) return undefined;
        return this.bySha.get(hit);
    }
}

export class CommitIndex {
    private readonly dryMap: ShaMap<DryCommit>;
    private readonly hydratedMap: ShaMap<HydratedCommit>;

    constructor(dry: readonly DryCommit[], hydrated: readonly HydratedCommit[]) {
        this.dryMap = new ShaMap(dry);
        this.hydratedMap = new ShaMap(hydrated);
    }

    dry(sha: string | undefined): DryCommit | undefined {
        return this.dryMap.get(sha);
    }

    hydrated(sha: string | undefined): HydratedCommit | undefined {
        return this.hydratedMap.get(sha);
    }

    /**
     * The dry commit a hydrated commit was made from: `drySha` of its `hydrator.metadata` (the source of
     * truth), else a trailer of its message that names a dry sha (a key with "dry" in it, or any trailer
     * whose value is a known dry commit).
     */
    dryShaOf(h: HydratedCommit): Pick<HydratedCommitView, "drySha" | "drySource"> {
        if (h.metadata?.drySha) return { drySha: h.metadata.drySha, drySource: "hydrator.metadata" };
        for (const t of h.trailers) {
            const value = t.value.trim();
            if (!/^[0-9a-f]{7,64}$/i.test(value)) continue;
            if (/dry/i.test(t.key) || this.dry(value)) return { drySha: this.dry(value)?.sha ?? value.toLowerCase(), drySource: "trailer" };
        }
        return {};
    }
}

export function shortSha(sha: string | undefined): string {
    return sha ? sha.slice(0, 12) : "";
}
