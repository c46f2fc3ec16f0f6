/**
 * The audit trail as a pure join: `auditTrail(sources, query)` makes the report of a stack (a
 * timeline of every source's events, newest first) or of one live object (its chain back to the
 * commit, the signer, the pull request, the Pulumi update and the Terraform state, and its
 * Application's timeline). No I/O: sources.ts reads, render.ts writes, redact.ts scrubs.
 */
import { objectChain, type JoinContext } from "./chain";
import { CommitIndex } from "./commit-index";
import type { AuditQuery, AuditReport, AuditSources } from "./model";
import { pullRequestIndex } from "./pull-request";
import { timeline } from "./timeline";
import { formatObjectRef } from "./tracking-id";

export type * from "./model";

export function auditTrail(sources: AuditSources, query: AuditQuery = {}): AuditReport {
    const ctx: JoinContext = {
        sources,
        commits: new CommitIndex(sources.dryCommits, sources.hydratedCommits),
        pullRequests: pullRequestIndex(sources.dryCommits, sources.dryTip),
    };
    const notes: string[] = [];
    const report: AuditReport = {
        stack: sources.stack,
        generatedAt: query.now ?? new Date().toISOString(),
        query: { ...(query.object ? { object: formatObjectRef(query.object) } : {}), ...(query.since ? { since: query.since } : {}) },
        sources: sources.summaries,
        terraform: sources.terraform,
        timeline: [],
        notes,
    };
    if (query.object) {
        const chain = objectChain(ctx, query.object);
        report.chain = chain;
        const app = chain.application ? sources.applications.filter((a) => a.metadata.name === chain.application!.name && (a.metadata.namespace ?? sources.argocdNamespace) === chain.application!.namespace) : [];
        const revisions = [chain.hydratedCommit?.sha, chain.dryCommit?.sha].filter((r): r is string => !!r);
        report.timeline = timeline(ctx, { since: query.since, applications: app, revisions });
        notes.push("The timeline is the object's Application's: its syncs, operations, hydrations, conditions and notifications, the chain's commits and the Pulumi updates from its commit.");
    } else {
        report.timeline = timeline(ctx, { since: query.since });
    }
    if (sources.applications.some((a) => a.spec?.sourceHydrator) && sources.hydratedCommits.length === 0) {
        notes.push(`Applications use the source hydrator but no hydrated commit was read from ${sources.environmentBranches.join(", ") || "any environment branch"}.`);
    }
    if (sources.pulumiUpdates?.some((u) => u.kind === "update") && sources.terraform) {
        notes.push("Terraform: the state as it is now (lineage and serial); Pulumi's history does not record which serial an update read.");
    }
    return report;
}
