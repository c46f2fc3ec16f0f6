/**
 * Where a running release's chart comes from, among the repositories the stack allows: a chart
 * folder of this repository (`charts/<name>`) at the branch the stack's other applications track
 * when its head holds that chart version, else pinned to the last commit that does; or a Helm or OCI
 * repository an add-on or application of the stack already takes that chart from. A chart found
 * nowhere is a problem: adoption never points Argo CD at a source the project does not allow.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import type { PlatformConfig } from "../../stacks/schema";

/** An application entry's `source`, as the stack file says it. */
export interface ProposedSource {
    repository: string;
    chart?: string;
    version?: string;
    path?: string;
    revision?: string;
    trackBranch?: boolean;
}

export type ChartSource = { source: ProposedSource; note?: string } | { problem: string };

/** The Git checkout of this repository the charts are read from, and which declared repository it is. */
export interface ChartCheckout {
    dir: string;
    /** The `gitops.repositories` name Argo CD reads this checkout from. */
    repository: string;
}

function git(dir: string, args: string[]): string {
    return execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function chartYaml(text: string): { name?: unknown; version?: unknown } {
    const parsed = YAML.parse(text) as unknown;
    return parsed && typeof parsed === "object" ? (parsed as { name?: unknown; version?: unknown }) : {};
}

/** The repository this checkout is: the git repository the stack's Git-sourced applications use, else the only git one. */
export function checkoutRepository(platform: PlatformConfig): string | undefined {
    const git = platform.gitops.repositories.filter((r) => r.type === "git").map((r) => r.name);
    const used = platform.gitops.applications.map((a) => a.source.repository).find((r) => git.includes(r));
    return used ?? (git.length === 1 ? git[0] : undefined);
}

/** The branch the stack's applications from `repository` track, if they track one. */
export function trackedBranch(platform: PlatformConfig, repository: string): string | undefined {
    return platform.gitops.applications.find((a) => a.source.repository === repository && a.source.trackBranch)?.source.revision;
}

/** The chart folder of `name` in the checkout, if there is one. */
function chartFolder(dir: string, name: string): string | undefined {
    const charts = path.join(dir, "charts");
    if (!fs.existsSync(charts)) return undefined;
    for (const entry of fs.readdirSync(charts, { withFileTypes: true })) {
        const file = path.join(charts, entry.name, "Chart.yaml");
        if (entry.isDirectory() && fs.existsSync(file) && chartYaml(fs.readFileSync(file, "utf8")).name === name) return `charts/${entry.name}`;
    }
    return undefined;
}

/** The newest commit of the checkout whose `<folder>/Chart.yaml` says `version`. */
function commitWithVersion(dir: string, folder: string, version: string): string | undefined {
    let commits: string[];
    try {
        commits = git(dir, ["log", "--format=%H", "--", `${folder}/Chart.yaml`]).split("\n").filter((c) => c !== "");
    } catch {
        return undefined;
    }
    return commits.find((c) => chartYaml(git(dir, ["show", `${c}:${folder}/Chart.yaml`])).version === version);
}

/** Where the chart `name` at `version` comes from for this stack. */
export function chartSource(platform: PlatformConfig, checkout: ChartCheckout | undefined, name: string, version: string): ChartSource {
    if (checkout) {
        const folder = chartFolder(checkout.dir, name);
        if (folder) {
            const atHead = chartYaml(fs.readFileSync(path.join(checkout.dir, folder, "Chart.yaml"), "utf8")).version === version;
            const branch = trackedBranch(platform, checkout.repository);
            if (atHead && branch) return { source: { repository: checkout.repository, path: folder, revision: branch, trackBranch: true } };
            const commit = atHead ? git(checkout.dir, ["rev-parse", "HEAD"]).trim() : commitWithVersion(checkout.dir, folder, version);
            if (commit) {
                return {
                    source: { repository: checkout.repository, path: folder, revision: commit },
                    ...(atHead ? {} : { note: `${folder} is at another version now; ${commit.slice(0, 12)} is the last commit with ${version}: moving the revision on upgrades the chart, a rollout of its own` }),
                };
            }
            return { problem: `chart ${name} ${version}: ${folder} of repository ${checkout.repository} never had version ${version} (git log of ${folder}/Chart.yaml)` };
        }
    }
    const repositories = new Map(platform.gitops.repositories.map((r) => [r.name, r]));
    const taken = [...platform.addons.map((a) => ({ repository: a.repository, chart: a.chart })), ...platform.gitops.applications.map((a) => ({ repository: a.source.repository, chart: a.source.chart }))];
    const from = taken.find((t) => t.chart === name && repositories.get(t.repository)?.type !== "git");
    if (from) return { source: { repository: from.repository, chart: name, version } };
    const allowed = [...repositories.values()].map((r) => `${r.name} (${r.type})`).join(", ") || "none";
    return { problem: `chart ${name} ${version} is in no repository the stack allows: not a chart folder of ${checkout ? `${checkout.repository}'s checkout` : "this repository"}, and no add-on or application takes it from ${allowed}; declare its repository in gitops.repositories first` };
}
