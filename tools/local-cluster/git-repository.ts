/**
 * A bare Git repository made from folders of the working tree (uncommitted changes included: the
 * loop proves what is in the checkout), with one commit per change, as a developer would push them,
 * signed with the developer's key when one is given. Argo CD reads it over `file://`, or over HTTPS
 * through git-server.ts.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { GpgKey, signingArgs, signingEnv } from "./gpg";

const BRANCH = "main";

export class GitRepository {
    private constructor(
        /** The bare repository. */
        readonly bare: string,
        /** A clone to commit from. */
        private readonly checkout: string,
        /** Who signs commits by default (none: unsigned). */
        private readonly signer?: GpgKey,
    ) {}

    /** The developers' clone the repository's commits are made in (tools such as `npm run promote` commit there too). */
    get checkoutDir(): string {
        return this.checkout;
    }

    /** The bare repository's folder name, as a Git server under its parent serves it. */
    get name(): string {
        return path.basename(this.bare);
    }

    /** `file://` URL Argo CD clones. */
    get url(): string {
        return `file://${this.bare}`;
    }

    static fromWorkingTree(projectRoot: string, dir: string, folders: string[], signer?: GpgKey): GitRepository {
        const bare = path.join(dir, "gitops-platform.git");
        const checkout = path.join(dir, "checkout");
        fs.mkdirSync(checkout, { recursive: true });
        git(dir, ["init", "--quiet", "--bare", "--initial-branch", BRANCH, bare]);
        git(checkout, ["init", "--quiet", "--initial-branch", BRANCH]);
        for (const folder of folders) fs.cpSync(path.join(projectRoot, folder), path.join(checkout, folder), { recursive: true });
        const repo = new GitRepository(bare, checkout, signer);
        repo.commitAll("the working tree's charts", signer);
        git(checkout, ["remote", "add", "origin", bare]);
        git(checkout, ["push", "--quiet", "origin", BRANCH]);
        return repo;
    }

    /** The repository {@link fromWorkingTree} made under `dir` (the running loop's, for the tour). */
    static open(dir: string, signer?: GpgKey): GitRepository {
        const repo = new GitRepository(path.join(dir, "gitops-platform.git"), path.join(dir, "checkout"), signer);
        if (!fs.existsSync(repo.bare) || !fs.existsSync(repo.checkout)) throw new Error(`${dir}: no loop repository (gitops-platform.git and checkout)`);
        return repo;
    }

    /** The commit the branch points at (default the developers' branch), or undefined if there is no such branch. */
    head(branch = BRANCH): string {
        return git(this.bare, ["rev-parse", branch]).trim();
    }

    /** Whether the branch exists (the hydrator makes its environment branch on its first commit). */
    hasBranch(branch: string): boolean {
        return git(this.bare, ["branch", "--list", branch]).trim() !== "";
    }

    /** A file at a revision of the bare repository. */
    show(revision: string, file: string): string {
        return git(this.bare, ["show", `${revision}:${file}`]);
    }

    /** A commit's signature as the keyring `gnupgHome` judges it: git's %G? (G good, N none, ...) and the signer. */
    signature(revision: string, gnupgHome: string): { status: string; fingerprint: string } {
        const [status, fingerprint] = git(this.bare, ["log", "-1", "--format=%G?|%GF", revision], { GNUPGHOME: gnupgHome }).trim().split("|");
        return { status, fingerprint };
    }

    /** What `git log` prints in the bare repository. */
    log(args: string[]): string {
        return git(this.bare, ["log", ...args]);
    }

    /**
     * Edits one file (a new one starts empty), commits and pushes; returns the new commit. Signed by the repository's signer,
     * by `signer`, or not at all (`null`).
     */
    commitChange(file: string, edit: (text: string) => string, message: string, signer: GpgKey | null | undefined = this.signer): string {
        const full = path.join(this.checkout, file);
        fs.writeFileSync(full, edit(fs.existsSync(full) ? fs.readFileSync(full, "utf8") : ""));
        return this.commitWorkingTree(message, signer);
    }

    /**
     * A pull request's branch: `branch` started from main with one change (signed as
     * {@link commitChange} is), pushed; the checkout is back on main after. Returns the commit.
     */
    proposeChange(branch: string, file: string, edit: (text: string) => string, message: string): string {
        git(this.checkout, ["checkout", "--quiet", "-B", branch, BRANCH]);
        try {
            const full = path.join(this.checkout, file);
            fs.writeFileSync(full, edit(fs.readFileSync(full, "utf8")));
            this.commitAll(message, this.signer);
            git(this.checkout, ["push", "--quiet", "--force", "origin", branch]);
            return git(this.checkout, ["rev-parse", "HEAD"]).trim();
        } finally {
            git(this.checkout, ["checkout", "--quiet", BRANCH]);
        }
    }

    /** Merges a pull request's branch into main as a fast-forward (its signed commits as they are) and pushes main. */
    mergeFastForward(branch: string): string {
        git(this.checkout, ["merge", "--quiet", "--ff-only", branch]);
        git(this.checkout, ["push", "--quiet", "origin", BRANCH]);
        return this.head();
    }

    /** Commits and pushes whatever a tool wrote into the checkout (`npm run adopt --write`); returns the new commit. */
    commitWorkingTree(message: string, signer: GpgKey | null | undefined = this.signer): string {
        this.commitAll(message, signer ?? undefined);
        git(this.checkout, ["push", "--quiet", "origin", BRANCH]);
        return this.head();
    }

    /**
     * Starts `branch` with one empty commit signed by the repository's signer, unless it exists: the
     * way a platform team opens an environment branch before Argo CD's hydrator writes to it (the
     * hydrator's own first commit is unsigned, see test/e2e/audit-steps.ts).
     */
    openBranch(branch: string, message: string): string {
        if (this.hasBranch(branch)) return this.head(branch);
        if (!this.signer) throw new Error("the repository has no signer");
        const emptyTree = git(this.checkout, ["hash-object", "-t", "tree", "/dev/null"]).trim();
        const commit = git(this.checkout, [...this.identity(this.signer), "commit-tree", "-S", emptyTree, "-m", message], signingEnv(this.signer)).trim();
        git(this.checkout, ["push", "--quiet", "origin", `${commit}:refs/heads/${branch}`]);
        return commit;
    }

    /** Reverts `commit` with a new commit (signed by the repository's signer) and pushes it: a rollback in Git. */
    revert(commit: string): string {
        git(this.checkout, [...this.identity(this.signer), "revert", "--no-edit", commit], this.signer ? signingEnv(this.signer) : {});
        git(this.checkout, ["push", "--quiet", "origin", BRANCH]);
        return this.head();
    }

    /** Moves the branch back to `commit` and force-pushes it: a maintainer dropping refused commits. */
    resetTo(commit: string): string {
        git(this.checkout, ["reset", "--quiet", "--hard", commit]);
        git(this.checkout, ["push", "--quiet", "--force", "origin", BRANCH]);
        return this.head();
    }

    /**
     * Signs again, with the repository's signer, every commit after `base` (a rebase that rewrites
     * them) and force-pushes the branch: what a maintainer does after reviewing unsigned commits.
     */
    resignSince(base: string): string {
        if (!this.signer) throw new Error("the repository has no signer");
        const amend = ["git", ...this.identity(this.signer), "commit", "--amend", "--no-edit", "--quiet", "-S"].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
        git(this.checkout, [...this.identity(this.signer), "rebase", "--quiet", "--exec", amend, base], signingEnv(this.signer));
        git(this.checkout, ["push", "--quiet", "--force", "origin", BRANCH]);
        return this.head();
    }

    /** Commits everything, signed by `signer`, or unsigned without one. */
    private commitAll(message: string, signer: GpgKey | undefined): void {
        git(this.checkout, ["add", "--all"]);
        git(this.checkout, [...this.identity(signer), "commit", "--quiet", "-m", message], signer ? signingEnv(signer) : {});
    }

    /** Author and committer (the signer's identity when signing), and the signing settings. */
    private identity(signer: GpgKey | undefined): string[] {
        const [, name, email] = /^(.*) <(.*)>$/.exec(signer?.uid ?? "gitops-platform e2e <e2e@gitops-platform.invalid>")!;
        return ["-c", `user.name=${name}`, "-c", `user.email=${email}`, ...(signer ? signingArgs(signer) : ["-c", "commit.gpgsign=false"])];
    }
}

function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
    // stderr captured: a failure's error carries it, and a rebase's progress stays out of the output.
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", ...env } });
}
