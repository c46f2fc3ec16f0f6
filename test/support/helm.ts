/**
 * The real Helm CLI for tests: found in `.tools/bin` (installed by `tools/install.sh helm`) first,
 * then on PATH. A missing binary is an error with the command that installs it, never a skip.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";

/** Root of the repository (this file lives in test/support/). */
export const repoRoot = path.resolve(__dirname, "..", "..");

/**
 * Absolute path of a pinned tool: `<repo>/.tools/bin/<name>` when executable, else the first
 * `<name>` on PATH. Throws naming the install command when neither exists.
 */
export function findTool(name: string): string {
    const candidates = [path.join(repoRoot, ".tools", "bin"), ...(process.env.PATH ?? "").split(path.delimiter)];
    for (const dir of candidates) {
        if (!dir) continue;
        const file = path.join(dir, name);
        try {
            fs.accessSync(file, fs.constants.X_OK);
            if (fs.statSync(file).isFile()) return file;
        } catch {
            // not here; try the next directory
        }
    }
    throw new Error(`${name} not found in ${path.join(repoRoot, ".tools", "bin")} or on PATH: run \`bash tools/install.sh ${name}\``);
}

/** Outcome of one Helm command. */
export interface HelmResult {
    /** Exit status (non-zero on failure; -1 when the process could not run). */
    status: number;
    /** Standard output. */
    stdout: string;
    /** Standard error (Helm's errors, lint findings go to stdout). */
    stderr: string;
}

/** Runs `helm <args>` from the repository root with an isolated Helm home, so no user config leaks in. */
export function helm(args: string[]): HelmResult {
    const home = path.join(repoRoot, "out", "helm-home");
    const run = spawnSync(findTool("helm"), args, {
        cwd: repoRoot,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        env: {
            ...process.env,
            HELM_CACHE_HOME: path.join(home, "cache"),
            HELM_CONFIG_HOME: path.join(home, "config"),
            HELM_DATA_HOME: path.join(home, "data"),
        },
    });
    if (run.error) throw run.error;
    return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

/** Options of {@link helmTemplate}. */
export interface TemplateOptions {
    /** Release name. Default: `hello`. */
    releaseName?: string;
    /** Release namespace. Default: `default`. */
    namespace?: string;
    /** Values files, applied in order after the chart's values.yaml. Default: none. */
    valuesFiles?: string[];
    /** `--set` expressions (`key=value`). Default: none. */
    set?: string[];
    /** Render without checking values.schema.json (to reach later checks with values the schema rejects). Default: false. */
    skipSchemaValidation?: boolean;
}

/** A Kubernetes object as rendered by a chart. */
export interface KubernetesObject {
    /** `group/version`, or `v1` for the core group. */
    apiVersion: string;
    /** Kind, e.g. `Deployment`. */
    kind: string;
    /** Object metadata; `name` is always set by a valid chart. */
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    /** The rest of the object (spec, data, ...). */
    [field: string]: unknown;
}

/** The `helm template` arguments for a chart directory and options. */
export function templateArgs(chartDir: string, options: TemplateOptions = {}): string[] {
    const args = ["template", options.releaseName ?? "hello", chartDir, "--namespace", options.namespace ?? "default"];
    for (const file of options.valuesFiles ?? []) args.push("--values", file);
    for (const expr of options.set ?? []) args.push("--set", expr);
    if (options.skipSchemaValidation) args.push("--skip-schema-validation");
    return args;
}

/**
 * Renders a chart with `helm template` and parses every document. Throws with Helm's own error
 * output when rendering fails.
 */
export function helmTemplate(chartDir: string, options: TemplateOptions = {}): KubernetesObject[] {
    const result = helm(templateArgs(chartDir, options));
    if (result.status !== 0) {
        throw new Error(`helm template ${chartDir} failed (exit ${result.status}):\n${result.stderr}`);
    }
    return parseAllDocuments(result.stdout)
        .map((doc) => {
            if (doc.errors.length > 0) throw new Error(`helm template ${chartDir} printed invalid YAML: ${doc.errors[0].message}`);
            return doc.toJS() as KubernetesObject | null;
        })
        .filter((obj): obj is KubernetesObject => obj !== null);
}
