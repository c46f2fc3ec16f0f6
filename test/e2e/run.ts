/**
 * `npm run e2e`: the program under the real Pulumi engine and, on the local control plane, the
 * real Argo CD. Writes `out/e2e/summary.json`; exits 1 if any step failed.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { installedVersion } from "../../tools/engine/toolchain";
import { stopAll } from "../../tools/engine/processes";
import { filesUnder, findCanary, newCanary } from "./canary";
import { FAULTS } from "../../tools/chaos/faults";
import { E2eRun } from "./e2e-run";
import { engineSteps } from "./engine-steps";
import { LoopSummary, loopSteps } from "./loop-steps";
import { RolloutSummary, rolloutSteps } from "./rollout-steps";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const PHASES = ["all", "engine", "loop", "rollout"];
/** `npm run chaos`: the loop's basics, then every fault `--rounds` times (default 1); not part of `all`, whose loop runs the short version. */
const CHAOS = "chaos";

/**
 * The command line, checked before anything starts (not after minutes of setup):
 * `--phase engine|loop|rollout` runs one phase (while working on it; CI runs all), `--phase chaos
 * [--rounds N] [--only TEXT]` is `npm run chaos`.
 */
function parseArgs(argv: string[]): { phase: string; rounds: number; only?: string } {
    const value = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
    const phase = value("--phase") ?? "all";
    if (![...PHASES, CHAOS].includes(phase)) throw new Error(`--phase ${phase}: expected one of ${[...PHASES, CHAOS].join(", ")}`);
    const rounds = Number(value("--rounds") ?? 1);
    if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds ${value("--rounds")}: expected a whole number of rounds, at least 1`);
    const only = value("--only");
    if (only !== undefined && !FAULTS.some((f) => f.proves.toLowerCase().includes(only.toLowerCase()))) {
        throw new Error(`--only ${only}: no fault's description contains it; they are:\n${FAULTS.map((f) => `  ${f.proves}`).join("\n")}`);
    }
    if (phase !== CHAOS && (value("--rounds") !== undefined || only !== undefined)) throw new Error("--rounds and --only are for --phase chaos (npm run chaos)");
    return { phase, rounds, only };
}

