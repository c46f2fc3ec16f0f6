/**
 * One live object's chain, each link found from the one before: the object's tracking id names its
 * Application; the Application's latest history entry is the sync that put the live revision there
 * (with the notifications sent for it); that revision is a hydrated commit whose `hydrator.metadata`
 * names the dry commit (or, without the hydrator, the dry commit itself); the dry commit's signature
 * and pull request; the Pulumi update that last changed the Application; the Terraform state. A link
 * that cannot be found is a gap, said plainly, and the chain goes on where it can.
 */
import { AUDIT_LABELS } from "../../lib/auditLabels";
import { CommitIndex, shortSha } from "./commit-index";
import type { ArgoApplication, AuditSources, ChainStep, HistoryEntry, HydratedCommitView, NotificationEvent, ObjectChain, ObjectRef, PullRequestRef, PulumiUpdate, SyncView } from "./model";
import { signatureVerdict } from "./signature";
import { TRACKING_ID_ANNOTATION, formatObjectRef, parseTrackingId } from "./tracking-id";
import { applicationName, applicationView, changedSomething, dryCommitView, initiator, notificationIsFor, notificationView, pulumiUpdateView } from "./views";

/** Label tracking (Argo CD's older default): the Application's name in this label. */
const INSTANCE_LABEL = "app.kubernetes.io/instance";

/** What the join has made once for the whole report. */
export interface JoinContext {
    sources: AuditSources;
    commits: CommitIndex;
    pullRequests: Map<string, PullRequestRef>;
}

/** The history entry of the revision in place: the one with the highest id (Argo CD appends), else the latest deployed. */
export function latestHistoryEntry(app: ArgoApplication): HistoryEntry | undefined {
    const history = app.status?.history ?? [];
    if (history.length === 0) return undefined;
    return [...history].sort((a, b) => (a.id ?? 0) - (b.id ?? 0) || Date.parse(a.deployedAt ?? "") - Date.parse(b.deployedAt ?? ""))[history.length - 1];
}

/** The entry's revision: of several sources', the first one the repository read knows. */
function entryRevision(entry: HistoryEntry, commits: CommitIndex): string | undefined {
    const all = [entry.revision, ...(entry.revisions ?? [])].filter((r): r is string => !!r);
    return all.find((r) => commits.hydrated(r) || commits.dry(r)) ?? all[0];
}

/** Whether a notification is about `revision`: its revision (one of a multi-source sync's), or its hydrated commit. */
function notificationNames(e: NotificationEvent, revision: string): boolean {
    const same = (a: string) => a !== "" && (a.startsWith(revision) || revision.startsWith(a));
    return (e.revision ?? "").split(",").some((r) => same(r.trim())) || same(e.hydratedSha ?? "");
}

function sameObject(a: { group?: string; kind?: string; namespace?: string; name?: string }, kind: string, namespace: string | undefined, name: string): boolean {
    return a.kind === kind && (a.namespace || undefined) === namespace && a.name === name;
}

