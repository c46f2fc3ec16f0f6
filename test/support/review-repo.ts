/**
 * A real git repository of this project in a temporary directory for review tests: a copy of the
 * project (node_modules and .tools linked), a base commit, then the working tree changed and
 * committed as head. Edits are exact string replacements that fail loudly when the text they
 * expect is gone, so a changed project cannot make a test silently test nothing.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { copyProject } from "./project-copy";

/** Runs git in `dir`, throwing with its output on failure. */
export function git(dir: string, ...args: string[]): string {
    const run = spawnSync("git", args, { cwd: dir, encoding: "utf8" });
    if (run.status !== 0) throw new Error(`git ${args.join(" ")} in ${dir}: ${run.stderr}`);
    return run.stdout.trim();
}

/** Replaces `from` with `to` in `<dir>/<file>`; throws naming the file when `from` is not there. */
export function edit(dir: string, file: string, from: string | RegExp, to: string): void {
    const p = path.join(dir, file);
    const text = fs.readFileSync(p, "utf8");
    const next = text.replace(from, to);
    if (next === text) throw new Error(`${file}: ${String(from)} not found (the project changed; update the review test)`);
    fs.writeFileSync(p, next);
}

/** Sets a key of a policy pack config file. */
export function setPolicyConfig(dir: string, stack: string, rule: string, value: unknown): void {
    const file = path.join(dir, "policies", "config", `${stack}.json`);
    const config = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
    config[rule] = value;
    fs.writeFileSync(file, JSON.stringify(config, null, 2) + "\n");
}

/** A copy of the project as a git repository with its files committed once. */
export function projectRepository(prefix = "gitops-review-"): string {
    const dir = copyProject(prefix);
    git(dir, "init", "-q", "-b", "main");
    git(dir, "config", "user.email", "review-test@example.com");
    git(dir, "config", "user.name", "review test");
    git(dir, "config", "commit.gpgsign", "false");
    // The copy links node_modules and .tools: .gitignore's `node_modules/` matches directories only.
    fs.appendFileSync(path.join(dir, ".git", "info", "exclude"), "node_modules\n.tools\nout\n");
    return dir;
}

/** Commits everything in the working tree and returns the commit. */
export function commitAll(dir: string, message: string): string {
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "--allow-empty", "-m", message);
    return git(dir, "rev-parse", "HEAD");
}
