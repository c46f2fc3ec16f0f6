/**
 * Whether an environment runs a release well enough to promote it on, decided from its Argo CD
 * Applications alone (no I/O: the caller reads them, and says how a revision is matched with a
 * release): every Application Synced and Healthy, at a revision that holds the release, and Healthy
 * for at least the environment's soak time. No Applications at all is a refusal: nothing ran it.
 */
import { formatDuration } from "./durations";
import { applicationsOf, describeOrigin } from "./membership";
import type { ApplicationCheck, ArgoApplication, Environment, ReleaseCheck, Verification } from "./model";

export interface VerifyInput {
    environment: Environment;
    release: string;
    /** The Applications of the environment's cluster; those of other entries are left out here. */
    applications: ArgoApplication[];
    holdsRelease: ReleaseCheck;
    now: Date;
}

/** A commit as messages show it (7 hex digits); a chart version as it is. */
export function shortRevision(revision: string): string {
    return /^[0-9a-f]{40}$/i.test(revision) ? revision.slice(0, 7) : revision;
}

/**
 * The revision an Application runs, in the repository's terms: a hydrated Application syncs a
 * commit of its hydrated branch, made from the dry commit the release file is in.
 */
export function deployedRevision(app: ArgoApplication): string | undefined {
    const status = app.status ?? {};
    if (app.spec?.sourceHydrator) return status.sourceHydrator?.lastSuccessfulOperation?.drySHA;
    return status.sync?.revision ?? status.sync?.revisions?.[0];
}

/**
 * Since when it has been Healthy on what it runs: the later of its health's last transition and its
 * last sync's end. An update that KWOK (or a fast rollout) readies between two refreshes never leaves
 * Healthy, so the health's transition alone would date the soak from the release before.
 */
export function healthySince(app: ArgoApplication): Date | undefined {
    const times = [app.status?.health?.lastTransitionTime, app.status?.operationState?.finishedAt].map((t) => (t === undefined ? NaN : Date.parse(t))).filter((t) => !Number.isNaN(t));
    return times.length === 0 ? undefined : new Date(Math.max(...times));
}

/** What stands between one Application and the release being verified there. */
function checkApplication(app: ArgoApplication, input: VerifyInput): ApplicationCheck {
    const { environment, release, now } = input;
    const problems: string[] = [];
    const sync = app.status?.sync?.status;
    const health = app.status?.health;
    if (sync !== "Synced") problems.push(`not Synced (${sync ?? "no sync status"})`);
    if (health?.status !== "Healthy") problems.push(`not Healthy (${health?.status ?? "no health status"}${health?.message ? `: ${health.message}` : ""})`);
    const revision = deployedRevision(app);
    if (!revision) problems.push(app.spec?.sourceHydrator ? "reports no hydrated dry commit" : "reports no synced revision");
    else {
        const mismatch = input.holdsRelease(revision, release);
        if (mismatch) problems.push(mismatch);
    }
    const since = healthySince(app);
    const healthyForMs = since && health?.status === "Healthy" ? Math.max(0, now.getTime() - since.getTime()) : undefined;
    if (health?.status === "Healthy" && environment.soakMs > 0) {
        if (healthyForMs === undefined) {
            problems.push(`Healthy since an unknown time (no health.lastTransitionTime or operationState.finishedAt): cannot tell whether the ${environment.soak} soak is over`);
        } else if (healthyForMs < environment.soakMs) {
            problems.push(`Healthy for ${formatDuration(healthyForMs)} only: ${formatDuration(environment.soakMs - healthyForMs, "up")} of the ${environment.soak} soak left`);
        }
    }
    return { name: app.metadata.name, revision, healthyForMs, problems };
}

const applications = (n: number) => `${n} Application${n === 1 ? "" : "s"}`;

/** Whether `environment` verifies `release`, with every reason it does not, per Application. */
export function verifyEnvironment(input: VerifyInput): Verification {
    const { environment, release } = input;
    const checks = applicationsOf(environment, input.applications).map((app) => checkApplication(app, input));
    const revisions = [...new Set(checks.map((c) => c.revision).filter((r): r is string => r !== undefined))];
    const known = checks.map((c) => c.healthyForMs).filter((t): t is number => t !== undefined);
    const healthyForMs = known.length === checks.length && known.length > 0 ? Math.min(...known) : undefined;
    const base = { environment: environment.name, release, applications: checks, revisions, healthyForMs };
    if (checks.length === 0) {
        const problem = `no Applications of ${describeOrigin(environment)} in the cluster: nothing runs ${release} in ${environment.name}`;
        return { ...base, verified: false, problems: [problem], summary: problem };
    }
    const failing = checks.filter((c) => c.problems.length > 0);
    if (failing.length > 0) {
        return { ...base, verified: false, problems: [], summary: `${failing.length} of ${applications(checks.length)} of ${environment.name} do not verify ${release}` };
    }
    const duration = healthyForMs === undefined ? "" : ` for ${formatDuration(healthyForMs)}`;
    return { ...base, verified: true, problems: [], summary: `${applications(checks.length)} Synced and Healthy at ${revisions.map(shortRevision).join(", ")}${duration} (soak ${environment.soak})` };
}

/** The summary and, when not verified, every reason, one Application a line. */
export function explainVerification(v: Verification): string {
    if (v.verified) return v.summary;
    const lines = [v.summary, ...v.problems.filter((p) => p !== v.summary).map((p) => `  ${p}`)];
    for (const c of v.applications.filter((a) => a.problems.length > 0)) lines.push(`  ${c.name}: ${c.problems.join("; ")}`);
    return lines.join("\n");
}
