/**
 * Progressive delivery on the local fleet (six clusters with nodes; prod five of them), the e2e's
 * scenario (test/e2e/rollout-steps.ts) run twice in one bench: prod in three waves (RollingSync), and
 * prod all at once (automated sync). Figures: each wave's sync and Healthy time, a release across the
 * fleet (first rollout, and a promotion from staging to prod), the overhead of the waves against all
 * at once, and from a failing canary's commit to the failure found and to the rollback synced.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { onExit, stopAll } from "../tools/engine/processes";
import { E2eRun } from "../test/e2e/e2e-run";
import { rolloutSteps, RolloutSummary } from "../test/e2e/rollout-steps";
import { printTable, recordResults, ROOT } from "./results";

async function scenario(allAtOnce: boolean): Promise<RolloutSummary> {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-rollout-bench-"));
    const removeWork = onExit(() => fs.rmSync(work, { recursive: true, force: true }));
    const argocdDir = path.dirname(fs.realpathSync(path.join(ROOT, ".tools", "bin", "argocd")));
    const run = new E2eRun(ROOT, work, { projectRoot: ROOT, backendDir: path.join(work, "backend"), passphrase: "local-stack-only" }, "no-canary-in-the-bench", path.join(argocdDir, "crds"), (line) => process.stdout.write(`    ${line}\n`));
    try {
        const summary = await rolloutSteps(run, { allAtOnce, clusterDown: false });
        const failed = run.steps.find((s) => !s.ok);
        if (failed) throw new Error(`${failed.name}: ${failed.note}`);
        return summary;
    } finally {
        await stopAll();
        fs.rmSync(work, { recursive: true, force: true });
        removeWork();
    }
}

const ratio = (a: number | null, b: number | null) => (a !== null && b ? `${(a / b).toFixed(2)}x` : "n/a");

async function main(): Promise<void> {
    if (!fs.existsSync(path.join(ROOT, ".tools", "bin", "argocd"))) throw new Error("Argo CD is not installed in .tools/bin: run bash tools/install.sh");
    process.stdout.write("  prod in three waves (canary, early, rest):\n");
    const waves = await scenario(false);
    process.stdout.write("  prod all at once:\n");
    const allAtOnce = await scenario(true);
    printTable([
        ["prod", "first rollout s (pulumi up -> all Healthy)", "promotion s (promote -> prod Healthy)", "memory per cluster MiB"],
        ["3 waves", String(waves.firstRolloutSeconds), String(waves.promotionSeconds), String(waves.memoryPerClusterMiB)],
        ["all at once", String(allAtOnce.firstRolloutSeconds), String(allAtOnce.promotionSeconds), String(allAtOnce.memoryPerClusterMiB)],
        ["waves / all at once", ratio(waves.firstRolloutSeconds, allAtOnce.firstRolloutSeconds), ratio(waves.promotionSeconds, allAtOnce.promotionSeconds), ""],
    ]);
    printTable([
        ["rollout", "wave", "Applications", "synced s", "Healthy s", "wave took s"],
        ...Object.entries(waves.waves).flatMap(([name, timeline]) =>
            timeline.map((w, i) => [name, w.wave, String(w.applications), String(w.firstSynced), String(w.lastHealthy), String(Math.round((w.lastHealthy - (i === 0 ? w.firstSynced : timeline[i - 1].lastHealthy)) * 10) / 10)]),
        ),
    ]);
    const f = waves.failingRelease;
    process.stdout.write(`  failing canary: found ${f?.failedAfterSeconds ?? "n/a"} s after its commit (verify window included), rollback Synced and Healthy on every prod cluster ${f?.rollbackSyncedSeconds ?? "n/a"} s later\n`);
    recordResults({ rollout: { waves, allAtOnce } });
}

main().catch((e) => {
    process.stderr.write(`rollout bench: ${(e as Error).message}\n`);
    process.exit(1);
});
