/**
 * Every chart whose files changed must bump `version:` in its Chart.yaml.
 *
 * Compares the working tree (committed, staged, unstaged and untracked files) against a base:
 *   1. `--base <ref>` or CHART_VERSION_BASE, when given;
 *   2. else `git merge-base HEAD origin/main`, falling back to `main`;
 *   3. when HEAD *is* that base: HEAD itself if charts/ has uncommitted changes (a developer on
 *      main, or on a branch with nothing committed yet); else HEAD~1 (CI on main itself); with no
 *      parent there is nothing to compare against and the check passes with a message.
 * A chart changed under charts/<name>/ fails unless its version is a valid semver strictly
 * greater than the base's. New charts need only a valid version; deleted charts are ignored.
 *
 *   npx ts-node --transpile-only tools/chart-version-check.ts [--base <ref>] [--repo <dir>]
 *
 * Exit 0 when every changed chart is bumped; 1 with one message naming every chart at fault;
 * 2 when the check cannot run (not a git repository, unknown base ref).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as semver from "semver";
import { parse } from "yaml";

/** Inputs of {@link checkChartVersions}. */
export interface ChartVersionCheckOptions {
    /** Root of the git work tree to check. Default: the repository this file belongs to. */
    repoDir?: string;
    /** Git ref to compare against. Default: the merge base with origin/main (or main), see the file comment. */
    base?: string;
    /** Folder of the charts, relative to repoDir. Default: `charts`. */
    chartsDir?: string;
}

/** A chart whose files changed. */
export interface ChangedChart {
    /** Chart folder name under the charts folder. */
    name: string;
    /** `version:` of Chart.yaml at the base; undefined for a new chart. */
    baseVersion?: string;
    /** `version:` of Chart.yaml now; undefined when the chart was deleted. */
    currentVersion?: string;
    /** Changed files, relative to the repository root. */
    files: string[];
    /** Why the chart fails the check; undefined when it passes. */
    problem?: string;
}

/** Outcome of {@link checkChartVersions}. */
export interface ChartVersionCheckResult {
    /** The commit compared against; undefined when there was none (a first commit). */
    baseCommit?: string;
    /** How the base was chosen, for the log. */
    baseDescription: string;
    /** Every chart with changed files. */
    charts: ChangedChart[];
    /** True when no changed chart has a problem. */
    ok: boolean;
}

/** The check cannot run at all (as opposed to a chart failing it). */
export class ChartVersionCheckError extends Error {}

