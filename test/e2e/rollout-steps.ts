/**
 * Progressive delivery on the local fleet (issue 27): six fleet clusters with their own nodes beside
 * the hub, two environments as labelled cluster groups (staging: one cluster; prod: five in three
 * waves), a release moved through them by `npm run promote`'s functions, and a release that never
 * becomes Healthy stopped at the canary wave and rolled back. Its own hub and Argo CD: the main loop's
 * stack stays as users run it.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { startArgoCdControllers } from "../../tools/local-cluster/argocd-controllers";
import { ControlPlane, startControlPlane } from "../../tools/local-cluster/control-plane";
import { FleetClusters, startFleetClusters } from "../../tools/local-cluster/fleet-clusters";
import { GitRepository } from "../../tools/local-cluster/git-repository";
import { onLocalCluster, writeLocalStackFile } from "../../tools/local-cluster/local-stack";
import { upArgoCdCrds } from "../../tools/engine/argocd-crds-stack";
import { runPulumi } from "../../tools/engine/pulumi-cli";
import { NEVER_READY_IMAGE_MARK } from "../../tools/local-cluster/kwok-stages";
import { clusterApplications, clusterSyncer, followRollback, promote, PromotionRefused, releaseCheck, releaseLine, rollback, stackPlatform, watchPromotion, WorkingTree } from "../../tools/promote";
import type { ArgoApplication } from "../../tools/promote/model";
import { environmentNamed } from "../../tools/promote/release-line";
import { ManagedProcess, pollUntil, sleep } from "../../tools/local-cluster/managed-process";
import { E2eRun, roundSeconds as round } from "./e2e-run";
import { applicationOf, rolloutStack, ROLLOUT_FLEET, ROLLOUT_WAVES, releaseFile, SOAK_SECONDS } from "./rollout-stack";
import { RolloutWatch, waveOrderProblems, waveTimeline, WaveTimeline } from "./rollout-timeline";

const NAMESPACE = "argocd";
/** Releases (image tags of hello-service's image). */
const FIRST = "6.7.1";
const SECOND = "6.7.2";
/** Staging's release while a prod cluster is down. */
const THIRD = "6.7.3";
/** Applications per environment. */
const COUNTS = { staging: ROLLOUT_FLEET.filter((c) => c.labels.group === "staging").length, prod: ROLLOUT_FLEET.filter((c) => c.labels.group === "prod").length };

export interface RolloutSummary {
    clusters: number;
    /** Seconds from `pulumi up` to every Application of both environments Synced and Healthy. */
    firstRolloutSeconds: number | null;
    /** The first rollout (`first`) and the promotion (`promoted`): each wave's first sync completed and last Healthy, seconds from the change. */
    waves: Record<string, WaveTimeline[]>;
    /** From the failing release's commit to the canary failing verification, and to the rollback Synced and Healthy. */
    failingRelease: { failedAfterSeconds: number; rollbackSyncedSeconds: number } | null;
    /** Applications the watch synced to the rollback because they took the failed release after it (RollingSync's recorded target). */
    resyncedAfterRollback: string[] | null;
    /** From `npm run promote` to every prod Application Synced and Healthy on the promoted release. */
    promotionSeconds: number | null;
    /** Resident memory per fleet cluster (API server + controller-manager + scheduler + KWOK), MiB. */
    memoryPerClusterMiB: number | null;
    /** Staging's sync of a release after its commit: with every cluster up (`stagingSyncedSeconds`), and with a prod cluster's API server down. */
    stagingSyncedSeconds: number | null;
    clusterDown: ClusterDownReport | null;
}

/** A fleet cluster's API server killed for a while, and restarted. */
export interface ClusterDownReport {
    cluster: string;
    /** From the commit to staging Synced and Healthy on it, while the cluster was down. */
    stagingSyncedSeconds: number;
    /** What its Application said meanwhile (sync and health status, the condition's message). */
    shown: string;
    /** From the API server back to its Application Synced and Healthy with no condition, no one acting. */
    recoveredSeconds: number;
}

/** The Application's first error condition (or an Unknown status), in one line; empty when it has none. */
function applicationError(a: ArgoApplication | undefined): string {
    const condition = (a?.status as { conditions?: { type: string; message: string }[] } | undefined)?.conditions?.find((c) => /Error/.test(c.type));
    if (condition) return `${condition.type}: ${condition.message.replace(/\s+/g, " ").slice(0, 240)}`;
    return a?.status?.sync?.status === "Unknown" ? `sync Unknown, health ${a.status.health?.status ?? "?"}` : "";
}

