/**
 * The report's view of each source record: an Application, a sync history entry, a dry commit with
 * its signature verdict, a Pulumi update, a notification. Only the fields an audit needs are copied,
 * so a value the report does not show (Helm values, a Secret's data) cannot reach it.
 */
import { AUDIT_LABELS } from "../../lib/auditLabels";
import type { ApplicationView, ArgoApplication, DryCommit, DryCommitView, InitiatedBy, NotificationEvent, NotificationView, PullRequestRef, PulumiUpdate, PulumiUpdateView } from "./model";
import { signatureVerdict } from "./signature";

/** A condition message that is about a commit signature (Argo CD refuses unsigned or untrusted revisions of a project with signature keys). */
const SIGNATURE_PROBLEM = /signature|gpg|signed|verif/i;

/** The Application's name as the report shows it: `name` in Argo CD's namespace, `namespace/name` elsewhere. */
export function applicationName(app: ArgoApplication, argocdNamespace: string): string {
    const ns = app.metadata.namespace ?? argocdNamespace;
    return ns === argocdNamespace ? app.metadata.name : `${ns}/${app.metadata.name}`;
}

/** Whether a notification's `app` names this Application (`name`, `namespace/name` or `namespace_name`). */
export function notificationIsFor(event: NotificationEvent, app: ArgoApplication, argocdNamespace: string): boolean {
    const ns = app.metadata.namespace ?? argocdNamespace;
    const name = app.metadata.name;
    return event.app === name || event.app === `${ns}/${name}` || event.app === `${ns}_${name}`;
}

/** Who started a sync, in words. */
export function initiator(by: InitiatedBy | string | undefined): { who: string; automated: boolean } {
    if (typeof by === "string") return { who: by || "unknown", automated: false };
    if (by?.automated) return { who: by.username ? `automated (${by.username})` : "automated", automated: true };
    return { who: by?.username || "unknown", automated: false };
}

export function applicationView(app: ArgoApplication, argocdNamespace: string): ApplicationView {
    const status = app.status ?? {};
    const hydratorSpec = app.spec?.sourceHydrator;
    const hydratorStatus = status.sourceHydrator;
    const auditKeys = new Set<string>(Object.values(AUDIT_LABELS));
    const labels = app.metadata.labels ?? {};
    return {
        name: app.metadata.name,
        namespace: app.metadata.namespace ?? argocdNamespace,
        project: app.spec?.project,
        syncStatus: status.sync?.status,
        syncRevision: status.sync?.revision ?? status.sync?.revisions?.[0],
        health: status.health?.status,
        hydrator: hydratorSpec || hydratorStatus
            ? {
                  dryRevision: hydratorSpec?.drySource?.targetRevision,
                  syncBranch: hydratorSpec?.syncSource?.targetBranch,
                  lastDrySha: hydratorStatus?.lastSuccessfulOperation?.drySHA,
                  lastHydratedSha: hydratorStatus?.lastSuccessfulOperation?.hydratedSHA,
                  phase: hydratorStatus?.currentOperation?.phase,
                  message: hydratorStatus?.currentOperation?.message || undefined,
              }
            : undefined,
        targetRevision: hydratorSpec ? undefined : (app.spec?.source?.targetRevision ?? app.spec?.sources?.[0]?.targetRevision),
        auditLabels: Object.fromEntries(Object.entries(labels).filter(([k]) => auditKeys.has(k))),
        conditions: (status.conditions ?? []).map((c) => ({
            type: c.type ?? "Unknown",
            message: c.message ?? "",
            at: c.lastTransitionTime,
            signatureProblem: SIGNATURE_PROBLEM.test(c.message ?? ""),
        })),
    };
}

export function dryCommitView(commit: DryCommit, trustedKeys: readonly string[] | undefined, pullRequest: PullRequestRef | undefined): DryCommitView {
    return {
        sha: commit.sha,
        author: commit.author,
        authorEmail: commit.authorEmail,
        date: commit.authorDate,
        subject: commit.subject,
        onDryBranch: commit.onDryBranch,
        signature: signatureVerdict(commit.signature, trustedKeys),
        ...(pullRequest ? { pullRequest } : {}),
    };
}

/** Changes that mean the update changed something (not `same`, not only reads). */
export function changedSomething(update: PulumiUpdate): boolean {
    const c = update.resourceChanges ?? {};
    return (c.create ?? 0) + (c.update ?? 0) + (c.replace ?? 0) + (c["create-replacement"] ?? 0) > 0;
}

export function pulumiUpdateView(update: PulumiUpdate, matchedBy: PulumiUpdateView["matchedBy"]): PulumiUpdateView {
    return {
        version: update.version,
        kind: update.kind,
        result: update.result,
        startTime: update.startTime,
        endTime: update.endTime,
        message: update.message,
        gitHead: update.environment["git.head"],
        gitAuthor: update.environment["git.author"],
        resourceChanges: update.resourceChanges,
        matchedBy,
    };
}

export function notificationView(e: NotificationEvent): NotificationView {
    return {
        event: e.event,
        app: e.app,
        revision: e.revision,
        drySha: e.drySha,
        hydratedSha: e.hydratedSha,
        phase: e.phase,
        message: e.message,
        at: e.at,
        receivedAt: e.receivedAt,
        initiatedBy: e.initiatedBy === undefined ? undefined : initiator(e.initiatedBy).who,
    };
}
