/**
 * The real sources of an audit, read into `AuditSources` for the join: the cluster (Applications in
 * Argo CD's namespace, and the live object of an `--object` query), the Git repository (the dry
 * branch and the environment branches the Applications sync from), Pulumi's update history, the
 * notifications file and the stack's Terraform state. The cluster is asked first, so an unreachable
 * API server fails before anything slow runs; the others are read side by side. Each adapter is a file of its own; this one decides
 * what each is asked for and says, per source, what it held.
 */
import type { EngineWorkspace } from "../engine/pulumi-cli";
import type { Redactor } from "../plan/redaction";
import { AUDIT_LABELS } from "../../lib/auditLabels";
import type { TerraformSource } from "../../lib/terraform/source";
import type { ClusterReader } from "./cluster";
import { readGitHistory } from "./git-history";
import type { ArgoApplication, AuditSources, NotificationEvent, ObjectRef, PulumiUpdate, SourceSummary, TerraformStateInfo } from "./model";
import { readNotificationsFile } from "./notifications";
import { readPulumiHistoryFile, runPulumiHistory } from "./pulumi-history";
import { readStackTerraformState, readTerraformState } from "./terraform-state";
import { TRACKING_ID_ANNOTATION, formatObjectRef, parseTrackingId } from "./tracking-id";

/** Where Pulumi's history comes from: a file written by `pulumi stack history --json`, or the pinned CLI against a backend. */
export type PulumiHistorySource = { file: string } | { workspace: EngineWorkspace; env?: NodeJS.ProcessEnv; description: string };

/** Where the Terraform state comes from: the stack's config (optionally another stack file), or a source given directly. */
export type TerraformStateSource = { configFile?: string } | { source: TerraformSource };

export interface AuditSourceOptions {
    projectRoot: string;
    stack: string;
    cluster: ClusterReader;
    /** Argo CD's namespace. Default: argocd. */
    argocdNamespace?: string;
    git: {
        repository: string;
        dryBranch?: string;
        /** Default: `environments/<stack>` and every branch an Application's hydrator syncs from. */
        environmentBranches?: string[];
        gnupgHome?: string;
    };
    object?: ObjectRef;
    /** A timeline's start: signatures are checked only from then on (gpg runs once per signed commit). */
    since?: string;
    /** Unset: not read (the report says so). */
    pulumi?: PulumiHistorySource;
    notificationsFile?: string;
    /** Unset: not read. */
    terraform?: TerraformStateSource;
    trustedKeys?: string[];
    /** Learns what adapters drop for being secret (a Secret's data), so it is scrubbed wherever else it appears. */
    redactor?: Redactor;
}

/** Every revision an Application names: history, sync status, last operation, hydrator status. */
function namedRevisions(app: ArgoApplication): string[] {
    const s = app.status ?? {};
    return [
        ...(s.history ?? []).flatMap((h) => [h.revision, ...(h.revisions ?? [])]),
        s.sync?.revision,
        ...(s.sync?.revisions ?? []),
        s.operationState?.syncResult?.revision,
        s.operationState?.operation?.sync?.revision,
        s.sourceHydrator?.lastSuccessfulOperation?.drySHA,
        s.sourceHydrator?.lastSuccessfulOperation?.hydratedSHA,
        s.sourceHydrator?.currentOperation?.drySHA,
        s.sourceHydrator?.currentOperation?.hydratedSHA,
    ].filter((r): r is string => !!r);
}

