/**
 * What the rollout proof reads from Argo CD: the Applications of each environment, the release each
 * is synced to (the release file at its synced revision), and per wave when its first sync started
 * and its last Application became Healthy, by Argo CD's own timestamps.
 */
import * as YAML from "yaml";
import type { GitRepository } from "../../tools/local-cluster/git-repository";
import type { Kubectl } from "../../tools/local-cluster/kubectl";
import { sleep } from "../../tools/local-cluster/managed-process";
import { ROLLOUT_WAVE_LABEL } from "../../stacks/schema/rollout";
import { applicationOf, releaseFile } from "./rollout-stack";

export interface RolloutApplication {
    metadata: { name: string; labels?: Record<string, string>; ownerReferences?: { kind: string; name: string }[] };
    status?: {
        sync?: { status?: string; revision?: string };
        health?: { status?: string; lastTransitionTime?: string };
        operationState?: { phase?: string; startedAt?: string; finishedAt?: string; syncResult?: { revision?: string } };
    };
}

/** A wave of one rollout: seconds from the change to its first sync completed and to its last Application Healthy. */
export interface WaveTimeline {
    wave: string;
    applications: number;
    firstSynced: number;
    lastHealthy: number;
}

export class RolloutWatch {
    private readonly releases = new Map<string, string>();

    constructor(
        private readonly kubectl: Kubectl,
        private readonly namespace: string,
        private readonly git: GitRepository,
    ) {}

    /** The Applications an environment's ApplicationSet generated. */
    async applications(env: string): Promise<RolloutApplication[]> {
        const list = await this.kubectl.get<{ items: RolloutApplication[] }>(["applications.argoproj.io", "-n", this.namespace]);
        const owner = `app-${applicationOf(env)}`;
        return (list?.items ?? []).filter((a) => a.metadata.ownerReferences?.some((o) => o.kind === "ApplicationSet" && o.name === owner));
    }

    /** The environment's release (`image.tag`) at a commit. */
    releaseAt(env: string, revision: string): string {
        const key = `${env}@${revision}`;
        if (!this.releases.has(key)) {
            const doc = YAML.parse(this.git.show(revision, releaseFile(env))) as { image?: { tag?: unknown } };
            this.releases.set(key, String(doc?.image?.tag ?? ""));
        }
        return this.releases.get(key)!;
    }

    /** Whether an Application is Synced and Healthy on the environment's `release`. */
    isOn(app: RolloutApplication, env: string, release: string): boolean {
        const s = app.status;
        return s?.sync?.status === "Synced" && s.health?.status === "Healthy" && !!s.sync.revision && this.releaseAt(env, s.sync.revision) === release;
    }

    /** Waits until every Application of each environment is Synced and Healthy on its release; returns them, by environment. */
    async untilReleased(want: Record<string, string>, counts: Record<string, number>, timeoutMs: number): Promise<Record<string, RolloutApplication[]>> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const seen: Record<string, RolloutApplication[]> = {};
            for (const env of Object.keys(want)) seen[env] = await this.applications(env);
            const pending = Object.entries(want).flatMap(([env, release]) => {
                const apps = seen[env];
                const off = apps.filter((a) => !this.isOn(a, env, release)).map((a) => `${a.metadata.name} ${a.status?.sync?.status ?? "?"}/${a.status?.health?.status ?? "?"}`);
                return apps.length < counts[env] ? [`${env}: ${apps.length} of ${counts[env]} Applications generated`, ...off] : off;
            });
            if (pending.length === 0) return seen;
            if (Date.now() > deadline) throw new Error(`after ${timeoutMs / 1000} s not on ${JSON.stringify(want)}: ${pending.join(", ")}`);
            await sleep(1000);
        }
    }
}

interface ArgoEvent {
    metadata: { name: string };
    involvedObject: { kind: string; name: string };
    reason: string;
    message: string;
    firstTimestamp?: string;
}

/** When Argo CD recorded an event: its name ends in the nanoseconds it was made at (`<app>.<hex>`). */
function eventTime(e: ArgoEvent): number {
    const hex = e.metadata.name.split(".").pop() ?? "";
    return /^[0-9a-f]{12,}$/.test(hex) ? Number(BigInt(`0x${hex}`) / 1_000_000n) : Date.parse(e.firstTimestamp ?? "");
}

/**
 * Each wave's first completed sync and its last Application Healthy after `since` (ms), in seconds
 * from it, from the application controller's events (exact to the nanosecond: their names carry
 * it). An Application that stayed Healthy through its sync (KWOK readies pods between two
 * refreshes) is Healthy when its sync completed.
 */
export async function waveTimeline(kubectl: Kubectl, namespace: string, apps: RolloutApplication[], waves: string[], since: number): Promise<WaveTimeline[]> {
    const events = (await kubectl.get<{ items: ArgoEvent[] }>(["events", "-n", namespace]))?.items ?? [];
    const after = (app: string, reason: string, message: RegExp) =>
        events.filter((e) => e.involvedObject.kind === "Application" && e.involvedObject.name === app && e.reason === reason && message.test(e.message)).map(eventTime).filter((t) => t >= since).sort((a, b) => a - b);
    const seconds = (t: number) => Math.round((t - since) / 100) / 10;
    return waves.map((wave) => {
        const mine = apps.filter((a) => a.metadata.labels?.[ROLLOUT_WAVE_LABEL] === wave).map((a) => a.metadata.name);
        const synced = mine.map((name) => after(name, "OperationCompleted", /succeeded/)[0] ?? NaN);
        const healthy = mine.map((name, i) => Math.max(synced[i], ...after(name, "ResourceUpdated", /Updated health status: \w+ -> Healthy/).filter((t) => t >= synced[i]).slice(0, 1)));
        return { wave, applications: mine.length, firstSynced: seconds(Math.min(...synced)), lastHealthy: seconds(Math.max(...healthy)) };
    });
}

/**
 * Each wave synced only once the wave before was Healthy.
 */
export function waveOrderProblems(timeline: WaveTimeline[]): string[] {
    const problems: string[] = [];
    for (const w of timeline) {
        if (w.applications === 0) problems.push(`wave ${w.wave} has no Application`);
        if (!Number.isFinite(w.firstSynced) || !Number.isFinite(w.lastHealthy)) problems.push(`wave ${w.wave} has no completed sync or Healthy time`);
    }
    for (let k = 1; k < timeline.length; k++) {
        const before = timeline[k - 1];
        const wave = timeline[k];
        if (wave.firstSynced < before.lastHealthy) {
            problems.push(`wave ${wave.wave} synced at ${wave.firstSynced} s, before wave ${before.wave} was Healthy at ${before.lastHealthy} s`);
        }
    }
    return problems;
}
