import * as fs from "fs";
import * as path from "path";
import { jsonReport, PolicyDiagnostic, sarifReport } from "../policy-analyzer";
import { writeManifests } from "./manifests";
import { analyzeWithPolicyPack } from "./policy-step";
import { toResourceRecords } from "./resources-file";
import { ProgramRun, RegisteredResource, runProgram } from "./run-program";
import { readStackConfig } from "./stack-file";
import { withOfflineTerraformSource } from "./terraform-override";
import { ensureGitCommit } from "./git-commit";
import { FINGERPRINT_KEY_ENV, FINGERPRINTS_FILE, secretFingerprints } from "./secret-fingerprints";

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
}

export interface PlanResult {
    stack: string;
    /** `<outDir>/<stack>` */
    dir: string;
    run: ProgramRun;
    manifests: string[];
    diagnostics: PolicyDiagnostic[];
    /** 1 when a mandatory policy is violated, else 0. */
    exitCode: 0 | 1;
}

/** Plans one stack offline: runs the program under mocks, writes what it declares, runs the policy pack. */
export async function plan(options: PlanOptions): Promise<PlanResult> {
    const log = options.log ?? (() => undefined);
    const started = Date.now();
    const step = (what: string) => log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${what}`);
    const projectRoot = path.resolve(options.projectRoot);
    const dir = path.join(options.outDir ?? "out", options.stack);

    step(`reading ${options.configFile ?? `stacks/Pulumi.${options.stack}.yaml`}`);
    const offline = withOfflineTerraformSource(projectRoot, readStackConfig(projectRoot, options.stack, options.configFile), options.terraformOutputs);
    if (offline.note) log(offline.note);
    const commitNote = ensureGitCommit(projectRoot);
    if (commitNote) log(commitNote);

    step("running the program under Pulumi's mock runtime");
    const run = await runProgram({ projectRoot, stackConfig: offline.stackConfig });
    step(`program registered ${run.resources.length} resources`);

    const absDir = path.resolve(projectRoot, dir);
    fs.mkdirSync(absDir, { recursive: true });
    const manifests = writeManifests(path.join(absDir, "manifests"), run.resources);
    fs.writeFileSync(path.join(absDir, "resources.json"), JSON.stringify(toResourceRecords(run.resources), null, 2) + "\n");
    // Hook for `npm run review` only (see secret-fingerprints.ts): keyed hashes, never values.
    const fingerprintKey = process.env[FINGERPRINT_KEY_ENV];
    if (fingerprintKey) fs.writeFileSync(path.join(absDir, FINGERPRINTS_FILE), JSON.stringify(secretFingerprints(run.resources, fingerprintKey)) + "\n");
    step(`wrote ${manifests.length} manifests and resources.json`);

    step("starting the policy pack and analyzing every resource");
    const { info, diagnostics } = await analyzeWithPolicyPack(projectRoot, run, log);
    const writeJson = (file: string, doc: unknown) => fs.writeFileSync(path.join(absDir, file), JSON.stringify(doc, null, 2) + "\n");
    writeJson("policy-report.json", jsonReport(diagnostics, info, run.stack));
    writeJson("policy-report.sarif", sarifReport(diagnostics, info, { stack: run.stack, artifactUri: `stacks/Pulumi.${run.stack}.yaml` }));
    step(`policy pack reported ${diagnostics.length} violations`);

    const exitCode = diagnostics.some((d) => d.enforcementLevel === "mandatory") ? 1 : 0;
    return { stack: options.stack, dir, run, manifests, diagnostics, exitCode };
}

export type { RegisteredResource };