function plural(n: number, word: string): string {
    return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export async function loadAuditSources(o: AuditSourceOptions): Promise<AuditSources> {
    const namespace = o.argocdNamespace ?? "argocd";
    const summaries: SourceSummary[] = [];

    // The cluster first: an unreachable API server ends the audit before Git or Pulumi run.
    const liveObject = o.object ? await o.cluster.object(o.object) : undefined;
    let applications = await o.cluster.applications(namespace);
    const tracked = liveObject?.metadata.annotations?.[TRACKING_ID_ANNOTATION];
    // The object's Application: its tracking id's (maybe `<namespace>_<name>`, outside Argo CD's namespace), or label tracking's.
    const instance = liveObject?.metadata.labels?.["app.kubernetes.io/instance"];
    const trackedRef = tracked ? parseTrackingId(tracked)?.application : instance ? { name: instance, namespace: undefined } : undefined;
    if (trackedRef?.namespace && trackedRef.namespace !== namespace) {
        const app = await o.cluster.application(trackedRef.namespace, trackedRef.name);
        if (app) applications.push(app);
    }
    const all = applications.length;
    applications = applications.filter((a) => {
        const stack = a.metadata.labels?.[AUDIT_LABELS.stack];
        return stack === undefined || stack === o.stack;
    });
    const otherStacks = all - applications.length;
    summaries.push({ name: "Argo CD Applications", read: true, detail: `${o.cluster.description}: ${plural(applications.length, "Application")} in ${namespace}${otherStacks ? ` (${otherStacks} of other stacks left out by their ${AUDIT_LABELS.stack} label)` : ""}` });
    if (o.object) summaries.push({ name: "live object", read: !!liveObject, detail: liveObject ? `${formatObjectRef(o.object)} (${o.cluster.description})` : `${formatObjectRef(o.object)} not found (${o.cluster.description})` });

    // Signatures cost a gpg run each: an object's chain needs its Application's commits, a timeline those since --since.
    const trackedApp = trackedRef ? applications.find((a) => a.metadata.name === trackedRef.name && (a.metadata.namespace ?? namespace) === (trackedRef.namespace ?? namespace)) : undefined;
    const signatures = o.object ? { revisions: trackedApp ? namedRevisions(trackedApp) : [] } : o.since ? { since: o.since } : undefined;
    const branches = o.git.environmentBranches ?? [...new Set([`environments/${o.stack}`, ...applications.map((a) => a.spec?.sourceHydrator?.syncSource?.targetBranch).filter((b): b is string => !!b)])];
    // The rest side by side: Git (its signature checks are the slow part), Pulumi's history, the files, the Terraform state.
    const [git, pulumi, notifications, terraform] = await Promise.all([
        readGitHistory({ repository: o.git.repository, dryBranch: o.git.dryBranch, environmentBranches: branches, revisions: applications.flatMap(namedRevisions), signatures, gnupgHome: o.git.gnupgHome }),
        readPulumi(o, summaries),
        readNotifications(o, summaries),
        readTerraform(o, summaries),
    ]);
    const onBranch = git.dryCommits.filter((c) => c.onDryBranch);
    const checked = onBranch.filter((c) => c.signature);
    const signed = checked.filter((c) => c.signature?.status !== "N").length;
    summaries.push({
        name: "Git",
        read: true,
        detail: [
            `${git.description}: ${plural(onBranch.length, "commit")} on ${o.git.dryBranch ?? "main"} (${signed} of ${checked.length} checked signed), ${plural(git.hydratedCommits.length, "hydrated commit")} on ${git.branchesRead.join(", ") || "no environment branch"}`,
            ...git.notes,
        ].join("; "),
    });
    summaries.push({
        name: "signatures",
        read: true,
        detail: o.trustedKeys ? `verified: a good signature by one of ${plural(o.trustedKeys.length, "trusted key")}` : "verified: a signature git calls good (G) with the keyring it checks with; no --trusted-keys given",
    });

    return {
        stack: o.stack,
        argocdNamespace: namespace,
        dryBranch: o.git.dryBranch ?? "main",
        environmentBranches: git.branchesRead,
        dryTip: git.dryTip,
        dryCommits: git.dryCommits,
        hydratedCommits: git.hydratedCommits,
        applications,
        pulumiUpdates: pulumi,
        terraform,
        notifications,
        liveObject,
        trustedKeys: o.trustedKeys,
        summaries: orderSummaries(summaries),
    };
}

const SUMMARY_ORDER = ["live object", "Argo CD Applications", "Git", "signatures", "notifications", "Pulumi history", "Terraform state"];

function orderSummaries(list: SourceSummary[]): SourceSummary[] {
    return [...list].sort((a, b) => SUMMARY_ORDER.indexOf(a.name) - SUMMARY_ORDER.indexOf(b.name));
}

async function readPulumi(o: AuditSourceOptions, summaries: SourceSummary[]): Promise<PulumiUpdate[] | undefined> {
    if (!o.pulumi) {
        summaries.push({ name: "Pulumi history", read: false, detail: "not read: no --pulumi-history FILE, and no Pulumi backend to ask (the local loop's, or PULUMI_BACKEND_URL)" });
        return undefined;
    }
    const { updates, renumbered } = "file" in o.pulumi ? readPulumiHistoryFile(o.pulumi.file) : await runPulumiHistory(o.pulumi.workspace, o.stack, o.pulumi.env);
    const where = "file" in o.pulumi ? `Pulumi history file ${o.pulumi.file}` : o.pulumi.description;
    summaries.push({ name: "Pulumi history", read: true, detail: `${where}: ${plural(updates.length, "update")}${renumbered ? " (numbered oldest first: the file backend records no update numbers)" : ""}` });
    return updates;
}

async function readNotifications(o: AuditSourceOptions, summaries: SourceSummary[]): Promise<NotificationEvent[] | undefined> {
    if (!o.notificationsFile) {
        summaries.push({ name: "notifications", read: false, detail: "not read: no --notifications FILE" });
        return undefined;
    }
    const events = readNotificationsFile(o.notificationsFile);
    summaries.push({ name: "notifications", read: true, detail: `notifications file ${o.notificationsFile}: ${plural(events.length, "event")}` });
    return events;
}

async function readTerraform(o: AuditSourceOptions, summaries: SourceSummary[]): Promise<TerraformStateInfo | undefined> {
    if (!o.terraform) {
        summaries.push({ name: "Terraform state", read: false, detail: "not read" });
        return undefined;
    }
    const state = "source" in o.terraform ? await readTerraformState(o.projectRoot, o.terraform.source) : await readStackTerraformState(o.projectRoot, o.stack, o.terraform.configFile);
    summaries.push({ name: "Terraform state", read: true, detail: `${state.source}${state.lineage ? `: lineage ${state.lineage}, serial ${state.serial ?? "?"}` : state.note ? `: ${state.note}` : ""}` });
    return state;
}
