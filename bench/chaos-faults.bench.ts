/**
 * Every fault of the loop measured (issue 30): `npm run chaos` itself, run here (the loop's basics,
 * then each fault of tools/chaos/faults.ts once; `CHAOS_FAULTS_ROUNDS` for more), and from its
 * summary the seconds from each fault cleared to the loop converged. bench/chaos.bench.ts measures
 * how a controller kill's convergence grows with the number of Applications. Figures, never a limit:
 * a fault that fails is listed as failed, with its step's first line.
 *
 * About 30 minutes: the faults that wait for Argo CD's own reconciliation take minutes each. CI
 * skips it with the chaos bench (`--skip chaos`); its figures are in the README.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { printTable, recordResults, ROOT } from "./results";

interface ChaosSummary {
    faults: { fault: string; convergedSeconds: number; seen: string[] }[];
    steps: { name: string; ok: boolean; seconds: number; note?: string }[];
}

const SUMMARY = path.join(ROOT, "out", "chaos", "summary.json");
const rounds = Number(process.env.CHAOS_FAULTS_ROUNDS ?? 1);

const started = Date.now();
fs.rmSync(SUMMARY, { force: true });
const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "test", "e2e", "run.ts"), "--phase", "chaos", "--rounds", String(rounds)], { cwd: ROOT, stdio: "inherit" });
if (!fs.existsSync(SUMMARY)) throw new Error(`npm run chaos wrote no ${path.relative(ROOT, SUMMARY)} (exit ${run.status ?? run.signal})`);
const summary = JSON.parse(fs.readFileSync(SUMMARY, "utf8")) as ChaosSummary;
const failed = summary.steps.filter((s) => s.name.startsWith("fault: ") && !s.ok).map((s) => ({ fault: s.name.slice("fault: ".length), why: (s.note ?? "").split("\n")[0] }));
const faults = summary.faults.map((f) => ({ fault: f.fault, convergedSeconds: f.convergedSeconds }));
const totalSeconds = Math.round((Date.now() - started) / 100) / 10;

console.log(`\nchaos faults: each fault once${rounds > 1 ? ` (${rounds} rounds)` : ""}, seconds from cleared to converged (the whole run ${totalSeconds} s)`);
printTable([["fault", "converged s"], ...faults.map((f) => [f.fault, String(f.convergedSeconds)]), ...failed.map((f) => [f.fault, `FAILED: ${f.why.slice(0, 120)}`])]);
recordResults({ chaosFaults: { rounds, faults, failed, totalSeconds } });
