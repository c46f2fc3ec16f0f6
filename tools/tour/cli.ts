// `npm run tour [-- --yes]`: the whole GitOps flow on the local loop, one real step at a time, each
// saying what happened and showing the evidence. In a terminal it waits for Enter between steps;
// with --yes (and in CI) it runs straight through. A failed step stops the tour and says how to go
// on; with --yes the loop is taken down again (nobody is there to look at it).
// Exit codes: 0 every step passed, 1 a step failed, 2 bad input or a loop already running.
import * as fs from "fs";
import * as path from "path";
import * as readline from "readline";
import { cliFlags } from "../cli-flags";
import { readLoopState } from "../local-cluster/loop-state";
import { STEPS } from "./steps";
import { TourContext } from "./tour-context";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const USAGE = "usage: npm run tour [-- --yes]   (--yes: no pause between steps, as in CI)";

interface StepRecord {
    title: string;
    ok: boolean;
    seconds: number;
    said?: string[];
    error?: string;
}

/** Waits for Enter; false if the reader typed q (or closed the input). */
function pause(): Promise<boolean> {
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
    return new Promise((resolve) => {
        let answered = false;
        rl.question("\n  Enter: next step, q: stop here (the loop stays up; npm run down ends it) ", (answer) => {
            answered = true;
            rl.close();
            resolve(answer.trim().toLowerCase() !== "q");
        });
        rl.on("close", () => answered || resolve(false));
    });
}

async function main(argv: string[]): Promise<number> {
    const args = cliFlags("tour", USAGE, argv, { yes: { type: "boolean", default: false } });
    if (typeof args === "number") return args;
    const straight = args.yes === true || process.env.CI === "true" || !process.stdin.isTTY;
    const ctx = new TourContext(PROJECT_ROOT, path.join(PROJECT_ROOT, "out", "tour"));
    if (readLoopState(ctx.layout)) {
        console.error("tour: a local loop is already running (npm run up); the tour brings up its own: npm run down first");
        return 2;
    }
    fs.rmSync(ctx.outDir, { recursive: true, force: true });
    fs.mkdirSync(ctx.outDir, { recursive: true });
    console.log(`The GitOps flow on this machine, in ${STEPS.length} steps. Every command's output: ${ctx.rel(path.join(ctx.outDir, "tour.log"))}.`);
    console.log("Local: the cluster, Argo CD, Git and Pulumi's state are processes and files here; KWOK's node runs no container.");
    const records: StepRecord[] = [];
    const started = Date.now();
    let failed: StepRecord | undefined;
    for (const [i, step] of STEPS.entries()) {
        console.log(`\n[${i + 1}/${STEPS.length}] ${step.title}`);
        const t = Date.now();
        try {
            const told = await step.run(ctx);
            const seconds = Math.round((Date.now() - t) / 100) / 10;
            records.push({ title: step.title, ok: true, seconds, said: told.said });
            for (const sentence of told.said) console.log(`  ${sentence}`);
            for (const command of told.evidence) console.log(`  $ ${command}`);
            console.log(`  (${seconds} s)`);
        } catch (e) {
            const error = (e as Error).message;
            failed = { title: step.title, ok: false, seconds: Math.round((Date.now() - t) / 100) / 10, error };
            records.push(failed);
            console.error(`  FAILED: ${error.replace(/\n/g, "\n  ")}`);
            break;
        }
        if (!straight && i < STEPS.length - 1 && !(await pause())) {
            console.log("\ntour: stopped; the loop is still up: npm run down ends it");
            break;
        }
    }
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    fs.writeFileSync(path.join(ctx.outDir, "summary.json"), JSON.stringify({ seconds, steps: records }, null, 2) + "\n");
    if (!failed) {
        console.log(`\ntour: ${records.length} of ${STEPS.length} steps in ${seconds} s; ${ctx.rel(path.join(ctx.outDir, "summary.json"))}`);
        return 0;
    }
    const up = readLoopState(ctx.layout) !== undefined;
    console.error(`\ntour: step "${failed.title}" failed after ${seconds} s; every command's output is in ${ctx.rel(path.join(ctx.outDir, "tour.log"))}`);
    if (up && straight) {
        console.error("tour: taking the loop down (npm run down)");
        await ctx.run("npm", ["run", "--silent", "down"]);
    } else if (up) {
        console.error("tour: the loop is still up to look at (export KUBECONFIG=.tools/local-cluster/cluster/kubeconfig); npm run down ends it, then npm run tour starts again");
    }
    return 1;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
        console.error(`tour: ${(e as Error).stack ?? e}`);
        process.exit(1);
    },
);
