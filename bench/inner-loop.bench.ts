/**
 * The inner loop a platform engineer repeats all day, on the real CLI, engine and local loop: each
 * figure beside its goal, beside what it was before this work (measured on the same kind of machine
 * at commit fdfd829, the figures below) and beside its floor, the same command on a bare program that
 * registers nothing (under the same CLI, with the policy pack where the figure has it):
 *   - `pulumi preview --expect-no-changes` of the committed local stack (rendered to a directory, no
 *     cluster), with and without the policy pack; with the pack, its argocd-crds stack's (Argo CD's
 *     CRDs, a stack of their own since issue 26) and the platform stack's as it was, the CRDs in its chart;
 *   - on the loop `npm run up` made: a no-change preview, and a no-change `pulumi up` as npm run up
 *     runs it (`--skip-preview`) beside the CLI's default (a preview first);
 *   - `npm run up` warm, from nothing to every Application settled (Synced and Healthy, or failing
 *     only for want of the internet), its two `pulumi up` steps (the CRDs', the platform's) apart;
 *   - `npm run down`.
 * Medians of INNER_LOOP_RUNS (default 2) runs for the previews and the no-change ups. Then where one
 * preview of each kind spends its time, from the CLI's own log (bench/preview-phases.ts). Figures
 * only, never asserted: the machines are shared and noisy.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { ARGOCD_CRDS_PROJECT, upArgoCdCrds } from "../tools/engine/argocd-crds-stack";
import { CliResult, EngineWorkspace, runPulumi } from "../tools/engine/pulumi-cli";
import { renderingTo, writeLocalStackFile } from "../tools/local-cluster/local-stack";
import { loopLayout, readLoopState } from "../tools/local-cluster/loop-state";
import { benchStack } from "./bench-stack";
import { PreviewPhases, previewPhases } from "./preview-phases";
import { printTable, recordResults, ROOT } from "./results";

const RUNS = Number(process.env.INNER_LOOP_RUNS ?? 2);
const WORK = path.join(ROOT, "out", "bench", "inner-loop");
const PACK = ["--policy-pack", path.join(ROOT, "policies", "launch"), "--policy-pack-config", path.join(ROOT, "policies", "config", "local.json")];

/** Seconds, measured before issue 26's work on this kind of machine, warm caches. */
const BEFORE: Record<string, number | undefined> = {
    // The previews and the no-change up: this bench at 938bf58 (program and pack as at fdfd829,
    // TypeScript's transpiler; the issue measured 14.6 s rendered, the machine's load varies).
    previewRendered: 22.7,
    previewRenderedNoPack: 17.9,
    previewLoop: 29.2,
    upLoop: 27.9,
    // At fdfd829:
    // The first up of npm run up, a preview before the update: 78.5 s (69.4 s on a second run).
    firstUp: 78.5,
    // Of which 68 s were install.sh re-making the Argo CD stand-in chart (a quadratic awk).
    npmRunUp: 180.6,
    // pulumi destroy 52.5 s, then 16 processes stopped one after the other.
    npmRunDown: 90.2,
};
/** Issue 26's goals, in seconds. */
const GOAL: Record<string, number | undefined> = { previewRendered: 5, previewLoop: 5, upLoop: 15, npmRunUp: 30, npmRunDown: 10 };

interface Row {
    key: string;
    what: string;
    seconds: number;
    floor?: number;
}