export function objectChain(ctx: JoinContext, ref: ObjectRef): ObjectChain {
    const { sources, commits } = ctx;
    const gaps: ObjectChain["gaps"] = [];
    const gap = (step: ChainStep, reason: string) => gaps.push({ step, reason });
    const live = sources.liveObject;
    if (!live) {
        gap("object", `${formatObjectRef(ref)} was not found`);
        return { object: { kind: ref.kind, namespace: ref.namespace, name: ref.name }, notifications: [], gaps };
    }
    const kind = live.kind;
    const namespace = live.metadata.namespace;
    const name = live.metadata.name;
    const trackingText = live.metadata.annotations?.[TRACKING_ID_ANNOTATION];
    const chain: ObjectChain = {
        object: {
            kind,
            apiVersion: live.apiVersion,
            namespace,
            name,
            uid: live.metadata.uid,
            trackingId: trackingText,
            createdAt: live.metadata.creationTimestamp,
            ...(kind === "Secret" ? { metadataOnly: "a Secret: metadata only, its data is never read into the audit" } : {}),
        },
        notifications: [],
        gaps,
    };

    // Object -> Application.
    let appRef: { name: string; namespace?: string } | undefined;
    const tracking = trackingText ? parseTrackingId(trackingText) : undefined;
    if (trackingText && !tracking) gap("application", `the ${TRACKING_ID_ANNOTATION} annotation is not a tracking id (<app>:<group>/<Kind>:<namespace>/<name>)`);
    if (tracking) {
        appRef = tracking.application;
        if (tracking.kind !== kind || tracking.namespace !== namespace || tracking.name !== name) {
            gap("object", `the tracking id names ${tracking.kind} ${tracking.namespace ?? ""}/${tracking.name}, not this object (a copied annotation): Argo CD does not count this object as its Application's`);
        }
    } else if (!trackingText && live.metadata.labels?.[INSTANCE_LABEL]) {
        appRef = { name: live.metadata.labels[INSTANCE_LABEL] };
        gap("application", `no ${TRACKING_ID_ANNOTATION} annotation; the Application is taken from the ${INSTANCE_LABEL} label (label tracking), which other tools set too`);
    } else if (!trackingText) {
        gap("application", `the object has no ${TRACKING_ID_ANNOTATION} annotation: no Argo CD Application manages it`);
    }
    const appNamespace = appRef?.namespace ?? sources.argocdNamespace;
    const app = appRef ? sources.applications.find((a) => a.metadata.name === appRef!.name && (a.metadata.namespace ?? sources.argocdNamespace) === appNamespace) : undefined;
    if (appRef && !app) gap("application", `Application ${appNamespace}/${appRef.name}, named by the object's tracking id, is not in the cluster`);
    if (app) chain.application = applicationView(app, sources.argocdNamespace);

    // Application -> sync.
    let revision: string | undefined;
    if (app) {
        const entry = latestHistoryEntry(app);
        if (!entry) gap("sync", `Application ${app.metadata.name} has no sync history: it has never synced`);
        revision = entry ? entryRevision(entry, commits) : undefined;
        if (entry && !revision) gap("sync", `the latest history entry of ${app.metadata.name} names no revision`);
        if (entry && revision) {
            const by = initiator(entry.initiatedBy);
            const op = app.status?.operationState;
            const opRevisions = [op?.syncResult?.revision, ...(op?.syncResult?.revisions ?? []), op?.operation?.sync?.revision].filter(Boolean);
            const sync: SyncView = {
                application: applicationName(app, sources.argocdNamespace),
                historyId: entry.id,
                revision,
                deployedAt: entry.deployedAt,
                deployStartedAt: entry.deployStartedAt,
                initiatedBy: by.who,
                automated: by.automated,
            };
            if (op && opRevisions.includes(revision)) {
                sync.phase = op.phase;
                sync.message = op.message;
                const result = op.syncResult?.resources?.find((r) => sameObject(r, kind, namespace, name));
                if (result) sync.objectResult = [result.status, result.message].filter(Boolean).join(": ");
            }
            chain.sync = sync;
        }
    }

    // Sync -> notifications.
    if (app && revision) {
        if (!sources.notifications) gap("notification", "notifications were not read (no --notifications file)");
        else {
            const sent = sources.notifications.filter((e) => notificationIsFor(e, app, sources.argocdNamespace) && notificationNames(e, revision!));
            chain.notifications = sent.map(notificationView);
            if (sent.length === 0) gap("notification", `no notification names ${applicationName(app, sources.argocdNamespace)} at revision ${shortSha(revision)}`);
        }
    }

    // Sync revision -> hydrated commit -> dry sha.
    let drySha: string | undefined;
    if (app && revision) {
        const hydrated = commits.hydrated(revision);
        const usesHydrator = !!app.spec?.sourceHydrator || !!hydrated;
        if (hydrated) {
            const view: HydratedCommitView = {
                sha: hydrated.sha,
                signature: signatureVerdict(hydrated.signature, sources.trustedKeys),
                branch: hydrated.branch,
                date: hydrated.committerDate,
                subject: hydrated.subject,
                repoURL: hydrated.metadata?.repoURL,
                ...commits.dryShaOf(hydrated),
            };
            chain.hydratedCommit = view;
            drySha = view.drySha;
            if (!drySha) gap("hydrated-commit", `hydrated commit ${shortSha(hydrated.sha)} has no hydrator.metadata naming its dry commit${hydrated.metadataProblem ? ` (${hydrated.metadataProblem})` : ""}, and no trailer names one`);
        } else if (usesHydrator) {
            const last = app.status?.sourceHydrator?.lastSuccessfulOperation;
            const branch = app.spec?.sourceHydrator?.syncSource?.targetBranch ?? sources.environmentBranches.join(", ");
            if (last?.hydratedSHA && last.drySHA && (last.hydratedSHA.startsWith(revision) || revision.startsWith(last.hydratedSHA))) {
                drySha = last.drySHA;
                chain.hydratedCommit = { sha: revision, branch: "", date: "", subject: "", drySha, drySource: "application-status" };
                gap("hydrated-commit", `hydrated commit ${shortSha(revision)} is not on ${branch} in the repository read; its dry commit is taken from the Application's hydrator status`);
            } else {
                gap("hydrated-commit", `hydrated commit ${shortSha(revision)} is not on ${branch} in the repository read, and the Application's hydrator status does not name its dry commit`);
            }
        } else {
            const target = app.spec?.source?.targetRevision ?? app.spec?.sources?.[0]?.targetRevision ?? "HEAD";
            gap("hydrated-commit", `no hydrated commit: the Application syncs directly from ${target}; the sync revision is the dry commit`);
            drySha = revision;
        }
    }

    // Dry commit -> signature, pull request.
    if (drySha) {
        const dry = commits.dry(drySha);
        if (!dry) gap("dry-commit", `dry commit ${shortSha(drySha)} is not in the repository read`);
        else {
            const pr = ctx.pullRequests.get(dry.sha);
            chain.dryCommit = dryCommitView(dry, sources.trustedKeys, pr);
            if (pr) chain.pullRequest = pr;
            else gap("pull-request", `no pull request: commit ${shortSha(dry.sha)} names none (no merge subject, Pull-request trailer or "(#n)"), and no pull request's merge brought it to ${sources.dryBranch}`);
        }
    } else if (app && revision) {
        gap("dry-commit", "the dry commit is unknown (see the hydrated commit)");
    }

    // Application -> Pulumi update.
    const commitLabel = app?.metadata.labels?.[AUDIT_LABELS.gitCommit] ?? live.metadata.labels?.[AUDIT_LABELS.gitCommit];
    const labelled = app ? `Application ${app.metadata.name}` : "the object";
    if (!sources.pulumiUpdates) gap("pulumi-update", "Pulumi's update history was not read (no --pulumi-history file and no pinned CLI with a backend)");
    else {
        const found = pulumiUpdateFor(sources.pulumiUpdates, commitLabel);
        if (found) {
            chain.pulumiUpdate = pulumiUpdateView(found.update, found.matchedBy);
            if (found.matchedBy === "resource-changes") {
                gap("pulumi-update", `${labelled}'s ${AUDIT_LABELS.gitCommit} label (${commitLabel ?? "none"}) names no update's git.head; shown: the latest update that created or changed resources`);
            }
        } else gap("pulumi-update", `no Pulumi update matches ${labelled}: none ran from commit ${commitLabel ?? "(no label)"} and none created or changed resources`);
    }

    // -> Terraform state.
    if (sources.terraform) chain.terraform = sources.terraform;
    else gap("terraform", "the stack's Terraform state was not read");
    return chain;
}

/**
 * The update that created or last changed what carries `commitLabel`: of the succeeded updates that ran
 * from that commit, the first that changed resources (later ones from the same commit changed nothing
 * of it), else the first of them; without one, the latest update that changed resources.
 */
export function pulumiUpdateFor(updates: readonly PulumiUpdate[], commitLabel: string | undefined): { update: PulumiUpdate; matchedBy: "git-commit-label" | "resource-changes" } | undefined {
    const oldestFirst = [...updates].filter((u) => u.kind === "update" && (u.result === undefined || u.result === "succeeded")).sort((a, b) => a.version - b.version);
    if (commitLabel && /^[0-9a-f]{7,64}$/i.test(commitLabel)) {
        const fromCommit = oldestFirst.filter((u) => {
            const head = u.environment["git.head"]?.toLowerCase();
            return !!head && (head.startsWith(commitLabel.toLowerCase()) || commitLabel.toLowerCase().startsWith(head));
        });
        const update = fromCommit.find(changedSomething) ?? fromCommit[0];
        if (update) return { update, matchedBy: "git-commit-label" };
    }
    const latest = [...oldestFirst].reverse().find(changedSomething);
    return latest ? { update: latest, matchedBy: "resource-changes" } : undefined;
}
