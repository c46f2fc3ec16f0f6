/**
 * The policy pack's manifests entry point on the generated fleet (bench/fleet-config.ts, default 500
 * clusters): every Application the plan declares and every one its ApplicationSets generate per
 * cluster, rendered from charts/ with the pinned helm (tools/plan/manifests-step.ts, as `npm run plan`
 * does) and each rendered object judged by the pack over gRPC with the stack's config. Figures:
 * Applications rendered, helm runs (one per distinct chart and values), objects judged per second,
 * and the charts not judged (from the internet). Needs helm (`bash tools/install.sh helm`).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { fleetStackConfig, FLEET_ADDONS, FLEET_TEAM_APPS, writeFleetOutputs } from "./fleet-config";
import { benchMain, measureInChildren } from "./child-measure";
import { MIB, printTable, recordResults, ROOT } from "./results";

const SIZES = (process.env.BENCH_MANIFESTS_CLUSTERS ?? "500").split(",").map(Number);

interface ManifestsMeasurement {
    clusters: number;
    /** Applications declared and generated. */
    applications: number;
    /** Applications whose chart rendered here (the rest use charts not judged). */
    renderedApplications: number;
    /** Distinct helm template runs (one per chart and values). */
    helmRuns: number;
    renderSeconds: number;
    objects: number;
    judgeSeconds: number;
    objectsPerSecond: number;
    violations: number;
    mandatory: number;
    notJudgedCharts: number;
    notJudgedApplications: number;
    peakRssMiB: number;
}

async function measure(clusters: number): Promise<ManifestsMeasurement> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "manifests-bench-"));
    try {
        const stackConfig = fleetStackConfig(ROOT, writeFleetOutputs(dir, clusters));
        const { runProgram } = await import("../tools/plan/run-program");
        const { isKubernetesObject, toManifest } = await import("../tools/plan/manifests");
        const { redactResources, Redactor } = await import("../tools/plan/redaction");
        const { judgeRenderedApplications, renderApplications } = await import("../tools/plan/manifests-step");
        const { findHelm } = await import("../tools/manifests/helm");
        const { readPolicyConfigFile, startPolicyAnalyzer } = await import("../tools/policy-analyzer");
        const { policyConfigPath } = await import("../tools/plan/policy-step");
        const helm = findHelm(ROOT);
        if (!helm) throw new Error("helm is not installed: bash tools/install.sh helm");
        const run = await runProgram({ projectRoot: ROOT, stackConfig });
        // As the plan does: the Applications and ApplicationSets from the redacted manifests.
        const redactor = new Redactor();
        const safe = (await redactResources(run.resources, redactor)).map((r) => ({ ...r, properties: redactor.scrubValue(r.properties) }));
        const manifests = safe.filter(isKubernetesObject).map((r) => toManifest(r) as never);

        const r0 = performance.now();
        const renders = await renderApplications({ projectRoot: ROOT, manifests, revision: process.env.GITHUB_SHA, helm });
        const r1 = performance.now();
        // Applications with the same chart and values share one render (its objects): the helm runs.
        const distinct = new Set(renders.rendered.map((r) => r.objects[0]).filter((o) => o !== undefined));

        const analyzer = await startPolicyAnalyzer(path.join(ROOT, "policies"));
        try {
            await analyzer.configure(readPolicyConfigFile(path.join(ROOT, policyConfigPath(run.stack))), policyConfigPath(run.stack));
            const judgement = await judgeRenderedApplications(analyzer, renders, run.stack, redactor);
            const notJudgedApplications = renders.notJudged.reduce((n, x) => n + x.applications.length, 0);
            return {
                clusters,
                applications: renders.rendered.length + notJudgedApplications,
                renderedApplications: renders.rendered.length,
                helmRuns: distinct.size,
                renderSeconds: (r1 - r0) / 1000,
                objects: judgement.objects,
                judgeSeconds: judgement.judgeSeconds,
                objectsPerSecond: judgement.objects / judgement.judgeSeconds,
                violations: judgement.diagnostics.length,
                mandatory: judgement.diagnostics.filter((d) => d.enforcementLevel === "mandatory").length,
                notJudgedCharts: renders.notJudged.length,
                notJudgedApplications,
                peakRssMiB: (process.resourceUsage().maxRSS * 1024) / MIB,
            };
        } finally {
            await analyzer.close();
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function main(): void {
    const results = measureInChildren<ManifestsMeasurement>(__filename, SIZES, (clusters) => `manifests of a fleet of ${clusters}`);
    const f = (n: number, digits = 2) => n.toFixed(digits);
    process.stdout.write(`  generated fleet: N EKS clusters, ${FLEET_ADDONS} add-ons (charts from the internet), ${FLEET_TEAM_APPS} team applications of charts/hello-service (dev stack)\n`);
    printTable([
        ["clusters", "Applications", "rendered", "helm runs", "render s", "objects judged", "judge s", "objects/s", "violations", "not judged"],
        ...results.map((r) => [
            String(r.clusters),
            String(r.applications),
            String(r.renderedApplications),
            String(r.helmRuns),
            f(r.renderSeconds),
            String(r.objects),
            f(r.judgeSeconds),
            f(r.objectsPerSecond, 0),
            `${r.violations} (${r.mandatory} mandatory)`,
            `${r.notJudgedCharts} charts (${r.notJudgedApplications} Applications)`,
        ]),
    ]);
    recordResults({
        manifestsPolicy: results.map((r) => ({ ...r, renderSeconds: Number(f(r.renderSeconds)), judgeSeconds: Number(f(r.judgeSeconds)), objectsPerSecond: Math.round(r.objectsPerSecond), peakRssMiB: Math.round(r.peakRssMiB) })),
    });
}

benchMain(measure, main);
