/**
 * The stack's timeline: every dated event of every source in one list, newest first: dry commits
 * landing on the dry branch, hydrated commits, syncs (history), operations that did not succeed,
 * hydrations, conditions, notifications and Pulumi updates. Terraform's state has no date; it is in
 * the report's header.
 */
import { AUDIT_LABELS } from "../../lib/auditLabels";
import type { JoinContext } from "./chain";
import { shortSha } from "./commit-index";
import type { ArgoApplication, TimelineEvent, TimelineKind } from "./model";
import { applicationName, dryCommitView, initiator, notificationIsFor } from "./views";

/** Ties at the same time read in the order things happen: commit, hydrate, sync, notify. */
const ORDER: TimelineKind[] = ["pulumi-update", "dry-commit", "hydrated-commit", "hydration", "operation", "sync", "condition", "notification"];

/** What the timeline is limited to. */
export interface TimelineFilter {
    since?: string;
    /** Only these Applications' events and these commits (an object's chain). */
    applications?: ArgoApplication[];
    revisions?: string[];
}

/** One way of writing times (git writes `+00:00`, Pulumi milliseconds, Kubernetes seconds): UTC, milliseconds only when there are some. */
function utc(at: string): string {
    return new Date(Date.parse(at)).toISOString().replace(".000Z", "Z");
}

function applicationEvents(app: ArgoApplication, ctx: JoinContext): TimelineEvent[] {
    const events: TimelineEvent[] = [];
    const name = applicationName(app, ctx.sources.argocdNamespace);
    const status = app.status ?? {};
    for (const h of status.history ?? []) {
        const at = h.deployedAt ?? h.deployStartedAt;
        if (!at) continue;
        const revision = h.revision ?? h.revisions?.[0];
        const by = initiator(h.initiatedBy);
        events.push({ at, kind: "sync", application: name, revision, who: by.who, status: "deployed", summary: `sync${h.id !== undefined ? ` #${h.id}` : ""} of ${name} to ${shortSha(revision)}` });
    }
    const op = status.operationState;
    // A succeeded sync is its history entry already; the others (failed, running, terminating) are only here.
    if (op && op.phase && op.phase !== "Succeeded" && (op.finishedAt || op.startedAt)) {
        const revision = op.syncResult?.revision ?? op.operation?.sync?.revision;
        events.push({ at: (op.finishedAt ?? op.startedAt)!, kind: "operation", application: name, revision, who: initiator(op.operation?.initiatedBy).who, status: op.phase, summary: `operation ${op.phase}${op.message ? `: ${op.message}` : ""}` });
    }
    const hyd = status.sourceHydrator?.currentOperation;
    if (hyd && (hyd.finishedAt || hyd.startedAt)) {
        const what = hyd.drySHA ? `${shortSha(hyd.drySHA)} → ${hyd.hydratedSHA ? shortSha(hyd.hydratedSHA) : "?"}` : "";
        events.push({ at: (hyd.finishedAt ?? hyd.startedAt)!, kind: "hydration", application: name, revision: hyd.hydratedSHA ?? hyd.drySHA, status: hyd.phase, summary: `hydration ${hyd.phase ?? ""} ${what}${hyd.message ? `: ${hyd.message}` : ""}`.replace(/\s+/g, " ").trim() });
    }
    for (const c of status.conditions ?? []) {
        if (!c.lastTransitionTime) continue;
        events.push({ at: c.lastTransitionTime, kind: "condition", application: name, status: c.type, summary: `${c.type ?? "condition"}: ${c.message ?? ""}` });
    }
    return events;
}

export function timeline(ctx: JoinContext, filter: TimelineFilter = {}): TimelineEvent[] {
    const { sources, commits } = ctx;
    const apps = filter.applications ?? sources.applications;
    const onlyRevisions = filter.revisions ? new Set(filter.revisions) : undefined;
    const events: TimelineEvent[] = apps.flatMap((a) => applicationEvents(a, ctx));

    for (const c of sources.dryCommits) {
        if (!c.onDryBranch || (onlyRevisions && !onlyRevisions.has(c.sha))) continue;
        const view = dryCommitView(c, sources.trustedKeys, ctx.pullRequests.get(c.sha));
        const pr = view.pullRequest ? ` (pull request #${view.pullRequest.number})` : "";
        events.push({ at: c.committerDate, kind: "dry-commit", revision: c.sha, who: c.author, status: view.signature.verified ? "verified" : view.signature.status === "N" ? "unsigned" : view.signature.status === "not-checked" ? "signature not checked" : `not verified (${view.signature.status})`, summary: `${shortSha(c.sha)} ${c.subject}${pr}` });
    }
    for (const h of sources.hydratedCommits) {
        if (onlyRevisions && !onlyRevisions.has(h.sha)) continue;
        const dry = commits.dryShaOf(h).drySha;
        events.push({ at: h.committerDate, kind: "hydrated-commit", revision: h.sha, who: h.author, summary: `${shortSha(h.sha)} on ${h.branch || "(no branch read)"}${dry ? ` hydrated from ${shortSha(dry)}` : " (no dry commit named)"}` });
    }
    for (const e of sources.notifications ?? []) {
        const at = e.at ?? e.receivedAt;
        if (!at) continue;
        const app = apps.find((a) => notificationIsFor(e, a, sources.argocdNamespace));
        if (filter.applications && !app) continue;
        const who = e.initiatedBy === undefined ? undefined : initiator(e.initiatedBy).who;
        events.push({ at, kind: "notification", application: app ? applicationName(app, sources.argocdNamespace) : e.app, revision: e.revision, who, status: e.phase, summary: `${e.event}${e.message ? `: ${e.message}` : ""}` });
    }
    for (const u of sources.pulumiUpdates ?? []) {
        const at = u.endTime ?? u.startTime;
        if (!at) continue;
        const head = u.environment["git.head"];
        if (filter.applications && !apps.some((a) => {
            const label = a.metadata.labels?.[AUDIT_LABELS.gitCommit];
            return !!label && !!head && (head.startsWith(label) || label.startsWith(head));
        })) continue;
        events.push({ at, kind: "pulumi-update", revision: head, who: u.environment["git.author"], status: u.result, summary: `pulumi ${u.kind} ${u.version}${head ? ` from ${shortSha(head)}` : ""}${u.message ? `: ${u.message}` : ""}` });
    }

    const since = filter.since ? Date.parse(filter.since) : undefined;
    return events
        .filter((e) => !Number.isNaN(Date.parse(e.at)) && (since === undefined || Date.parse(e.at) >= since))
        .map((e) => ({ ...e, at: utc(e.at) }))
        .sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || ORDER.indexOf(b.kind) - ORDER.indexOf(a.kind));
}
