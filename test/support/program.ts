import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { isRecord } from "gitops-platform-policies/shared";
import { ProgramRun, RegisteredResource, runProgram as runUnderMocks } from "../../tools/plan/run-program";
import { PROJECT, readStackConfig, EngineConfig } from "../../tools/plan/stack-file";
import { withOfflineTerraformSource } from "../../tools/plan/terraform-override";
import type { StackConfigError } from "../../lib/stackConfigError";

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

export interface ProgramRunOptions {
    /** The stack whose `stacks/Pulumi.<stack>.yaml` the run starts from. */
    stack: string;
    /**
     * Merged into the stack file's `platform` config: objects merge key by key, anything else
     * (arrays included) replaces, and `undefined` removes the key.
     */
    platform?: Record<string, unknown>;
    /** Extra raw config keys (`name` or `namespace:name`) with string values. */
    config?: Record<string, string>;
    /** Keys of `config` to mark as Pulumi secrets. */
    secretKeys?: string[];
    /** Mock provider answers, when a test needs others than the plan's. */
    mocks?: pulumi.runtime.Mocks;
    /** Another project's program that reads the same stack file (its directory). Default: the platform's. */
    programDir?: string;
}

/** Runs the real program under Pulumi's mock runtime for a stack and returns what it registered. */
export async function runProgram(options: ProgramRunOptions): Promise<ProgramRun> {
    const base = readStackConfig(PROJECT_ROOT, options.stack);
    const config = { ...base.config };
    const platformKey = `${PROJECT}:platform`;
    if (options.platform) {
        const platform = config[platformKey] ? JSON.parse(config[platformKey]) : {};
        config[platformKey] = JSON.stringify(mergeConfig(platform, options.platform));
    }
    const qualify = (k: string) => (k.includes(":") ? k : `${PROJECT}:${k}`);
    for (const [k, v] of Object.entries(options.config ?? {})) config[qualify(k)] = v;
    const stackConfig: EngineConfig = {
        ...base,
        config,
        secretKeys: [...base.secretKeys, ...(options.secretKeys ?? []).map(qualify)],
    };
    const offline = withOfflineTerraformSource(PROJECT_ROOT, stackConfig);
    return runUnderMocks({ projectRoot: PROJECT_ROOT, stackConfig: offline.stackConfig, mocks: options.mocks, programDir: options.programDir });
}

/** Deep merge for config overrides (see {@link ProgramRunOptions.platform}). */
export function mergeConfig(base: unknown, override: unknown): unknown {
    if (!isRecord(base) || !isRecord(override)) return override;
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(override)) {
        if (v === undefined) delete out[k];
        else out[k] = mergeConfig(out[k], v);
    }
    return out;
}

/** The resources of one type token. */
export function ofType(run: ProgramRun, type: string): RegisteredResource[] {
    return run.resources.filter((r) => r.type === type);
}

/** The Argo CD cluster Secrets a run registered (label `argocd.argoproj.io/secret-type: cluster`). */
export function clusterSecretResources(run: ProgramRun): RegisteredResource[] {
    return ofType(run, "kubernetes:core/v1:Secret").filter((s) => (s.inputs as { metadata?: { labels?: Record<string, string> } }).metadata?.labels?.["argocd.argoproj.io/secret-type"] === "cluster");
}

export type { ProgramRun, RegisteredResource };

/** The Git commit the program runs are labelled with (GITHUB_SHA). */
export const TEST_COMMIT = "0123456789abcdef0123456789abcdef01234567";

/**
 * Sets GITHUB_SHA for the calling suite: for its `before` hooks (registered after this call) and
 * again before each test, so a test that unsets it leaves the next one as it was; unset at the end.
 */
export function withAuditCommit(commit: string = TEST_COMMIT): void {
    before(() => {
        process.env.GITHUB_SHA = commit;
    });
    beforeEach(() => {
        process.env.GITHUB_SHA = commit;
    });
    after(() => {
        delete process.env.GITHUB_SHA;
    });
}

/** The program run for every stack, one after another (the mock runtime is one per process). */
export async function runEveryStack(): Promise<Record<string, ProgramRun>> {
    const runs: Record<string, ProgramRun> = {};
    for (const stack of ["local", "dev", "staging", "prod"]) runs[stack] = await runProgram({ stack });
    return runs;
}

/** Runs a stack expecting its StackConfigError, and returns it. */
export async function configError(options: ProgramRunOptions): Promise<StackConfigError> {
    try {
        const run = await runProgram(options);
        throw new Error(`expected a StackConfigError, got a run with ${run.resources.length} resources`);
    } catch (err) {
        if ((err as Error).name !== "StackConfigError") throw err;
        return err as StackConfigError;
    }
}

/** The key paths of a StackConfigError's problems, sorted, for order-independent comparison. */
export const problemPaths = (err: StackConfigError): string[] => err.problems.map((p) => p.path).sort();
