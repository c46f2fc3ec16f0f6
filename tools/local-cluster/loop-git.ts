/**
 * The loop's Git server as Argo CD meets it: the repository made from the working tree, served over
 * HTTPS with credentials (git-server.ts), a reader for the repo server and a committer for the commit
 * server. Their passwords are made here and live only in this process, the Git server's password file
 * (hashed) and the secrets store, where the loop puts them as a platform team would (loop-secrets.ts):
 * External Secrets Operator makes Argo CD's repository Secrets from there. They never reach Pulumi
 * state, a stack file or a log.
 */
import * as crypto from "crypto";
import * as path from "path";
import { GitRepository } from "./git-repository";
import { GitServer, GitUser, startGitServer } from "./git-server";
import type { GpgKey } from "./gpg";
import type { LoopSecrets } from "./loop-secrets";
import { NetworkProxy, startNetworkProxy } from "./network-proxy";

/** The store keys the stack's ExternalSecrets read the credentials from. */
export interface CredentialKeys {
    read: string;
    write: string;
}

export interface LoopGit {
    repo: GitRepository;
    server: GitServer;
    /** Toxiproxy between Argo CD and the server, when asked for (the e2e loop's network faults). */
    proxy?: NetworkProxy;
    /** `https://127.0.0.1:<port>/gitops-platform.git`: the proxy's port when there is one. */
    url: string;
    /** Puts the reader's and the committer's credentials in the store; `readPassword` replaces the reader's (to try a wrong one). */
    putCredentials(secrets: LoopSecrets, keys: CredentialKeys, readPassword?: string): Promise<void>;
    /**
     * Rotates the reader's credential: a new one is served beside the current one and put in the
     * store; `revoke()` then removes the old one from the server.
     */
    rotateReader(secrets: LoopSecrets, keys: CredentialKeys): Promise<{ old: GitUser; current: GitUser; revoke(): void }>;
    /** Whether the server lets `user` read the repository (a revoked credential does not). */
    reads(user: GitUser): Promise<boolean>;
}

const newPassword = () => crypto.randomBytes(24).toString("base64url");

export async function serveLoopGit(options: { projectRoot: string; dir: string; signer?: GpgKey; detached?: boolean; proxied?: boolean }): Promise<LoopGit> {
    const repo = GitRepository.fromWorkingTree(options.projectRoot, path.join(options.dir, "repos"), ["charts"], options.signer);
    let reader: GitUser = { username: "argocd-repo-server", password: newPassword() };
    const committer: GitUser = { username: "argocd-commit-server", password: newPassword() };
    const server = await startGitServer({ root: path.dirname(repo.bare), dataDir: path.join(options.dir, "server"), users: [reader, committer], writers: [committer.username], detached: options.detached });
    let proxy: NetworkProxy | undefined;
    try {
        if (options.proxied) proxy = await startNetworkProxy({ name: "git", upstreamPort: server.port, dataDir: path.join(options.dir, "proxy"), detached: options.detached });
    } catch (e) {
        await server.process.stop();
        throw e;
    }
    let rotations = 0;
    const put = (secrets: LoopSecrets, key: string, user: GitUser) => secrets.put(key, { username: user.username, password: user.password });
    return {
        repo,
        server,
        proxy,
        url: proxy ? `https://127.0.0.1:${proxy.port}/${repo.name}` : server.url(repo.name),
        putCredentials: async (secrets, keys, readPassword) => {
            await put(secrets, keys.read, { ...reader, password: readPassword ?? reader.password });
            await put(secrets, keys.write, committer);
        },
        rotateReader: async (secrets, keys) => {
            const old = reader;
            // A new user, not only a new password: both are valid until the old one is revoked.
            const current = { username: `argocd-repo-server-${++rotations}`, password: newPassword() };
            server.setUsers([old, current, committer]);
            reader = current;
            await put(secrets, keys.read, current);
            return { old, current, revoke: () => server.setUsers([current, committer]) };
        },
        reads: (user) => server.reads(repo.name, user),
    };
}
