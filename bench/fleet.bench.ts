/**
 * The offline plan of a generated fleet (bench/fleet-config.ts: 10, 100 and 500 clusters, 40 add-ons,
 * 50 team applications), each size in a fresh process: wall time from process start until the
 * manifests and resources.json are written (split into module loading, the program under mocks, and
 * writing, which includes the redaction of secrets and detected credentials), peak RSS, and the
 * declared resources. Then the policy pack on the same plan, driven over
 * gRPC as the engine drives it: start-up, and resources analyzed per second.
 *
 * Goals (figures, not pass/fail; the machine is shared): 100 clusters under 10 s and 1 GiB, 500
 * within 5x the time of 100, policy evaluation at least 5,000 resources per second.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { fleetStackConfig, FLEET_ADDONS, FLEET_TEAM_APPS, writeFleetOutputs } from "./fleet-config";
import { benchMain, measureInChildren } from "./child-measure";
import { MIB, printTable, recordResults, ROOT } from "./results";

const SIZES = (process.env.BENCH_FLEET_SIZES ?? "10,100,500").split(",").map(Number);

/** What one child measured. */
interface FleetMeasurement {
    clusters: number;
    resources: number;
    /** Process start until the plan's files are written. */
    seconds: number;
    loadSeconds: number;
    programSeconds: number;
    writeSeconds: number;
    peakRssMiB: number;
    policy: { startSeconds: number; analyzeSeconds: number; stackSeconds: number; resourcesPerSecond: number; violations: number; mandatory: number };
}

async function measure(clusters: number): Promise<FleetMeasurement> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-bench-"));
    try {
        const stackConfig = fleetStackConfig(ROOT, writeFleetOutputs(dir, clusters));
        const t0 = performance.now();
        const { runProgram } = await import("../tools/plan/run-program");
        const { writeManifests } = await import("../tools/plan/manifests");
        const { toResourceRecords } = await import("../tools/plan/resources-file");
        const { redactResources, Redactor } = await import("../tools/plan/redaction");
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program, loaded as the plan loads it
        require(path.join(ROOT, "index.ts"));
        const t1 = performance.now();
        const run = await runProgram({ projectRoot: ROOT, stackConfig });
        const t2 = performance.now();
        // As the plan writes: every resource through the redactor (tools/plan/redaction.ts) first.
        const redactor = new Redactor();
        const safe = (await redactResources(run.resources, redactor)).map((r) => ({ ...r, properties: redactor.scrubValue(r.properties) }));
        writeManifests(path.join(dir, "manifests"), safe);
        fs.writeFileSync(path.join(dir, "resources.json"), JSON.stringify(redactor.scrubValue(toResourceRecords(safe)), null, 2) + "\n");
        const t3 = performance.now();
        const peakRssMiB = (process.resourceUsage().maxRSS * 1024) / MIB;

        const { readPolicyConfigFile, startPolicyAnalyzer } = await import("../tools/policy-analyzer");
        const { policyConfigPath, toPolicyResources } = await import("../tools/plan/policy-step");
        const p0 = performance.now();
        // BENCH_PACK_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the pack's process.
        const analyzer = await startPolicyAnalyzer(path.join(ROOT, "policies"), { nodeArgs: process.env.BENCH_PACK_NODE_ARGS?.split(" ").filter(Boolean) });
        try {
            await analyzer.configure(readPolicyConfigFile(path.join(ROOT, policyConfigPath(run.stack))), policyConfigPath(run.stack));
            const p1 = performance.now();
            const resources = toPolicyResources(run);
            let violations = 0;
            let mandatory = 0;
            for (const r of resources.slice(1)) {
                for (const d of await analyzer.analyze(r)) {
                    violations++;
                    if (d.enforcementLevel === "mandatory") mandatory++;
                }
            }
            const p2 = performance.now();
            violations += (await analyzer.analyzeStack(resources)).length;
            const p3 = performance.now();
            return {
                clusters,
                resources: run.resources.length,
                seconds: t3 / 1000,
                loadSeconds: (t1 - t0) / 1000,
                programSeconds: (t2 - t1) / 1000,
                writeSeconds: (t3 - t2) / 1000,
                peakRssMiB,
                policy: {
                    startSeconds: (p1 - p0) / 1000,
                    analyzeSeconds: (p2 - p1) / 1000,
                    stackSeconds: (p3 - p2) / 1000,
                    resourcesPerSecond: (resources.length - 1) / ((p2 - p1) / 1000),
                    violations,
                    mandatory,
                },
            };
        } finally {
            await analyzer.close();
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function main(): void {
    const results = measureInChildren<FleetMeasurement>(__filename, SIZES, (clusters) => `fleet of ${clusters}`);
    const f = (n: number, digits = 2) => n.toFixed(digits);
    process.stdout.write(`  generated fleet: N EKS clusters from one map output, ${FLEET_ADDONS} add-ons, ${FLEET_TEAM_APPS} team applications (dev stack)\n`);
    printTable([
        ["clusters", "resources", "plan wall s", "load s", "program s", "write s", "peak RSS MiB", "policy start s", "policy res/s", "stack policies s", "violations"],
        ...results.map((r) => [
            String(r.clusters),
            String(r.resources),
            f(r.seconds),
            f(r.loadSeconds),
            f(r.programSeconds),
            f(r.writeSeconds),
            f(r.peakRssMiB, 0),
            f(r.policy.startSeconds, 1),
            f(r.policy.resourcesPerSecond, 0),
            f(r.policy.stackSeconds),
            `${r.policy.violations} (${r.policy.mandatory} mandatory)`,
        ]),
    ]);
    const byN = new Map(results.map((r) => [r.clusters, r]));
    const hundred = byN.get(100);
    const fiveHundred = byN.get(500);
    const totalResources = results.reduce((n, r) => n + r.resources, 0);
    const totalAnalyze = results.reduce((s, r) => s + r.resources / r.policy.resourcesPerSecond, 0);
    const policyResourcesPerSecond = totalResources / totalAnalyze;
    if (hundred) process.stdout.write(`  goal 100 clusters < 10 s and < 1024 MiB: ${hundred.seconds < 10 && hundred.peakRssMiB < 1024 ? "met" : "missed"} (${f(hundred.seconds)} s, ${f(hundred.peakRssMiB, 0)} MiB)\n`);
    if (hundred && fiveHundred) process.stdout.write(`  goal 500 within 5x of 100: ${fiveHundred.seconds <= 5 * hundred.seconds ? "met" : "missed"} (${f(fiveHundred.seconds / hundred.seconds)}x wall, ${f(fiveHundred.programSeconds / hundred.programSeconds)}x program)\n`);
    process.stdout.write(`  goal policy >= 5000 resources/s: ${policyResourcesPerSecond >= 5000 ? "met" : "missed"} (${f(policyResourcesPerSecond, 0)} over all sizes)\n`);
    recordResults({
        fleet: results.map((r) => ({ clusters: r.clusters, resources: r.resources, seconds: Number(f(r.seconds)), peakRssMiB: Math.round(r.peakRssMiB), programSeconds: Number(f(r.programSeconds)), loadSeconds: Number(f(r.loadSeconds)), writeSeconds: Number(f(r.writeSeconds)) })),
        policyResourcesPerSecond: Math.round(policyResourcesPerSecond),
        policy: results.map((r) => ({ clusters: r.clusters, ...r.policy, resourcesPerSecond: Math.round(r.policy.resourcesPerSecond) })),
    });
}

benchMain(measure, main);
