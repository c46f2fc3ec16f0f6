/**
 * The base ref checked out in a temporary `git worktree`, with its own dependencies: when its
 * package-lock.json is the head's, the head's node_modules hard-linked (`cp -al`, a second, not a
 * minute of `npm ci`), otherwise `npm ci` there. Removed again on every exit path.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** Thrown for a ref git does not know: bad input, exit 2. */
export class UnknownRefError extends Error {}

function git(cwd: string, args: string[]): { status: number; stdout: string; stderr: string } {
    const run = spawnSync("git", args, { cwd, encoding: "utf8" });
    return { status: run.status ?? -1, stdout: run.stdout ?? "", stderr: run.stderr ?? "" };
}

/** The commit a ref names, or an {@link UnknownRefError} saying so. */
export function resolveCommit(repo: string, ref: string): string {
    const run = git(repo, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
    const sha = run.stdout.trim();
    if (run.status !== 0 || !/^[0-9a-f]{40}$/.test(sha)) throw new UnknownRefError(`--base ${JSON.stringify(ref)}: not a commit in ${repo} (git rev-parse: ${run.stderr.trim() || "unknown revision"})`);
    return sha;
}

/** The working tree's HEAD commit, if it has one. */
export function headCommit(repo: string): string | undefined {
    const run = git(repo, ["rev-parse", "HEAD"]);
    return run.status === 0 && /^[0-9a-f]{40}\s*$/.test(run.stdout) ? run.stdout.trim() : undefined;
}

/** A checked-out base and how its dependencies were provided. */
export interface BaseWorktree {
    dir: string;
    dependencies: "hard-linked" | "npm ci" | "none needed";
    remove(): void;
}

/** Checks `commit` out into `dir` (which must not exist) and provides its node_modules. */
export function addBaseWorktree(repo: string, commit: string, dir: string, log: (line: string) => void): BaseWorktree {
    const add = git(repo, ["worktree", "add", "--detach", "--force", dir, commit]);
    if (add.status !== 0) throw new Error(`git worktree add ${dir} ${commit}: ${add.stderr.trim()}`);
    let removed = false;
    const remove = () => {
        if (removed) return;
        removed = true;
        git(repo, ["worktree", "remove", "--force", dir]);
        fs.rmSync(dir, { recursive: true, force: true });
        git(repo, ["worktree", "prune"]);
    };
    process.once("exit", remove);
    try {
        const lock = (root: string) => (fs.existsSync(path.join(root, "package-lock.json")) ? fs.readFileSync(path.join(root, "package-lock.json")) : undefined);
        const baseLock = lock(dir);
        const headModules = path.join(repo, "node_modules");
        let dependencies: BaseWorktree["dependencies"] = "none needed";
        if (baseLock && lock(repo)?.equals(baseLock) && fs.existsSync(headModules)) {
            const cp = spawnSync("cp", ["-al", fs.realpathSync(headModules), path.join(dir, "node_modules")], { encoding: "utf8" });
            if (cp.status !== 0) throw new Error(`cp -al ${headModules}: ${cp.stderr.trim()}`);
            dependencies = "hard-linked";
        } else if (baseLock) {
            log(`review: the base's package-lock.json differs from the working tree's: npm ci in the base worktree`);
            const ci = spawnSync("npm", ["ci", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: dir, encoding: "utf8" });
            if (ci.status !== 0) throw new Error(`npm ci in the base worktree failed: ${(ci.stderr || ci.stdout).trim().split("\n").slice(-3).join(" ")}`);
            dependencies = "npm ci";
        }
        return { dir, dependencies, remove };
    } catch (e) {
        remove();
        throw e;
    }
}
