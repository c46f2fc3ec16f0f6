/**
 * The Git server failing under Argo CD: down (connections refused), hung (connections accepted, no
 * answer), slow (latency injected between them), and history rewritten under the synced revision by
 * a force-push.
 */
import { pollUntil, sleep } from "../local-cluster/managed-process";
import { ChaosLoop, commitMessage, convergedOn, FaultReport, liveMessage, refresh, secondsSince, VALUES_FILE, watchLoop } from "./chaos-loop";

/** The server SIGKILLed, a commit landing in the repository meanwhile, the server back after `downMs`. */
export async function gitServerDown(loop: ChaosLoop, downMs = 20_000): Promise<FaultReport> {
    const server = loop.process("git-server");
    const watch = watchLoop(loop);
    await server.signal("SIGKILL");
    const change = await commitMessage(loop, "a commit while the Git server is down");
    await sleep(downMs);
    const unchanged = (await liveMessage(loop)) !== change.message;
    await server.restart();
    const cleared = Date.now();
    // No refresh now: the push's webhook came while Git was down; Argo CD finds the commit alone.
    const checked = await convergedOn(loop, change);
    return {
        fault: `the Git server down for ${downMs / 1000} s (connections refused) while a commit lands`,
        convergedSeconds: secondsSince(cleared),
        seen: await watch.stop(),
        checked: [unchanged ? "the cluster kept the last synced commit while Git was down" : "the commit was fetched before the server went down", ...checked],
    };
}

/**
 * The server stopped (SIGSTOP) for `hungMs`: the kernel still accepts connections, nothing answers,
 * so every fetch waits on its timeout. Then continued (SIGCONT).
 */
export async function gitServerHung(loop: ChaosLoop, hungMs = 30_000): Promise<FaultReport> {
    const server = loop.process("git-server");
    const watch = watchLoop(loop);
    // Committed straight into the served repository: the server is not needed to push.
    const change = await commitMessage(loop, "a commit while the Git server hangs", { refresh: false });
    await server.signal("SIGSTOP");
    try {
        await refresh(loop);
        await sleep(hungMs);
    } finally {
        await server.signal("SIGCONT");
    }
    const cleared = Date.now();
    // No refresh now: the push's webhook came while Git hung; Argo CD finds the commit alone.
    const checked = await convergedOn(loop, change);
    return { fault: `the Git server hung for ${hungMs / 1000} s (connections accepted, no answer) while a commit lands`, convergedSeconds: secondsSince(cleared), seen: await watch.stop(), checked };
}

/**
 * The Git server slow: every answer `latencyMs` late, injected by the Toxiproxy that stands between
 * Argo CD and the server, while a commit lands; it syncs, later. Then the delay is lifted and the
 * next commit syncs at the usual pace.
 */
export async function gitServerSlow(loop: ChaosLoop, latencyMs = 1000): Promise<FaultReport> {
    const watch = watchLoop(loop);
    await loop.gitProxy.slow(latencyMs);
    let whileSlow: { seconds: number; checked: string[] };
    try {
        const started = Date.now();
        const change = await commitMessage(loop, "a commit while the Git server is slow");
        const checked = await convergedOn(loop, change);
        whileSlow = { seconds: secondsSince(started), checked };
    } finally {
        await loop.gitProxy.clear();
    }
    const cleared = Date.now();
    const next = await commitMessage(loop, "a commit once the Git server is fast again");
    const checked = await convergedOn(loop, next);
    return {
        fault: `the Git server slow (every answer ${latencyMs} ms late, through Toxiproxy) while a commit lands, then fast again`,
        convergedSeconds: secondsSince(cleared),
        seen: [`the commit made while Git was slow synced in ${whileSlow.seconds} s`, ...(await watch.stop())],
        checked: [`while slow: ${whileSlow.checked[0]}`, ...checked],
    };
}

/**
 * History rewritten under the synced revision: the branch force-pushed to an unsigned commit in
 * place of the synced one (refused: the project verifies signatures strictly, and the cluster keeps
 * the synced commit), then to a signed rewrite (synced to the new head, as documented).
 */
export async function forcePushUnderSyncedRevision(loop: ChaosLoop): Promise<FaultReport> {
    const synced = loop.git.head();
    const parent = loop.git.log(["-1", "--format=%H", `${synced}~1`]).trim();
    const keptMessage = await liveMessage(loop);
    const watch = watchLoop(loop);
    const edit = (message: string) => (text: string) => text.replace(/PODINFO_UI_MESSAGE: .*/, `PODINFO_UI_MESSAGE: "${message}"`);
    loop.git.resetTo(parent);
    const unsignedMessage = `an unsigned rewrite ${Date.now()}`;
    const unsigned = loop.git.commitChange(VALUES_FILE, edit(unsignedMessage), "chaos: rewrite history, unsigned", null);
    await refresh(loop);
    let why = "";
    await pollUntil(
        async () => {
            const app = await loop.kubectl.get<{ status?: { conditions?: { message: string }[]; operationState?: { message?: string } } }>(["applications.argoproj.io", loop.app, "-n", loop.namespace]);
            why = [...(app?.status?.conditions ?? []).map((c) => c.message), app?.status?.operationState?.message ?? ""].find((m) => m.includes(unsigned.slice(0, 7)) || /unsigned/i.test(m)) ?? "";
            return why !== "";
        },
        180_000,
        `${loop.app} to refuse the unsigned rewrite ${unsigned.slice(0, 12)}`,
    );
    // Give a sync the time it would take: the cluster must still hold the synced commit's message.
    await sleep(10_000);
    const live = await liveMessage(loop);
    if (live !== keptMessage) throw new Error(`the unsigned rewrite reached the cluster: the ConfigMap says "${live}"`);
    loop.git.resetTo(parent);
    const cleared = Date.now();
    const signedMessage = `a signed rewrite ${Date.now()}`;
    const signed = loop.git.commitChange(VALUES_FILE, edit(signedMessage), "chaos: rewrite history, signed");
    await refresh(loop);
    const checked = await convergedOn(loop, { commit: signed, message: signedMessage });
    return {
        fault: "a force-push rewriting history under the synced revision: unsigned (refused), then signed (synced)",
        convergedSeconds: secondsSince(cleared),
        seen: [...(await watch.stop()), `refusal: ${why.replace(/\s+/g, " ").slice(0, 220)}`],
        checked: [`the unsigned rewrite ${unsigned.slice(0, 12)} never reached the cluster (it kept "${keptMessage}" of ${synced.slice(0, 12)})`, ...checked],
    };
}
