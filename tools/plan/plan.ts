import * as fs from "fs";
import * as path from "path";
import { jsonReport, ManifestsReport, PolicyDiagnostic, sarifReport } from "../policy-analyzer";
import { Manifest } from "../manifests/types";
import { isKubernetesObject, toManifest, writeManifests } from "./manifests";
import { judgementLines, judgeRenderedApplications, ManifestsJudgement, renderApplications } from "./manifests-step";
import { analyzeWithPolicyPack } from "./policy-step";
import { toResourceRecords } from "./resources-file";
import { ProgramRun, runProgram } from "./run-program";
import { readStackConfig } from "./stack-file";
import { withOfflineTerraformSource } from "./terraform-override";
import { ensureGitCommit } from "./git-commit";
import { StagedOutputDir } from "./output-dir";
import { addConfigSecrets, addPulumiSecrets, redactResources, Redactor } from "./redaction";
import { FINGERPRINT_KEY_ENV, FINGERPRINTS_FILE, secretFingerprints } from "./secret-fingerprints";
import { validStackName } from "./stack-name";

export interface PlanOptions {
    /** Where Pulumi.yaml, index.ts, stacks/ and policies/ are. */
    projectRoot: string;
    stack: string;
    /** The output directory; the plan writes into `<outDir>/<stack>/`. Default `out`. */
    outDir?: string;
    /** A stack config file in place of `stacks/Pulumi.<stack>.yaml`, as `pulumi --config-file`. Default: none. */
    configFile?: string;
    /** Recorded Terraform outputs (`terraform output -json`) to plan against in place of the stack's source. */
    terraformOutputs?: string;
    /** Progress and notes, one line at a time. */
    log?: (line: string) => void;
    /** Learns the run's secrets as they are found, so the caller can scrub what it prints. Default: a new one. */
    redactor?: Redactor;
}

export interface PlanResult {
    stack: string;
    /** `<outDir>/<stack>` */
    dir: string;
    run: ProgramRun;
    manifests: string[];
    /** Every finding: on Pulumi's resources (CrossGuard) and on what Argo CD Applications render (the manifests entry point). */
    diagnostics: PolicyDiagnostic[];
    /** The manifests entry point: Applications and objects judged, charts not judged, where each finding's object comes from. */
    rendered: { manifests: ManifestsReport; renderedBy: ManifestsJudgement["renderedBy"] };
    /** 1 when a mandatory policy is violated, else 0. */
    exitCode: 0 | 1;
}

/** Plans one stack offline: runs the program under mocks, writes what it declares, runs the policy pack. */
export async function plan(options: PlanOptions): Promise<PlanResult> {
    const redactor = options.redactor ?? new Redactor();
    const log = (line: string) => options.log?.(redactor.scrub(line));
    const started = Date.now();
    const step = (what: string) => log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${what}`);
    const projectRoot = path.resolve(options.projectRoot);
    const stack = validStackName(options.stack);
    const dir = path.join(options.outDir ?? "out", stack);
    // Checked before anything runs: a bad --out is found in milliseconds, not after the program.
    const out = new StagedOutputDir(path.resolve(projectRoot, dir), dir);
    try {
        step(`reading ${options.configFile ?? `stacks/Pulumi.${stack}.yaml`}`);
        const stackConfig = readStackConfig(projectRoot, stack, options.configFile);
        await addConfigSecrets(redactor, stackConfig.config, stackConfig.secretKeys.map((k) => stackConfig.config[k]));
        const offline = withOfflineTerraformSource(projectRoot, stackConfig, options.terraformOutputs);
        if (offline.note) log(offline.note);
        const commitNote = ensureGitCommit(projectRoot);
        if (commitNote) log(commitNote);

        step("running the program under Pulumi's mock runtime");
        const run = await runProgram({ projectRoot, stackConfig: offline.stackConfig });
        step(`program registered ${run.resources.length} resources`);

        // Everything written goes through the redactor: detected literals and Pulumi secrets never reach disk.
        const safe = await redactResources(run.resources, redactor);
        await addPulumiSecrets(redactor, run.outputs);
        const scrubbed = safe.map((r) => ({ ...r, properties: redactor.scrubValue(r.properties) }));
        const manifests = writeManifests(path.join(out.path, "manifests"), scrubbed);
        const writeJson = (file: string, doc: unknown) => fs.writeFileSync(path.join(out.path, file), JSON.stringify(redactor.scrubValue(doc), null, 2) + "\n");
        writeJson("resources.json", toResourceRecords(scrubbed));
        // Hook for `npm run review` only (see secret-fingerprints.ts): keyed hashes, never values.
        const fingerprintKey = process.env[FINGERPRINT_KEY_ENV];
        if (fingerprintKey) fs.writeFileSync(path.join(out.path, FINGERPRINTS_FILE), JSON.stringify(secretFingerprints(run.resources, fingerprintKey)) + "\n");
        step(`wrote ${manifests.length} manifests and resources.json`);

        // The charts Argo CD will apply render while the pack starts (the manifests written above, redacted, name them).
        const rendering = renderApplications({ projectRoot, manifests: scrubbed.filter(isKubernetesObject).map((r) => toManifest(r) as Manifest), revision: process.env.GITHUB_SHA });
        rendering.catch(() => undefined); // awaited below; a failure is reported there, not as an unhandled rejection
        step("starting the policy pack and analyzing every resource");
        let judgement: ManifestsJudgement | undefined;
        const { info, diagnostics: pulumiDiagnostics } = await analyzeWithPolicyPack(projectRoot, run, log, async (analyzer) => {
            const renders = await rendering;
            step(`policy pack judged ${run.resources.length + 1} resources; judging what ${renders.rendered.length} Argo CD Applications render`);
            judgement = await judgeRenderedApplications(analyzer, renders, run.stack, redactor);
        });
        const j = judgement!;
        log(judgementLines(j)[0]);
        const diagnostics = [...pulumiDiagnostics, ...j.diagnostics];
        const safeDiagnostics = redactor.scrubValue(diagnostics);
        const rendered = { manifests: redactor.scrubValue(manifestsReport(j)), renderedBy: j.renderedBy };
        writeJson("policy-report.json", jsonReport(safeDiagnostics, info, run.stack, rendered));
        writeJson("policy-report.sarif", sarifReport(safeDiagnostics, info, { stack: run.stack, artifactUri: options.configFile ?? `stacks/Pulumi.${run.stack}.yaml`, ...rendered }));
        step(`policy pack reported ${diagnostics.length} violations (${j.diagnostics.length} on Application manifests)`);
        out.commit();

        const exitCode = diagnostics.some((d) => d.enforcementLevel === "mandatory") ? 1 : 0;
        return { stack, dir, run, manifests, diagnostics: safeDiagnostics, rendered, exitCode };
    } finally {
        out.discard();
    }
}


function manifestsReport(j: ManifestsJudgement): ManifestsReport {
    const report: ManifestsReport = { judged: j.judged, applications: j.applications, clusters: j.clusters, objects: j.objects, notJudged: j.notJudged };
    if (j.note) report.note = j.note;
    return report;
}
