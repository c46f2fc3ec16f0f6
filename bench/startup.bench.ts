/**
 * Program start-up as `pulumi preview` pays it: a fresh node process loads the program and runs it
 * (under the plan's mocks here, in place of the engine's gRPC monitor), timed from process start to
 * the first registered resource and to the last registration, for the local and dev stacks, in four
 * ways of loading TypeScript:
 *   - type-check:      ts-node type-checking at run time (ts-node's own default: host 3.68.0
 *                      always asks for TypeScript and @pulumi/pulumi's runner leaves it to ts-node)
 *   - transpile-only:  ts-node without type-checking, TypeScript's own transpiler (the default before swc)
 *   - project default: ts-node as @pulumi/pulumi's runner registers it (`transpileOnly` unset, so
 *                      tsconfig.json's `ts-node` section decides: swc): what `pulumi preview` does now
 *   - precompiled JS:  `tsc` output run by plain node (the build step timed separately)
 * Each registers ts-node exactly as @pulumi/pulumi/cmd/run does (project tsconfig.json). The median
 * of BENCH_STARTUP_RUNS (default 3) runs is reported (type-checking: one run). Goal: at most 1.5 s to the last registration.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { printTable, recordResults, ROOT } from "./results";

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 3);
const STACKS = ["local", "dev"];
const CHILD = path.join(__dirname, "startup-child.ts");
const GOAL_MS = 1500;

interface Startup {
    firstResourceMs: number;
    totalMs: number;
    resources: number;
}

/** node arguments that register ts-node as @pulumi/pulumi/cmd/run does, then run the child. */
function tsNodeArgs(transpileOnly: boolean | undefined, swc?: boolean): string[] {
    const options = { compiler: "typescript", transpileOnly, swc, project: "tsconfig.json", skipProject: false, compilerOptions: {} };
    return ["-e", `require("ts-node").register(${JSON.stringify(options)}); process.argv.splice(1, 0, ${JSON.stringify(CHILD)}); require(${JSON.stringify(CHILD)});`];
}

function runOnce(args: string[], stack: string, extra: string[] = []): Startup {
    const child = spawnSync(process.execPath, [...args, ...(args[0] === "-e" ? ["--"] : []), stack, ...extra], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, GITHUB_SHA: process.env.GITHUB_SHA ?? "0123456789abcdef0123456789abcdef01234567", PULUMI_NODEJS_TRANSPILE_ONLY: "" },
        maxBuffer: 16 * 1024 * 1024,
    });
    if (child.status !== 0) throw new Error(`start-up run failed (exit ${child.status}):\n${child.stderr}`);
    return JSON.parse(child.stdout.trim().split("\n").pop() as string) as Startup;
}

/**
 * The program imports the pack's shared detectors as the workspace package `gitops-platform-policies`,
 * which node finds as a link to `policies/` (TypeScript sources). The compiled copy gets the same
 * link to its own compiled `policies/`, with the files the pack reads at run time beside it.
 */
function linkPolicyPackage(buildDir: string): void {
    for (const file of ["package.json", "PulumiPolicy.yaml", "data"]) {
        fs.cpSync(path.join(ROOT, "policies", file), path.join(buildDir, "policies", file), { recursive: true });
    }
    fs.mkdirSync(path.join(buildDir, "node_modules"), { recursive: true });
    fs.symlinkSync(path.join("..", "policies"), path.join(buildDir, "node_modules", "gitops-platform-policies"));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main(): void {
    // Inside the project, so the compiled modules resolve node_modules as the sources do.
    fs.mkdirSync(path.join(ROOT, "out", "bench"), { recursive: true });
    const buildDir = fs.mkdtempSync(path.join(ROOT, "out", "bench", "precompiled-"));
    try {
        const built = performance.now();
        const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json", "--outDir", buildDir, "--noEmit", "false"], { cwd: ROOT, encoding: "utf8" });
        if (tsc.status !== 0) throw new Error(`tsc failed:\n${tsc.stdout}${tsc.stderr}`);
        const buildSeconds = (performance.now() - built) / 1000;
        linkPolicyPackage(buildDir);
        // Type-checking takes tens of seconds a run here: once is enough to see it.
        const modes: { name: string; runs?: number; run: (stack: string) => Startup }[] = [
            { name: "type-check", runs: 1, run: (s) => runOnce(tsNodeArgs(false, false), s) },
            { name: "transpile-only, TypeScript's transpiler (before)", run: (s) => runOnce(tsNodeArgs(true, false), s) },
            { name: "project default: swc (pulumi preview)", run: (s) => runOnce(tsNodeArgs(undefined), s) },
            { name: "precompiled JS", run: (s) => runOnce([path.join(buildDir, "bench", "startup-child.js")], s, [buildDir]) },
        ];
        const rows = [["stack", "loading", "first resource s", "all registered s", "resources", "goal <= 1.5 s"]];
        const figures: Record<string, unknown>[] = [];
        for (const stack of STACKS) {
            for (const mode of modes) {
                const runs = Array.from({ length: Math.min(RUNS, mode.runs ?? RUNS) }, () => mode.run(stack));
                const first = median(runs.map((r) => r.firstResourceMs));
                const total = median(runs.map((r) => r.totalMs));
                rows.push([stack, mode.name, (first / 1000).toFixed(2), (total / 1000).toFixed(2), String(runs[0].resources), total <= GOAL_MS ? "met" : "missed"]);
                figures.push({ stack, mode: mode.name, firstResourceSeconds: Number((first / 1000).toFixed(2)), totalSeconds: Number((total / 1000).toFixed(2)), runs: runs.length });
            }
        }
        printTable(rows);
        process.stdout.write(`  precompiling (tsc -p tsconfig.json, type-checks the whole project): ${buildSeconds.toFixed(1)} s, paid before every run that uses it\n`);
        recordResults({ startup: figures, precompileSeconds: Number(buildSeconds.toFixed(1)) });
    } finally {
        fs.rmSync(buildDir, { recursive: true, force: true });
    }
}

main();
