/**
 * Argo CD's parts failing mid-work: the application controller killed between two sync waves, the
 * repo server killed while it renders, Redis restarted empty, the ApplicationSet controller killed
 * while it generates. After each, the loop must converge with nothing lost and nothing stuck.
 */
import { pollUntil, sleep } from "../local-cluster/managed-process";
import { ChaosLoop, commitMessage, convergedOn, FaultReport, liveMessage, secondsSince, watchLoop } from "./chaos-loop";

interface ManagedFieldsEntry {
    manager: string;
    time?: string;
}
interface Obj {
    metadata: { name: string; uid: string; generation?: number; managedFields?: ManagedFieldsEntry[]; ownerReferences?: { kind: string }[] };
}

/**
 * SIGKILL once the sync's first wave (the ConfigMap, wave -1) is applied and before the next: the
 * Deployment must still follow, in order, after the restart.
 */
export async function applicationControllerKilledMidSync(loop: ChaosLoop): Promise<FaultReport> {
    const controller = loop.process("argocd-application-controller");
    const generation = async () => (await loop.kubectl.get<Obj>(["deployment", loop.app, "-n", loop.appNamespace]))?.metadata.generation;
    const before = await generation();
    const change = await commitMessage(loop, "controller killed mid-sync");
    await pollUntil(async () => (await liveMessage(loop)) === change.message, 180_000, "the sync's first wave (the ConfigMap) to be applied");
    await controller.signal("SIGKILL");
    const atKill = await generation();
    loop.log(`application controller SIGKILLed after the first wave (Deployment generation ${before} -> ${atKill}); restarted in 5 s`);
    const watch = watchLoop(loop);
    await sleep(5000);
    await controller.restart();
    const cleared = Date.now();
    const checked = await convergedOn(loop, change);
    const convergedSeconds = secondsSince(cleared);
    const seen = await watch.stop();
    // Waves in order: Argo CD applied the ConfigMap no later than the Deployment (managedFields' times, to the second).
    const appliedAt = async (kind: string) => {
        const o = await loop.kubectl.get<Obj>([kind, loop.app, "-n", loop.appNamespace, "--show-managed-fields"]);
        return o?.metadata.managedFields?.filter((m) => m.manager === "argocd-controller").map((m) => m.time ?? "").sort().pop() ?? "";
    };
    const [configMapAt, deploymentAt] = [await appliedAt("configmap"), await appliedAt("deployment")];
    if (!configMapAt || !deploymentAt || configMapAt > deploymentAt) throw new Error(`sync waves out of order: the ConfigMap (wave -1) applied at ${configMapAt || "?"}, the Deployment (wave 0) at ${deploymentAt || "?"}`);
    return {
        fault: "the application controller SIGKILLed between two sync waves",
        convergedSeconds,
        seen,
        checked: [
            atKill === before ? "killed with the ConfigMap (wave -1) applied and the Deployment (wave 0) not yet: a half-applied sync" : "the Deployment was already applied at the kill (the waves were quicker than the kill)",
            ...checked,
            `waves in order: the ConfigMap applied at ${configMapAt}, the Deployment at ${deploymentAt}`,
        ],
    };
}

/** SIGKILL right after a hard refresh asks it to render the new commit; restarted 10 s later. */
export async function repoServerKilledWhileRendering(loop: ChaosLoop): Promise<FaultReport> {
    const repoServer = loop.process("argocd-repo-server");
    const change = await commitMessage(loop, "repo server killed while rendering");
    await repoServer.signal("SIGKILL");
    const watch = watchLoop(loop);
    await sleep(10_000);
    const unchanged = (await liveMessage(loop)) !== change.message;
    await repoServer.restart();
    const cleared = Date.now();
    const checked = await convergedOn(loop, change);
    return {
        fault: "the repo server SIGKILLed while it renders a new commit",
        convergedSeconds: secondsSince(cleared),
        seen: await watch.stop(),
        checked: [unchanged ? "nothing of the commit reached the cluster while no repo server rendered" : "the commit had been rendered before the kill", ...checked],
    };
}

/** Redis killed and started again with nothing in it (Argo CD's cache: its loss must only cost time). */
export async function redisRestartedEmpty(loop: ChaosLoop): Promise<FaultReport> {
    const redis = loop.process("redis-server");
    const watch = watchLoop(loop);
    await redis.signal("SIGKILL");
    await sleep(3000);
    await redis.restart();
    const cleared = Date.now();
    const change = await commitMessage(loop, "after Redis restarted empty");
    const checked = await convergedOn(loop, change);
    return { fault: "Redis SIGKILLed and restarted empty, then a commit", convergedSeconds: secondsSince(cleared), seen: await watch.stop(), checked };
}

/**
 * A generated Application deleted, and the ApplicationSet controller SIGKILLed as it starts to make
 * it again: after the restart the same set exists, once each, and the others kept their UIDs.
 */
export async function applicationSetControllerKilledWhileGenerating(loop: ChaosLoop): Promise<FaultReport> {
    const controller = loop.process("argocd-applicationset-controller");
    const generated = async () => {
        const list = await loop.kubectl.get<{ items: Obj[] }>(["applications.argoproj.io", "-n", loop.namespace]);
        return (list?.items ?? []).filter((a) => a.metadata.ownerReferences?.some((o) => o.kind === "ApplicationSet"));
    };
    const before = await generated();
    if (before.length === 0) throw new Error("no generated Application to work on: the ApplicationSets generated nothing");
    const victim = before[0].metadata.name;
    const watch = watchLoop(loop);
    await loop.kubectl.run(["delete", "applications.argoproj.io", victim, "-n", loop.namespace, "--wait=false"]);
    await sleep(300);
    await controller.signal("SIGKILL");
    await sleep(5000);
    await controller.restart();
    const cleared = Date.now();
    let after: Obj[] = [];
    await pollUntil(
        async () => {
            after = await generated();
            const names = after.map((a) => a.metadata.name).sort();
            return names.join() === before.map((a) => a.metadata.name).sort().join() && after.find((a) => a.metadata.name === victim)?.metadata.uid !== before[0].metadata.uid;
        },
        180_000,
        `the ApplicationSet controller to generate ${victim} again`,
        () => after.map((a) => a.metadata.name).join(", "),
    );
    const convergedSeconds = secondsSince(cleared);
    const kept = before.slice(1).filter((b) => after.some((a) => a.metadata.uid === b.metadata.uid)).length;
    if (kept !== before.length - 1) throw new Error(`${before.length - 1 - kept} generated Applications were made again, not kept`);
    return {
        fault: "the ApplicationSet controller SIGKILLed while it generates a deleted Application again",
        convergedSeconds,
        seen: await watch.stop(),
        checked: [`the ${after.length} generated Applications again, each once: ${victim} made again, the other ${kept} kept their UIDs`],
    };
}