const round = (n: number) => Math.round(n * 10) / 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function must(ws: EngineWorkspace, args: string[], input?: string): Promise<CliResult> {
    const r = await runPulumi(ws, args, { input });
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} failed (exit ${r.code}):\n${`${r.stdout}\n${r.stderr}`.trim().split("\n").slice(-30).join("\n")}`);
    return r;
}

/** One more run with the CLI's log on, split into its phases (the log itself costs a little). */
async function phases(ws: EngineWorkspace, args: string[]): Promise<PreviewPhases> {
    const r = await must(ws, [...args, "-v=7", "--logtostderr"]);
    return previewPhases(r.stderr, r.seconds);
}

async function medianSeconds(ws: EngineWorkspace, args: string[]): Promise<number> {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push((await must(ws, args)).seconds);
    return round(median(times));
}

/** A program that registers nothing but its stack, run by the same CLI from the project's node_modules and tools. */
async function bareProgram(): Promise<{ ws: EngineWorkspace; stack: string[] }> {
    const dir = path.join(WORK, "bare");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: bare\nruntime: nodejs\n");
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "bare", main: "index.js" }));
    fs.writeFileSync(path.join(dir, "index.js"), 'require("@pulumi/pulumi");\n');
    for (const link of ["node_modules", ".tools"]) fs.symlinkSync(path.join(ROOT, link), path.join(dir, link));
    const ws: EngineWorkspace = { projectRoot: dir, backendDir: path.join(WORK, "bare-backend"), passphrase: "bench-only" };
    fs.mkdirSync(ws.backendDir, { recursive: true });
    await must(ws, ["stack", "init", "bare", "--secrets-provider", "passphrase"]);
    const stack = ["--stack", "bare"];
    await must(ws, ["up", "--yes", "--skip-preview", ...stack]);
    return { ws, stack };
}

/**
 * The committed local stack (changed by `change`), rendered to `dir`/rendered, its state and stack
 * file in `dir`: initialised and brought up once (its argocd-crds stack first, when it has one), so
 * that previews find nothing to change.
 */
async function renderedStack(dir: string, change: (platform: Record<string, unknown>) => void = () => undefined): Promise<{ ws: EngineWorkspace; stack: string[] }> {
    const configFile = path.join(dir, "Pulumi.local.yaml");
    writeLocalStackFile(ROOT, configFile, (platform) => {
        renderingTo(path.join(dir, "rendered"))(platform);
        change(platform);
    });
    const { ws, stack } = benchStack(ROOT, dir, configFile);
    await upArgoCdCrds(ws, stack, PACK);
    await must(ws, ["stack", "init", "local", "--secrets-provider", "passphrase"]);
    await must(ws, ["up", "--yes", "--skip-preview", ...stack, ...PACK]);
    return { ws, stack };
}

/** `npm run <script>`: its wall time and the seconds its progress lines report. */
function npmRun(script: string): { seconds: number; lines: string[] } {
    const t0 = performance.now();
    const r = spawnSync("npm", ["run", "--silent", script], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const seconds = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`npm run ${script} failed (exit ${r.status}):\n${`${r.stdout}\n${r.stderr}`.trim().split("\n").slice(-30).join("\n")}`);
    return { seconds, lines: r.stdout.split("\n") };
}

/** The seconds of the progress line `<prefix>... (<s> s)`. */
function stepSeconds(lines: string[], prefix: string): number {
    const line = lines.find((l) => l.startsWith(prefix));
    const m = line && /\((\d+(?:\.\d+)?) s\)$/.exec(line);
    if (!m) throw new Error(`no progress line "${prefix}" in:\n${lines.join("\n")}`);
    return Number(m[1]);
}

async function main(): Promise<void> {
    const loop = loopLayout(ROOT);
    if (readLoopState(loop)) throw new Error(`a local loop is running (${loop.state}): npm run down first, the bench starts its own`);
    fs.rmSync(WORK, { recursive: true, force: true });
    fs.mkdirSync(WORK, { recursive: true });
    const rows: Row[] = [];
    const profiles: { what: string; phases: PreviewPhases }[] = [];
    try {
        const bare = await bareProgram();
        const floorPreview = await medianSeconds(bare.ws, ["preview", ...bare.stack]);
        const floorPreviewPack = await medianSeconds(bare.ws, ["preview", ...bare.stack, ...PACK]);
        const floorUpPack = await medianSeconds(bare.ws, ["up", "--yes", "--skip-preview", ...bare.stack, ...PACK]);
        profiles.push({ what: "bare program, pack", phases: await phases(bare.ws, ["preview", ...bare.stack, ...PACK]) });

        const { ws: rendered, stack: local } = await renderedStack(WORK);
        rows.push({ key: "previewRendered", what: "preview, no change, local stack rendered, with the pack", seconds: await medianSeconds(rendered, ["preview", "--expect-no-changes", ...local, ...PACK]), floor: floorPreviewPack });
        rows.push({ key: "previewRenderedNoPack", what: "  the same without the pack", seconds: await medianSeconds(rendered, ["preview", "--expect-no-changes", ...local]), floor: floorPreview });
        profiles.push({ what: "rendered, pack", phases: await phases(rendered, ["preview", "--expect-no-changes", ...local, ...PACK]) });
        profiles.push({ what: "rendered, no pack", phases: await phases(rendered, ["preview", "--expect-no-changes", ...local]) });

        // Argo CD's CRDs have a stack of their own (docs/adr-0011): its preview, run when Argo CD's
        // release changes, and the platform stack as it was, the chart installing them.
        const crdsPreview = ["--cwd", ARGOCD_CRDS_PROJECT, "preview", "--expect-no-changes", ...local, ...PACK];
        rows.push({ key: "previewRenderedCrdsStack", what: "  the argocd-crds stack's (run when Argo CD's release changes)", seconds: await medianSeconds(rendered, crdsPreview), floor: floorPreviewPack });
        const { ws: inChart, stack: inChartStack } = await renderedStack(path.join(WORK, "crds-in-chart"), (platform) => {
            platform.argocd = { ...(platform.argocd as Record<string, unknown>), crds: { installedBy: "chart" } };
        });
        rows.push({ key: "previewRenderedCrdsInChart", what: "  the platform stack's with the CRDs in its chart (as before)", seconds: await medianSeconds(inChart, ["preview", "--expect-no-changes", ...inChartStack, ...PACK]), floor: floorPreviewPack });

        const up = npmRun("up");
        try {
            const firstUp = stepSeconds(up.lines, "up: pulumi up --stack local");
            const crdsUp = stepSeconds(up.lines, "up: pulumi up of Argo CD's CRDs");
            const applications = stepSeconds(up.lines, "up: Applications synced");
            rows.push({ key: "previewLoop", what: "preview, no change, on the loop, with the pack", seconds: await medianSeconds(loop.ws, ["preview", "--expect-no-changes", ...loop.stackArgs, ...loop.policyArgs]), floor: floorPreviewPack });
            profiles.push({ what: "on the loop, pack", phases: await phases(loop.ws, ["preview", "--expect-no-changes", ...loop.stackArgs, ...loop.policyArgs]) });
            rows.push({ key: "upLoop", what: "pulumi up, no change, on the loop (--skip-preview)", seconds: await medianSeconds(loop.ws, ["up", "--yes", "--skip-preview", ...loop.stackArgs, ...loop.policyArgs]), floor: floorUpPack });
            rows.push({ key: "upLoopWithPreview", what: "  the same with the CLI's preview first", seconds: await medianSeconds(loop.ws, ["up", "--yes", ...loop.stackArgs, ...loop.policyArgs]) });
            rows.push({ key: "npmRunUp", what: "npm run up, warm, to every Application settled", seconds: round(up.seconds), floor: round(up.seconds - firstUp - crdsUp + floorUpPack) });
            rows.push({ key: "crdsUp", what: "  its pulumi up of Argo CD's CRDs (argocd-crds)", seconds: crdsUp, floor: floorUpPack });
            rows.push({ key: "firstUp", what: "  its pulumi up of the platform stack", seconds: firstUp, floor: floorUpPack });
            rows.push({ key: "applicationsSettled", what: "  its wait for the Applications after Argo CD started", seconds: applications });
        } finally {
            const down = npmRun("down");
            rows.push({ key: "npmRunDown", what: "npm run down", seconds: round(down.seconds) });
        }
    } finally {
        fs.rmSync(WORK, { recursive: true, force: true });
    }

    const cell = (n?: number) => (n === undefined ? "-" : `${n.toFixed(1)} s`);
    printTable([
        ["", "now", "goal", "before", "floor", "now/goal"],
        ...rows.map((r) => [r.what, cell(r.seconds), cell(GOAL[r.key]), cell(BEFORE[r.key]), cell(r.floor), GOAL[r.key] ? `${(r.seconds / GOAL[r.key]!).toFixed(1)}x` : ""]),
    ]);
    process.stdout.write("  floor: the same command on a bare program that registers nothing (npm run up's: its other steps plus the bare up)\n");
    process.stdout.write("\n  where a no-change preview's time goes (seconds, one run each with -v=7; bench/preview-phases.ts):\n");
    const phaseNames = ["start", "load", "register", "chart", "settle", "finish", "total"] as const;
    printTable([["phase", ...profiles.map((p) => p.what)], ...phaseNames.map((name) => [name === "chart" ? "  of it the Argo CD chart" : name, ...profiles.map((p) => (p.phases[name] === null ? "-" : String(p.phases[name])))])]);
    process.stdout.write("  before: measured on this kind of machine at fdfd829 (npm run up, down) and 938bf58 (the previews and the no-change up, before swc)\n");
    recordResults({
        innerLoop: Object.fromEntries(rows.map((r) => [r.key, { seconds: r.seconds, goal: GOAL[r.key] ?? null, before: BEFORE[r.key] ?? null, floor: r.floor ?? null }])),
        innerLoopPreviewPhases: Object.fromEntries(profiles.map((p) => [p.what, p.phases])),
    });
}

main().catch((e: Error) => {
    process.stderr.write(`inner-loop bench: ${e.message}\n`);
    process.exit(1);
});
