/**
 * The Git working tree a promotion commits to. Every commit is `git commit` run with the repository's
 * own config and the caller's environment, so hooks run and a repository that signs its commits
 * (commit.gpgsign, user.signingkey, GNUPGHOME) keeps signing them. Nothing here forces, resets or
 * rewrites history: a rollback is a new commit too.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PromotionRefused } from "./model";

/** A git command that failed: the command and git's own first lines. */
export class GitError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "GitError";
    }
}

export class WorkingTree {
    /** The top of the working tree. */
    readonly root: string;

    /** `dir`: anywhere inside a working tree; `env`: what git runs with (GNUPGHOME for signing). */
    constructor(dir: string, readonly env: NodeJS.ProcessEnv = process.env) {
        let top: string;
        try {
            top = execFileSync("git", ["-C", dir, "rev-parse", "--show-toplevel"], { encoding: "utf8", env, stdio: ["ignore", "pipe", "pipe"] }).trim();
        } catch {
            throw new PromotionRefused(`--repo ${dir}: not a Git working tree`);
        }
        this.root = top;
    }

    /** Runs git in the working tree (or `cwd`); throws a GitError with git's message. */
    git(args: string[], options: { input?: string; cwd?: string } = {}): string {
        try {
            return execFileSync("git", args, { cwd: options.cwd ?? this.root, encoding: "utf8", env: this.env, input: options.input, stdio: ["pipe", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
        } catch (e) {
            const stderr = String((e as { stderr?: unknown }).stderr ?? "").trim();
            throw new GitError(`git ${args.join(" ")}: ${stderr.split("\n").slice(0, 4).join("; ") || (e as Error).message}`);
        }
    }

    /** The full sha a revision names, or undefined when the repository does not have it. */
    commitOf(revision: string): string | undefined {
        try {
            return this.git(["rev-parse", "--verify", "--quiet", `${revision}^{commit}`]).trim() || undefined;
        } catch {
            return undefined;
        }
    }

    /** The current branch; a detached HEAD has none to commit a promotion to. */
    branch(): string {
        let name = "";
        try {
            name = this.git(["symbolic-ref", "--quiet", "--short", "HEAD"]).trim();
        } catch {
            // Exit 1 without a word: HEAD is not a branch.
        }
        if (!name) throw new PromotionRefused(`${this.root}: HEAD is detached; check out the branch to promote on`);
        return name;
    }

    /** A file's text at a revision, or undefined when the revision does not have it. */
    fileAt(revision: string, file: string): string | undefined {
        if (!this.commitOf(revision)) return undefined;
        try {
            return this.git(["show", `${revision}:${file}`]);
        } catch {
            return undefined;
        }
    }

    /** Whether `file` differs from HEAD in the index or the working tree (or is untracked). */
    hasLocalChanges(file: string): boolean {
        return this.git(["status", "--porcelain", "--", file]).trim() !== "";
    }

    /** The commits of HEAD's history that touched `file`, newest first. */
    commitsTouching(file: string): string[] {
        return this.git(["log", "--format=%H", "HEAD", "--", file]).split("\n").filter((l) => l !== "");
    }

    /** The first parent of a commit, if it has one. */
    parentOf(sha: string): string | undefined {
        return this.commitOf(`${sha}^`);
    }

    /**
     * Commits `text` as `file` on the current branch, and only that file (other staged changes stay
     * staged). If the commit fails (a hook, signing) the file is put back as it was.
     */
    commitFile(file: string, text: string, message: string): string {
        const full = path.join(this.root, file);
        const before = fs.readFileSync(full, "utf8");
        writeAtomically(full, text);
        try {
            this.git(["add", "--", file]);
            this.git(["commit", "--quiet", "--only", "--file=-", "--", file], { input: message });
        } catch (e) {
            writeAtomically(full, before);
            // Unstages it (the index only: HEAD does not move).
            this.git(["reset", "--quiet", "--", file]);
            throw e;
        }
        return this.commitOf("HEAD")!;
    }

    /**
     * Makes `branch` from HEAD with `text` as `file` committed on it, in a throwaway worktree: the
     * current branch, its index and its files are not touched. A failure leaves no branch behind.
     */
    commitOnNewBranch(branch: string, file: string, text: string, message: string): string {
        if (this.commitOf(`refs/heads/${branch}`)) throw new PromotionRefused(`branch ${branch} exists already; delete it or merge it first`);
        const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "promote-worktree-"));
        const worktree = path.join(scratch, "tree");
        let made = false;
        let committed = false;
        try {
            this.git(["worktree", "add", "--quiet", "-b", branch, worktree, "HEAD"]);
            made = true;
            writeAtomically(path.join(worktree, file), text);
            this.git(["add", "--", file], { cwd: worktree });
            this.git(["commit", "--quiet", "--file=-", "--", file], { input: message, cwd: worktree });
            committed = true;
            return this.commitOf(`refs/heads/${branch}`)!;
        } finally {
            // The worktree first: git keeps a branch checked out in one from being deleted.
            if (made) this.git(["worktree", "remove", "--force", worktree]);
            if (made && !committed) this.git(["branch", "--quiet", "-D", branch]);
            fs.rmSync(scratch, { recursive: true, force: true });
        }
    }

    /** Pushes a branch to its configured remote (else `origin`), never forced. Returns the remote. */
    push(branch: string): string {
        const remote = this.configValue(`branch.${branch}.remote`) ?? this.configValue(`branch.${this.branch()}.remote`) ?? "origin";
        this.git(["push", "--quiet", remote, `refs/heads/${branch}:refs/heads/${branch}`]);
        return remote;
    }

    /** The trailers of a commit, as `key` to values (a key may repeat). */
    trailers(sha: string): Record<string, string[]> {
        const text = this.git(["log", "-1", "--format=%(trailers:only,unfold)", sha]);
        const out: Record<string, string[]> = {};
        for (const line of text.split("\n")) {
            const match = /^([\w-]+):\s*(.*)$/.exec(line);
            if (match) (out[match[1]] ??= []).push(match[2]);
        }
        return out;
    }

    private configValue(key: string): string | undefined {
        try {
            return this.git(["config", "--get", key]).trim() || undefined;
        } catch {
            return undefined;
        }
    }
}

/** Whole or not at all: a crash never leaves half a release file. */
function writeAtomically(file: string, text: string): void {
    const temp = `${file}.${process.pid}.promote.tmp`;
    fs.writeFileSync(temp, text);
    fs.renameSync(temp, file);
}