async function main(): Promise<number> {
    const log = (line: string) => console.log(line);
    let args: ReturnType<typeof parseArgs>;
    try {
        args = parseArgs(process.argv.slice(2));
    } catch (e) {
        console.error(`e2e: ${(e as Error).message}`);
        return 2;
    }
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-e2e-"));
    const argocdDir = path.dirname(fs.realpathSync(path.join(PROJECT_ROOT, ".tools", "bin", "argocd")));
    const run = new E2eRun(
        PROJECT_ROOT,
        work,
        { projectRoot: PROJECT_ROOT, backendDir: path.join(work, "backend"), passphrase: "local-stack-only" },
        newCanary(),
        path.join(argocdDir, "crds"),
        log,
    );
    const engine = {
        pulumi: installedVersion(PROJECT_ROOT, "pulumi"),
        kubernetes: installedVersion(PROJECT_ROOT, "pulumi-resource-kubernetes"),
        languageHost: installedVersion(PROJECT_ROOT, "pulumi-language-nodejs"),
    };
    log(`e2e: pulumi ${engine.pulumi}, kubernetes provider ${engine.kubernetes}, Node.js language host ${engine.languageHost}; work dir ${work}`);
    log("e2e: the engine and Argo CD are real; the cluster's nodes are KWOK's (no container runtime here)");
    log("e2e: the argo-cd chart cannot be pulled offline: the local stack installs Argo CD's own manifests from .tools/charts/argo-cd");
    // Undefined until the engine phase runs: a loop-only run says nothing of the policy pack.
    let result: Awaited<ReturnType<typeof engineSteps>> | undefined;
    let loop: LoopSummary | undefined;
    let rollout: RolloutSummary | undefined;
    const committedStacks = stackFilesDigest();
    const phase = args.phase;
    try {
        if (phase === CHAOS) {
            log(`e2e: faults in the GitOps loop, each ${args.rounds} times${args.only ? ` (those with "${args.only}")` : ""}`);
            loop = await loopSteps(run, { groups: "faults", faultRounds: args.rounds, onlyFaults: args.only });
        }
        if (phase === "all" || phase === "engine") {
            log("e2e: the local stack under the real engine, rendering to a directory");
            result = await engineSteps(run);
        }
        if (phase === "all" || phase === "loop") {
            log("e2e: the GitOps loop on the local control plane");
            loop = await loopSteps(run);
        }
        if (phase === "all" || phase === "rollout") {
            log("e2e: progressive delivery on a local fleet with nodes: waves, promotion, a failing release rolled back");
            rollout = await rolloutSteps(run);
        }
        await run.step("the canary is in no output of the loop (CLI, controllers, control plane)", async () => {
            const hits = findCanary(run.canary, { files: filesUnder(run.ws.backendDir), texts: run.outputs() });
            if (hits.length > 0) throw new Error(`the canary appears in: ${hits.join(", ")}`);
        }, { always: true });
        await run.step("the committed stack files are as they were", async () => {
            if (stackFilesDigest() !== committedStacks) throw new Error("a run of the CLI changed or removed a file under stacks/");
        }, { always: true });
    } finally {
        await stopAll();
        const summary = {
            engine,
            phases: phase === "all" ? PHASES.filter((p) => p !== "all") : [phase],
            // null: the engine phase did not run (`--phase loop`), so nothing was measured.
            policyPackUnderCli: result?.policyPackUnderCli ?? null,
            resources: result?.resources ?? null,
            findings: result?.findings.map((f) => ({ policy: f.policy, resource: f.resource })) ?? null,
            ...(loop ?? {}),
            ...(rollout ? { rollout } : {}),
            steps: run.steps,
        };
        // The chaos run's figures beside, not over, the last e2e's.
        const outDir = path.join(PROJECT_ROOT, "out", phase === CHAOS ? "chaos" : "e2e");
        fs.mkdirSync(outDir, { recursive: true });
        // Written whole, then renamed: a reader never sees half a summary.
        fs.writeFileSync(path.join(outDir, "summary.json.tmp"), JSON.stringify(summary, null, 2) + "\n");
        fs.renameSync(path.join(outDir, "summary.json.tmp"), path.join(outDir, "summary.json"));
        // What a reader needs to see what happened: the CLI transcript (the canary check covers it)
        // and, on failure, every server's log.
        fs.rmSync(path.join(outDir, "logs"), { recursive: true, force: true });
        if (fs.existsSync(path.join(work, "transcript.log"))) fs.copyFileSync(path.join(work, "transcript.log"), path.join(outDir, "transcript.log"));
        if (run.hasFailed) {
            for (const part of ["cluster", "argocd", "rollout/hub", "rollout/argocd"]) {
                const logs = path.join(work, part, "logs");
                if (fs.existsSync(logs)) fs.cpSync(logs, path.join(outDir, "logs", part), { recursive: true });
            }
        }
        fs.rmSync(work, { recursive: true, force: true });
    }
    // The reports are an output channel too.
    const leaked = findCanary(run.canary, { files: filesUnder(path.join(PROJECT_ROOT, "out", phase === CHAOS ? "chaos" : "e2e")), texts: {} });
    if (leaked.length > 0) {
        log(`e2e: FAIL the canary appears in ${leaked.join(", ")}`);
        return 1;
    }
    const failed = run.steps.filter((s) => !s.ok);
    log(`e2e: ${run.steps.length - failed.length}/${run.steps.length} steps ok; out/${phase === CHAOS ? "chaos" : "e2e"}/summary.json`);
    return failed.length === 0 ? 0 : 1;
}

/** A digest of every stack file: the CLI rewrites or deletes them unless told not to. */
function stackFilesDigest(): string {
    const h = crypto.createHash("sha256");
    for (const f of fs.readdirSync(path.join(PROJECT_ROOT, "stacks")).filter((n) => n.endsWith(".yaml")).sort()) {
        h.update(f).update(fs.readFileSync(path.join(PROJECT_ROOT, "stacks", f)));
    }
    return h.digest("hex");
}

main().then(
    (code) => process.exit(code),
    (e) => {
        console.error(`e2e: ${(e as Error).stack ?? e}`);
        process.exit(1);
    },
);
