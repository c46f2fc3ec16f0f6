/**
 * The loop's Git server as Argo CD meets it: the repository made from the working tree, served over
 * HTTPS with credentials (git-server.ts), a reader for the repo server and a committer for the commit
 * server. Their passwords are made here, live only in this process and in the two Argo CD repository
 * Secrets it applies (the way a platform team makes them outside Pulumi), and never reach Pulumi state,
 * a stack file or a log.
 */
import * as crypto from "crypto";
import * as path from "path";
import { GitRepository } from "./git-repository";
import { GitServer, startGitServer } from "./git-server";
import type { GpgKey } from "./gpg";
import { Kubectl } from "./kubectl";

/** The Secrets the local stack names (`credentials.existingSecret`, `writeCredentials.existingSecret`). */
export const READ_SECRET = "gitops-platform-read";
export const WRITE_SECRET = "gitops-platform-write";

export interface LoopGit {
    repo: GitRepository;
    server: GitServer;
    /** `https://127.0.0.1:<port>/gitops-platform.git`. */
    url: string;
    /** Applies the read and write Secrets in Argo CD's namespace (which must exist); `readPassword` replaces the reader's (to try a wrong one). */
    applySecrets(kubectl: Kubectl, namespace: string, readPassword?: string): Promise<void>;
}

export async function serveLoopGit(options: { projectRoot: string; dir: string; signer?: GpgKey; detached?: boolean }): Promise<LoopGit> {
    const repo = GitRepository.fromWorkingTree(options.projectRoot, path.join(options.dir, "repos"), ["charts"], options.signer);
    const reader = { username: "argocd-repo-server", password: crypto.randomBytes(24).toString("base64url") };
    const committer = { username: "argocd-commit-server", password: crypto.randomBytes(24).toString("base64url") };
    const server = await startGitServer({ root: path.dirname(repo.bare), dataDir: path.join(options.dir, "server"), users: [reader, committer], writers: [committer.username], detached: options.detached });
    const url = server.url(repo.name);
    const secret = (kubectl: Kubectl, namespace: string, name: string, type: string, user: { username: string; password: string }) =>
        kubectl.applySecret(namespace, name, { type: "git", url, username: user.username, password: user.password }, { "argocd.argoproj.io/secret-type": type });
    return {
        repo,
        server,
        url,
        applySecrets: async (kubectl, namespace, readPassword) => {
            await secret(kubectl, namespace, READ_SECRET, "repository", { ...reader, password: readPassword ?? reader.password });
            await secret(kubectl, namespace, WRITE_SECRET, "repository-write", committer);
        },
    };
}
