/**
 * A bare Git repository that Argo CD reads over `file://`, made from folders of the working tree
 * (uncommitted changes included: the loop proves what is in the checkout), with one commit per
 * change, as a developer would push them.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const BRANCH = "main";

export class GitRepository {
    private constructor(
        /** The bare repository. */
        readonly bare: string,
        /** A clone to commit from. */
        private readonly checkout: string,
    ) {}

    /** `file://` URL Argo CD clones. */
    get url(): string {
        return `file://${this.bare}`;
    }

    static fromWorkingTree(projectRoot: string, dir: string, folders: string[]): GitRepository {
        const bare = path.join(dir, "gitops-platform.git");
        const checkout = path.join(dir, "checkout");
        fs.mkdirSync(checkout, { recursive: true });
        git(dir, ["init", "--quiet", "--bare", "--initial-branch", BRANCH, bare]);
        git(checkout, ["init", "--quiet", "--initial-branch", BRANCH]);
        for (const folder of folders) fs.cpSync(path.join(projectRoot, folder), path.join(checkout, folder), { recursive: true });
        const repo = new GitRepository(bare, checkout);
        repo.commitAll("the working tree's charts");
        git(checkout, ["remote", "add", "origin", bare]);
        git(checkout, ["push", "--quiet", "origin", BRANCH]);
        return repo;
    }

    /** The commit the branch points at. */
    head(): string {
        return git(this.bare, ["rev-parse", BRANCH]).trim();
    }

    /** Edits one file, commits and pushes; returns the new commit. */
    commitChange(file: string, edit: (text: string) => string, message: string): string {
        const full = path.join(this.checkout, file);
        fs.writeFileSync(full, edit(fs.readFileSync(full, "utf8")));
        this.commitAll(message);
        git(this.checkout, ["push", "--quiet", "origin", BRANCH]);
        return this.head();
    }

    private commitAll(message: string): void {
        git(this.checkout, ["add", "--all"]);
        git(this.checkout, ["-c", "user.name=gitops-platform e2e", "-c", "user.email=e2e@gitops-platform.invalid", "commit", "--quiet", "-m", message]);
    }
}

function git(cwd: string, args: string[]): string {
    return execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" } });
}