function git(repoDir: string, args: string[]): { ok: boolean; out: string; err: string } {
    const run = spawnSync("git", args, { cwd: repoDir, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (run.error) throw new ChartVersionCheckError(`cannot run git: ${run.error.message}`);
    return { ok: run.status === 0, out: run.stdout.trim(), err: run.stderr.trim() };
}

function resolveCommit(repoDir: string, ref: string): string | undefined {
    const result = git(repoDir, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
    return result.ok ? result.out : undefined;
}

/** Picks the base commit as described in the file comment. */
function chooseBase(repoDir: string, explicit: string | undefined, chartsDir: string): { commit?: string; description: string } {
    if (explicit) {
        const commit = resolveCommit(repoDir, explicit);
        if (!commit) throw new ChartVersionCheckError(`base ref "${explicit}" is not a commit in ${repoDir}`);
        return { commit, description: `${explicit} (given)` };
    }
    const head = resolveCommit(repoDir, "HEAD");
    if (!head) return { description: "no commit yet (HEAD does not exist)" };
    for (const mainRef of ["origin/main", "main"]) {
        if (!resolveCommit(repoDir, mainRef)) continue;
        const mergeBase = git(repoDir, ["merge-base", "HEAD", mainRef]);
        if (!mergeBase.ok) continue;
        if (mergeBase.out !== head) return { commit: mergeBase.out, description: `merge base of HEAD and ${mainRef}` };
        const uncommitted = git(repoDir, ["status", "--porcelain", "--", `${chartsDir}/`]);
        if (uncommitted.out !== "") return { commit: head, description: `HEAD (is ${mainRef}; uncommitted changes)` };
        const parent = resolveCommit(repoDir, "HEAD~1");
        if (parent) return { commit: parent, description: `HEAD~1 (HEAD is ${mainRef})` };
        return { description: `HEAD is ${mainRef} and has no parent` };
    }
    throw new ChartVersionCheckError(`cannot find a base: neither origin/main nor main exists in ${repoDir} (pass --base <ref>)`);
}

/** Parses `version:` of a Chart.yaml text, naming the source on failure. */
function chartVersion(text: string, source: string): { version?: string; problem?: string } {
    let chart: unknown;
    try {
        chart = parse(text);
    } catch (error) {
        return { problem: `${source} is not valid YAML: ${(error as Error).message.split("\n")[0]}` };
    }
    const version = (chart as { version?: unknown } | null)?.version;
    if (typeof version !== "string" || !semver.valid(version)) {
        return { problem: `${source} has no valid semver "version" (found ${JSON.stringify(version ?? null)})` };
    }
    return { version };
}

/** Runs the check; throws {@link ChartVersionCheckError} when it cannot run. */
export function checkChartVersions(options: ChartVersionCheckOptions = {}): ChartVersionCheckResult {
    const repoDir = path.resolve(options.repoDir ?? path.join(__dirname, ".."));
    const chartsDir = (options.chartsDir ?? "charts").replace(/\/+$/, "");
    const topLevel = git(repoDir, ["rev-parse", "--show-toplevel"]);
    if (!topLevel.ok) throw new ChartVersionCheckError(`${repoDir} is not a git work tree: ${topLevel.err}`);

    const base = chooseBase(repoDir, options.base, chartsDir);
    if (!base.commit) return { baseDescription: base.description, charts: [], ok: true };

    // Paths relative to the repository root, so they match `git show <commit>:<path>`.
    const changed = new Set<string>();
    const diff = git(repoDir, ["diff", "--name-only", "--no-renames", base.commit, "--", `${chartsDir}/`]);
    if (!diff.ok) throw new ChartVersionCheckError(`git diff against ${base.commit} failed: ${diff.err}`);
    const untracked = git(repoDir, ["ls-files", "--others", "--exclude-standard", "--full-name", "--", `${chartsDir}/`]);
    for (const file of [...diff.out.split("\n"), ...untracked.out.split("\n")]) if (file) changed.add(file);

    const byChart = new Map<string, string[]>();
    for (const file of [...changed].sort()) {
        const rest = file.slice(chartsDir.length + 1).split("/");
        if (rest.length < 2) continue; // a file directly in charts/, not in a chart
        byChart.set(rest[0], [...(byChart.get(rest[0]) ?? []), file]);
    }

    const charts: ChangedChart[] = [];
    for (const [name, files] of byChart) {
        const chartYaml = `${chartsDir}/${name}/Chart.yaml`;
        const entry: ChangedChart = { name, files };
        const currentPath = path.join(topLevel.out, chartYaml);
        const baseText = git(repoDir, ["show", `${base.commit}:${chartYaml}`]);
        if (!fs.existsSync(currentPath)) {
            // Deleted chart (or a folder that never was one): nothing to publish.
            if (!baseText.ok) entry.problem = `${chartsDir}/${name}/ has no Chart.yaml`;
            charts.push(entry);
            continue;
        }
        const current = chartVersion(fs.readFileSync(currentPath, "utf8"), chartYaml);
        entry.currentVersion = current.version;
        if (current.problem) {
            entry.problem = current.problem;
        } else if (baseText.ok) {
            const previous = chartVersion(baseText.out, `${chartYaml} at ${base.commit.slice(0, 12)}`);
            entry.baseVersion = previous.version;
            if (previous.version && !semver.gt(current.version as string, previous.version)) {
                entry.problem = `chart "${name}" changed (${files.join(", ")}) but its version ${current.version} is not greater than ${previous.version}: bump "version" in ${chartYaml}`;
            }
        }
        charts.push(entry);
    }
    return {
        baseCommit: base.commit,
        baseDescription: base.description,
        charts,
        ok: charts.every((chart) => chart.problem === undefined),
    };
}

function main(argv: string[]): number {
    const valueOf = (flag: string): string | undefined => {
        const index = argv.indexOf(flag);
        return index >= 0 ? argv[index + 1] : undefined;
    };
    try {
        const result = checkChartVersions({
            repoDir: valueOf("--repo"),
            base: valueOf("--base") ?? (process.env.CHART_VERSION_BASE || undefined),
        });
        if (!result.baseCommit) {
            console.log(`chart-version-check: nothing to compare against (${result.baseDescription}); passing.`);
            return 0;
        }
        console.log(`chart-version-check: comparing with ${result.baseCommit.slice(0, 12)} (${result.baseDescription})`);
        for (const chart of result.charts) {
            if (!chart.problem) {
                const change = chart.baseVersion ? `${chart.baseVersion} -> ${chart.currentVersion}` : chart.currentVersion ? `new at ${chart.currentVersion}` : "deleted";
                console.log(`  ok  ${chart.name}: ${change}`);
            }
        }
        if (result.charts.length === 0) console.log("  no chart changed");
        const failures = result.charts.filter((chart) => chart.problem);
        if (failures.length > 0) {
            console.error(`chart-version-check: ${failures.length} chart(s) need a version bump:\n${failures.map((c) => `  - ${c.problem}`).join("\n")}`);
            return 1;
        }
        return 0;
    } catch (error) {
        if (error instanceof ChartVersionCheckError) {
            console.error(`chart-version-check: ${error.message}`);
            return 2;
        }
        throw error;
    }
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
