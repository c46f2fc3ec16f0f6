/**
 * The policy pack on the 500-cluster fleet's plan (bench/fleet-config.ts), driven over gRPC as the engine
 * drives it, side by side in one run:
 * - start-up (process start until it serves `GetAnalyzerInfo`): from its compiled JavaScript, as it runs now
 *   and as Pulumi Cloud runs the published pack, and from its TypeScript sources (as it ran before: the SDK's
 *   runner type-checks them with ts-node); beside it the floor, a pack with no rules under the same runner;
 * - evaluation in resources per second: the SDK as shipped (each request converted to JavaScript once per
 *   policy) and with the pack's one conversion per request (policies/sdk/deserialize-once.ts), each with one
 *   request at a time (the engine's step generator) and with 16 in flight (the offline plan).
 * Requests are built before the clock starts, so the figures are the pack's and gRPC's, not the client's.
 * Goals (figures, not pass/fail): at least 5,000 resources/s, and a start under 1 s.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { fleetStackConfig, writeFleetOutputs } from "./fleet-config";
import { printTable, recordResults, ROOT } from "./results";

const PACK = path.join(ROOT, "policies");
const CLUSTERS = Number(process.env.BENCH_POLICY_CLUSTERS ?? 500);
const STARTS = 3;

/** A copy of the pack that runs from its TypeScript sources (main: index.ts), as it did before it was compiled. */
function sourcePack(dir: string): string {
    const pack = path.join(dir, "source-pack");
    fs.mkdirSync(pack);
    for (const entry of ["index.ts", "rules", "sdk", "data", "PulumiPolicy.yaml", "shared.ts"]) fs.symlinkSync(path.join(PACK, entry), path.join(pack, entry));
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(pack, "node_modules"));
    fs.writeFileSync(path.join(pack, "package.json"), JSON.stringify({ name: "gitops-platform-policies", version: "0.0.0", main: "index.ts" }));
    return pack;
}

/** A pack with no rules under the same runner: what starting any pack costs. */
function emptyPack(dir: string): string {
    const pack = path.join(dir, "empty-pack");
    fs.mkdirSync(pack);
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(pack, "node_modules"));
    fs.writeFileSync(path.join(pack, "PulumiPolicy.yaml"), "runtime: nodejs\nname: empty\n");
    fs.writeFileSync(path.join(pack, "package.json"), JSON.stringify({ name: "empty-pack", version: "0.0.0", main: "index.js" }));
    fs.writeFileSync(path.join(pack, "index.js"), 'const { PolicyPack } = require("@pulumi/policy");\nnew PolicyPack("empty", { policies: [] });\n');
    return pack;
}

async function main(): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-bench-"));
    process.env.GITHUB_SHA ??= "0123456789abcdef0123456789abcdef01234567";
    try {
        const { runProgram } = await import("../tools/plan/run-program");
        const { policyConfigPath, toPolicyResources } = await import("../tools/plan/policy-step");
        const { readPolicyConfigFile, startPolicyAnalyzer, buildPolicyPack } = await import("../tools/policy-analyzer");
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program, loaded as the plan loads it
        require(path.join(ROOT, "index.ts"));
        const run = await runProgram({ projectRoot: ROOT, stackConfig: fleetStackConfig(ROOT, writeFleetOutputs(dir, CLUSTERS)) });
        const resources = toPolicyResources(run).slice(1);
        const config = readPolicyConfigFile(path.join(ROOT, policyConfigPath(run.stack)));
        buildPolicyPack(PACK);

        const starts: string[][] = [["pack", "start s (median of 3)"]];
        const startFigures: Record<string, number> = {};
        for (const [name, pack] of [["no rules (floor)", emptyPack(dir)], ["compiled JavaScript (now)", PACK], ["TypeScript sources (before)", sourcePack(dir)]] as const) {
            const seconds: number[] = [];
            for (let i = 0; i < STARTS; i++) {
                const t0 = performance.now();
                const analyzer = await startPolicyAnalyzer(pack);
                await analyzer.getAnalyzerInfo();
                seconds.push((performance.now() - t0) / 1000);
                await analyzer.close();
            }
            const median = seconds.sort((a, b) => a - b)[Math.floor(seconds.length / 2)];
            startFigures[name] = median;
            starts.push([name, median.toFixed(2)]);
        }

        const rows: string[][] = [["conversion", "in flight", "resources", "s", "resources/s", "findings"]];
        const throughput: Record<string, number> = {};
        for (const conversion of ["per-policy", "once"] as const) {
            process.env.POLICY_PACK_SDK_CONVERSION = conversion;
            const analyzer = await startPolicyAnalyzer(PACK);
            try {
                await analyzer.configure(config, policyConfigPath(run.stack));
                await analyzer.analyzeAll(resources.slice(0, 50)); // warm: secretlint loads on first use
                for (const inFlight of [1, 16]) {
                    const t0 = performance.now();
                    const found = await analyzer.analyzeAll(resources, { inFlight });
                    const seconds = (performance.now() - t0) / 1000;
                    const perSecond = resources.length / seconds;
                    throughput[`${conversion === "once" ? "oneConversion" : "sdkAsShipped"}InFlight${inFlight}`] = Math.round(perSecond);
                    rows.push([conversion === "once" ? "once per request (now)" : "once per policy (SDK as shipped)", String(inFlight), String(resources.length), seconds.toFixed(2), perSecond.toFixed(0), String(found.length)]);
                }
            } finally {
                await analyzer.close();
            }
        }
        delete process.env.POLICY_PACK_SDK_CONVERSION;

        process.stdout.write(`policy pack on the ${CLUSTERS}-cluster fleet plan (${resources.length} resources, ${os.cpus().length} cores)\n`);
        printTable(starts);
        printTable(rows);
        const best = Math.max(...Object.values(throughput));
        process.stdout.write(`  goal >= 5000 resources/s: ${best >= 5000 ? "met" : "missed"} (best ${best.toFixed(0)}); goal start < 1 s: ${startFigures["compiled JavaScript (now)"] < 1 ? "met" : "missed"}\n`);
        recordResults({ policyPack: { clusters: CLUSTERS, resources: resources.length, startSeconds: startFigures, resourcesPerSecond: throughput } });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
