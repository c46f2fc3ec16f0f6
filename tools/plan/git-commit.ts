import { spawnSync } from "child_process";

/**
 * The audit labels name the Git commit a change came from; CI says it in GITHUB_SHA. When the plan
 * runs outside CI, the commit being planned is the working copy's HEAD, so it says that instead.
 * Returns a note when it set the variable.
 */
export function ensureGitCommit(projectRoot: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
    if (env.GITHUB_SHA) return undefined;
    const res = spawnSync("git", ["rev-parse", "HEAD"], { cwd: projectRoot, encoding: "utf8" });
    const sha = res.status === 0 ? res.stdout.trim() : "";
    if (!/^[0-9a-f]{40}$/.test(sha)) return undefined;
    env.GITHUB_SHA = sha;
    return `audit: GITHUB_SHA is not set; labelling with the working copy's HEAD ${sha.slice(0, 12)}`;
}