/**
 * `allAtOnce` (the bench's baseline): prod has no waves; the first rollout and the promotion are
 * measured, the failing release and the rollback are not run (without waves the failing release
 * would reach every cluster). `clusterDown: false` (the bench) leaves out the fleet cluster's outage
 * (default: run it, last).
 */
export async function rolloutSteps(run: E2eRun, options: { allAtOnce?: boolean; clusterDown?: boolean } = {}): Promise<RolloutSummary> {
    const waves = !options.allAtOnce;
    const { projectRoot, work } = run;
    const binDir = path.join(projectRoot, ".tools", "bin");
    const dir = path.join(work, "rollout");
    const configFile = path.join(dir, "Pulumi.local-rollout.yaml");
    // A backend of its own: the main loop's stack `local` is another deployment.
    const ws = { ...run.ws, backendDir: path.join(dir, "backend") };
    const pulumi = async (args: string[], input?: string) => {
        const r = await runPulumi(ws, args, { input });
        run.record(`rollout: pulumi ${args.slice(0, 2).join(" ")} ${Date.now()}`, `${r.stdout}\n${r.stderr}`);
        if (r.code !== 0) throw new Error(`pulumi ${args[0]} failed:\n${r.stdout.split("\n").slice(-30).join("\n")}\n${r.stderr}`);
        return r;
    };
    const summary: RolloutSummary = { clusters: ROLLOUT_FLEET.length, firstRolloutSeconds: null, waves: {}, failingRelease: null, promotionSeconds: null, resyncedAfterRollback: null, memoryPerClusterMiB: null, stagingSyncedSeconds: null, clusterDown: null };
    let cp: ControlPlane | undefined;
    let fleet: FleetClusters | undefined;
    const controllers: ManagedProcess[] = [];
    let git: GitRepository | undefined;
    let watch: RolloutWatch | undefined;
    try {
        await run.step("six fleet clusters start beside the hub, each with its own controllers and KWOK node", async () => {
            fs.mkdirSync(dir, { recursive: true });
            cp = await startControlPlane({ binDir, dataDir: path.join(dir, "hub") });
            fleet = await startFleetClusters({ binDir, etcdUrl: cp.etcdUrl, dataDir: path.join(dir, "fleet"), names: ROLLOUT_FLEET.map((c) => c.name) });
            const rss = fleet.clusters.map((c) => fleet!.processesOf(c.name).reduce((sum, p) => sum + rssMiB(p.pid), 0));
            summary.memoryPerClusterMiB = round(rss.reduce((a, b) => a + b, 0) / rss.length);
            return `${fleet.clusters.length} clusters in ${fleet.startSeconds.toFixed(1)} s, ${summary.memoryPerClusterMiB} MiB each (mean RSS)`;
        });
        await run.step(`pulumi up registers the fleet and both environments; staging syncs at once, prod ${waves ? "wave by wave: canary, early, rest" : "all at once"}`, async () => {
            git = GitRepository.fromWorkingTree(projectRoot, path.join(dir, "git"), ["charts"]);
            // The clone's own identity: `npm run promote` commits there as the developer would.
            for (const [key, value] of [["user.name", "gitops-platform e2e"], ["user.email", "e2e@gitops-platform.invalid"], ["commit.gpgsign", "false"]]) {
                execFileSync("git", ["-C", git.checkoutDir, "config", key, value]);
            }
            // What a Git webhook does on a push: Argo CD refreshes the repository's Applications (no 3-minute poll).
            const hook = path.join(git.bare, "hooks", "post-receive");
            fs.writeFileSync(hook, `#!/bin/sh\n"${path.join(binDir, "kubectl")}" --kubeconfig "${cp!.kubeconfigPath}" annotate applications.argoproj.io --all -n ${NAMESPACE} --overwrite argocd.argoproj.io/refresh=hard >/dev/null 2>&1 || true\n`, { mode: 0o755 });
            for (const env of ["staging", "prod"]) git.commitChange(releaseFile(env), () => `image:\n  tag: "${FIRST}"\n`, `Release ${FIRST} to ${env}`, null);
            writeLocalStackFile(projectRoot, configFile, (platform) => {
                onLocalCluster(git!.url)(platform);
                rolloutStack(platform, options);
            });
            const stack = ["--stack", "local", "--config-file", configFile];
            await pulumi(["stack", "init", "local", "--secrets-provider", "passphrase"]);
            await pulumi(["config", "set", "--secret", "kubeconfig", ...stack], fs.readFileSync(cp!.kubeconfigPath, "utf8"));
            await pulumi(["config", "set", "--secret", "fleetKubeconfig", ...stack], fleet!.kubeconfig);
            const started = Date.now();
            const policy = ["--policy-pack", "policies/launch", "--policy-pack-config", "policies/config/local.json"];
            await upArgoCdCrds(ws, stack, policy);
            await pulumi(["up", "--yes", ...stack, ...policy]);
            const argocd = await startArgoCdControllers({ binDir, kubeconfigPath: cp!.kubeconfigPath, namespace: NAMESPACE, dataDir: path.join(dir, "argocd") });
            controllers.push(...argocd.processes);
            watch = new RolloutWatch(cp!.kubectl, NAMESPACE, git);
            const done = await watch.untilReleased({ staging: FIRST, prod: FIRST }, COUNTS, 8 * 60_000);
            summary.firstRolloutSeconds = round((Date.now() - started) / 1000);
            const timeline = await waveTimeline(cp!.kubectl, NAMESPACE, done.prod, waves ? ROLLOUT_WAVES : [], started);
            summary.waves.first = timeline;
            const problems = waveOrderProblems(timeline);
            if (problems.length > 0) throw new Error(problems.join("; "));
            return `every Application Synced and Healthy ${summary.firstRolloutSeconds} s after pulumi up${waves ? `; prod ${describe(timeline)}` : ""}`;
        });
        const cluster = () => ({ binary: path.join(binDir, "kubectl"), kubeconfig: cp!.kubeconfigPath, namespace: NAMESPACE });
        const reader = () => clusterApplications(cluster());
        // The developer's clone the release commits and `npm run promote` work in (pushing to the repository Argo CD reads).
        const tree = () => new WorkingTree(git!.checkoutDir);
        const line = () => releaseLine(stackPlatform(projectRoot, "local", configFile), "local", "hello-fleet", (file) => fs.readFileSync(path.join(git!.checkoutDir, file), "utf8"));
        const imagesOn = async (clusters: string[]) => {
            const out: Record<string, string> = {};
            for (const name of clusters) {
                const list = await fleet!.clusters.find((c) => c.name === name)!.kubectl.get<{ items: { spec: { template: { spec: { containers: { image: string }[] } } } }[] }>(["deployments", "-n", "hello"]);
                out[name] = (list?.items ?? []).map((d) => d.spec.template.spec.containers[0].image.split(":").pop()).join(",");
            }
            return out;
        };
        let stagingSyncedAt = Date.now();
        const prodClusters = ROLLOUT_FLEET.filter((c) => c.labels.group === "prod").map((c) => c.name);

        await run.step("a commit moves staging to release 6.7.2; npm run promote refuses to take it on before staging runs it, saying why; prod stays on 6.7.1", async () => {
            const committed = Date.now();
            git!.commitChange(releaseFile("staging"), () => `image:\n  tag: "${SECOND}"\n`, `Release ${SECOND} to staging`, null);
            // Right after the push: staging does not run the release yet, so there is nothing verified to promote.
            const refused = await promote({ line: line(), from: "staging", to: "prod", tree: tree(), readApplications: reader() }).then(
                () => undefined,
                (e: Error) => e,
            );
            if (!(refused instanceof PromotionRefused)) throw new Error(`expected a refusal, got ${refused ? refused.message : "a promotion"}`);
            // Depending on how far Argo CD got with the push: not Synced to it yet, or synced to the release before.
            if (!new RegExp(`${ROLLOUT_FLEET[0].name}-${applicationOf("staging")}: (not Synced|.*not "${SECOND.replace(/\./g, "\\.")}")`).test(refused.message)) throw new Error(`the refusal does not say staging does not run the release: ${refused.message}`);
            const done = await watch!.untilReleased({ staging: SECOND, prod: FIRST }, COUNTS, 3 * 60_000);
            const images = await imagesOn(prodClusters);
            const moved = Object.entries(images).filter(([, tag]) => tag !== FIRST);
            if (moved.length > 0) throw new Error(`prod clusters run another release: ${JSON.stringify(images)}`);
            stagingSyncedAt = Math.max(...done.staging.map((a) => Date.parse(a.status?.operationState?.finishedAt ?? "")));
            const synced = done.staging.map((a) => Date.parse(a.status?.operationState?.finishedAt ?? "") - committed).map((ms) => round(ms / 1000));
            summary.stagingSyncedSeconds = Math.max(...synced);
            return `refused: ${refused.message.split("\n").slice(2, 3).join("").trim()}; staging synced ${synced.join(", ")} s after the commit; prod clusters run ${FIRST}`;
        });
        await run.step(`promoted from staging, release 6.7.2 reaches prod ${waves ? "wave by wave: canary, then early, then the rest" : "everywhere at once"}`, async () => {
            // Staging's soak: Synced and Healthy on the release for SOAK_SECONDS since its sync.
            await sleep(Math.max(0, stagingSyncedAt + SOAK_SECONDS * 1000 + 1000 - Date.now()));
            const started = Date.now();
            const promoted = await promote({ line: line(), from: "staging", to: "prod", tree: tree(), readApplications: reader(), push: true });
            const prod = environmentNamed(line(), "prod", "--to");
            const watched = await watchPromotion({ line: line(), environment: prod, release: SECOND, promotionSha: promoted.sha!, tree: tree(), readApplications: reader(), push: true });
            if (watched.rollout.outcome !== "healthy") throw new Error(`the rollout ended ${watched.rollout.outcome}: ${watched.rollout.reason}`);
            const done = await watch!.untilReleased({ staging: SECOND, prod: SECOND }, COUNTS, 60_000);
            const timeline = await waveTimeline(cp!.kubectl, NAMESPACE, done.prod, waves ? ROLLOUT_WAVES : [], started);
            summary.waves.promoted = timeline;
            summary.promotionSeconds = round((Date.now() - started) / 1000);
            const problems = waveOrderProblems(timeline);
            if (problems.length > 0) throw new Error(problems.join("; "));
            const trailers = git!.log(["-1", "--format=%(trailers:only,unfold)", promoted.sha!]);
            if (!/Promoted-From: staging/.test(trailers) || !new RegExp(`Release: image.tag=${SECOND.replace(/\./g, "\\.")}`).test(trailers)) throw new Error(`the promotion commit's trailers: ${trailers}`);
            return `commit ${promoted.sha!.slice(0, 12)}; ${waves ? `${describe(timeline)}; ` : ""}${summary.promotionSeconds} s in all`;
        });
        if (!waves) return summary;
        await run.step("a release that never becomes Healthy stops at the canary wave, the rest untouched, and is rolled back by a new commit", async () => {
            const bad = `${SECOND}-${NEVER_READY_IMAGE_MARK}`;
            const started = Date.now();
            const sha = git!.commitChange(releaseFile("prod"), () => `image:\n  tag: "${bad}"\n`, `Hotfix ${bad} straight to prod`, null);
            const prod = environmentNamed(line(), "prod", "--to");
            const watched = await watchPromotion({ line: line(), environment: prod, release: bad, promotionSha: sha, tree: tree(), readApplications: reader(), push: true });
            if (watched.rollout.outcome !== "failed" || !watched.rollback) throw new Error(`expected the canary to fail its wave and a rollback, got ${watched.rollout.outcome}: ${watched.rollout.reason ?? ""}`);
            const failedAt = Date.now();
            const canary = ROLLOUT_FLEET.find((c) => c.labels.wave === "canary")!.name;
            if (watched.rollout.failedApplication !== `${canary}-${applicationOf("prod")}`) throw new Error(`the failed Application is ${watched.rollout.failedApplication}, not the canary's`);
            // Nothing after the canary synced the failing release: their pods still run the release before.
            const images = await imagesOn(prodClusters.filter((c) => c !== canary));
            const touched = Object.entries(images).filter(([, tag]) => tag !== SECOND);
            if (touched.length > 0) throw new Error(`clusters after the canary took the failing release: ${JSON.stringify(images)}`);
            // The watch follows the rollback as `npm run promote --watch` does: an Application that took the failed
            // release from a target RollingSync recorded before the rollback is synced to the rollback commit.
            const recovery = await followRollback({ environment: prod, release: SECOND, readApplications: reader(), holdsRelease: releaseCheck(tree(), prod) }, bad, watched.rollback.sha!, clusterSyncer(cluster()));
            if (recovery.outcome !== "healthy") throw new Error(`after the rollback: ${recovery.reason}`);
            summary.resyncedAfterRollback = recovery.resynced;
            await watch!.untilReleased({ prod: SECOND }, COUNTS, 60_000);
            const healed = await imagesOn(prodClusters);
            const off = Object.entries(healed).filter(([, tag]) => tag !== SECOND);
            if (off.length > 0) throw new Error(`after the rollback prod clusters run ${JSON.stringify(healed)}`);
            summary.failingRelease = { failedAfterSeconds: round((failedAt - started) / 1000), rollbackSyncedSeconds: round((Date.now() - failedAt) / 1000) };
            return `${watched.rollout.reason}; rollback ${watched.rollback.sha!.slice(0, 12)} (Rolled-Back: ${watched.rollback.undone.slice(0, 12)}) Synced and Healthy on every prod cluster ${summary.failingRelease.rollbackSyncedSeconds} s after the failure (failure found ${summary.failingRelease.failedAfterSeconds} s after the commit); synced to the rollback by the watch: ${recovery.resynced.join(", ") || "none"}`;
        });
        await run.step("npm run promote --rollback returns prod to the verified release before, as a new commit", async () => {
            const before = git!.log(["--format=%H", "main"]).trim().split("\n").length;
            const undone = rollback({ line: line(), environment: "prod", tree: tree(), reason: "e2e: back to the release before", push: true });
            if (undone.release !== FIRST) throw new Error(`rolled back to ${undone.release}, expected ${FIRST} (the failing release and its rollback are passed over)`);
            await watch!.untilReleased({ prod: FIRST }, COUNTS, 3 * 60_000);
            const after = git!.log(["--format=%H", "main"]).trim().split("\n").length;
            if (after !== before + 1) throw new Error(`history went from ${before} to ${after} commits: a rollback adds one`);
            return `prod back on ${FIRST} by ${undone.sha!.slice(0, 12)}, history kept`;
        });
        if (options.clusterDown === false) return summary;
        await run.step("a prod cluster's API server killed: its Application shows the error, a staging release commits and syncs meanwhile, and once the server is back the Application recovers alone", async () => {
            const prod = ROLLOUT_FLEET.filter((c) => c.labels.group === "prod");
            const victim = prod[prod.length - 1].name;
            const victimApp = `${victim}-${applicationOf("prod")}`;
            const stagingApp = `${ROLLOUT_FLEET.find((c) => c.labels.group === "staging")!.name}-${applicationOf("staging")}`;
            const api = fleet!.clusters.find((c) => c.name === victim)!;
            const app = (name: string) => cp!.kubectl.get<ArgoApplication>(["applications.argoproj.io", name, "-n", NAMESPACE]);
            const settled = (a: ArgoApplication | undefined, revision?: string) =>
                a?.status?.sync?.status === "Synced" && a.status.health?.status === "Healthy" && applicationError(a) === "" && (revision === undefined || a.status.sync.revision === revision);
            await api.process.signal("SIGKILL");
            try {
                const committed = Date.now();
                // The push's hook asks every Application for a refresh: the victim's finds its cluster gone.
                const sha = git!.commitChange(releaseFile("staging"), () => `image:\n  tag: "${THIRD}"\n`, `Release ${THIRD} to staging`, null);
                await pollUntil(async () => settled(await app(stagingApp), sha), 180_000, `${stagingApp} Synced and Healthy on ${sha.slice(0, 12)} while ${victim} is down`);
                const stagingSynced = round((Date.now() - committed) / 1000);
                let shown = "";
                let seen: ArgoApplication | undefined;
                await pollUntil(async () => (shown = applicationError((seen = await app(victimApp)))) !== "", 180_000, `${victimApp} to show that ${victim} cannot be reached`, () => JSON.stringify(seen?.status ?? {}).slice(0, 1500));
                summary.clusterDown = { cluster: victim, stagingSyncedSeconds: stagingSynced, shown, recoveredSeconds: 0 };
            } finally {
                if (!api.process.running()) await api.restart();
            }
            const back = Date.now();
            let last: ArgoApplication | undefined;
            await pollUntil(async () => settled((last = await app(victimApp))), 300_000, `${victimApp} to recover alone`, () => JSON.stringify(last?.status ?? {}).slice(0, 1500));
            summary.clusterDown.recoveredSeconds = round((Date.now() - back) / 1000);
            const images = await imagesOn([victim]);
            if (images[victim] !== FIRST) throw new Error(`${victim} runs ${images[victim]} after its outage, not ${FIRST}`);
            const d = summary.clusterDown;
            return `${victimApp} showed "${d.shown}"; staging synced ${THIRD} ${d.stagingSyncedSeconds} s after its commit (${summary.stagingSyncedSeconds} s with every cluster up); ${victim} back, its Application Synced and Healthy ${d.recoveredSeconds} s later, on ${FIRST}`;
        });
    } finally {
        for (const p of [...controllers].reverse()) await p.stop();
        await fleet?.stop();
        for (const p of [...(cp?.processes ?? [])].reverse()) await p.stop();
    }
    return summary;
}

function describe(timeline: WaveTimeline[]): string {
    return timeline.map((w) => `${w.wave} (${w.applications}) synced ${w.firstSynced} s, Healthy ${w.lastHealthy} s`).join("; ");
}

function rssMiB(pid: number): number {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
    return kb / 1024;
}
