/**
 * The keys and the stack of the loop's audit trail (issue 24): the developer who signs commits, the
 * Argo CD commit server that signs hydrated commits (its private key reaches the cluster as a Secret
 * made outside Pulumi), a stranger nobody trusts; and the local stack with strict source integrity
 * on those keys, `hello-service` synced straight from main and `hello-audited`, the same chart,
 * hydrated to environments/local, so both paths run side by side (the e2e run and the bench).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { SIGNING_KEY_SECRET } from "./argocd-commit-server";
import { GpgKey, makeGpgKey, publicKey, secretKey } from "./gpg";
import { Kubectl } from "./kubectl";

/** The hydrated application, and where it runs. */
export const AUDITED_APP = "hello-audited";
export const AUDITED_NAMESPACE = "hello-audited";

/** The loop's keys, and the keyring that verifies with the trusted ones only. */
export interface LoopKeys {
    developer: GpgKey;
    commitServer: GpgKey;
    stranger: GpgKey;
    /** Folder of the trusted public keys, relative to the project root (the stack's keysDirectory). */
    keysDirectory: string;
    /** A GNUPGHOME holding the trusted public keys, for `git verify-commit`. */
    verifier: string;
    /** The commit server's private key as the Secret Argo CD reads it: made here, outside Pulumi. */
    applySigningKeySecret(kubectl: Kubectl, namespace: string): Promise<void>;
}

/**
 * Makes the keys in keyrings under `dir`, and writes the trusted public keys to `keysDirectory`
 * (relative to the project root, git-ignored; emptied first: one folder per run kind).
 */
export function makeLoopKeys(projectRoot: string, dir: string, keysDirectory = "out/e2e/signing-keys"): LoopKeys {
    const developer = makeGpgKey(dir, "Dana Developer", "dana@gitops-platform.invalid");
    const commitServer = makeGpgKey(dir, "Argo CD commit server", "commit-server@gitops-platform.invalid");
    const stranger = makeGpgKey(dir, "Sam Stranger", "sam@stranger.invalid");
    const keysDir = path.join(projectRoot, keysDirectory);
    fs.rmSync(keysDir, { recursive: true, force: true });
    fs.mkdirSync(keysDir, { recursive: true });
    const verifier = path.join(dir, "gnupg-verifier");
    fs.mkdirSync(verifier, { recursive: true, mode: 0o700 });
    for (const key of [developer, commitServer]) {
        const armored = publicKey(key);
        fs.writeFileSync(path.join(keysDir, `${key.fingerprint}.asc`), armored);
        execFileSync("gpg", ["--homedir", verifier, "--batch", "--import"], { input: armored, stdio: ["pipe", "ignore", "ignore"] });
        // Trusted ultimately: `git verify-commit` then says G (good), as Argo CD's keyring does.
        execFileSync("gpg", ["--homedir", verifier, "--batch", "--import-ownertrust"], { input: `${key.fingerprint}:6:\n`, stdio: ["pipe", "ignore", "ignore"] });
    }
    return {
        developer,
        commitServer,
        stranger,
        keysDirectory,
        verifier,
        applySigningKeySecret: (kubectl, namespace) => kubectl.applySecret(namespace, SIGNING_KEY_SECRET, { signingKey: secretKey(commitServer) }),
    };
}

/**
 * The local stack as the loop runs it: strict source integrity with the developer's and the commit
 * server's keys, hydration signed by the commit server; `hello-service` synced straight from main
 * (hydration off), `hello-audited` (the same chart) hydrated.
 */
export function auditedStack(keys: LoopKeys): (platform: Record<string, unknown>) => void {
    return (platform) => {
        const gitops = platform.gitops as Record<string, unknown> & { projects: { name: string; destinations: unknown[] }[]; applications: Record<string, unknown>[] };
        gitops.sourceIntegrity = { mode: "strict", keys: [keys.developer.fingerprint, keys.commitServer.fingerprint], keysDirectory: keys.keysDirectory };
        gitops.hydration = { signingKey: keys.commitServer.fingerprint };
        const direct = gitops.applications.find((a) => a.name === "hello-service");
        if (!direct) throw new Error("stacks/Pulumi.local.yaml declares no application hello-service");
        direct.hydration = { enabled: false };
        // A refused sync retries its revision with backoff (up to 3 min by default) and holds off the
        // sync of a newer one until it gives up: one retry, so a re-signed commit syncs at once.
        direct.retry = { limit: 1, duration: "5s", maxDuration: "5s" };
        gitops.applications.push({ ...direct, name: AUDITED_APP, destination: { namespace: AUDITED_NAMESPACE }, hydration: { enabled: true } });
        gitops.projects.find((p) => p.name === "team-hello")!.destinations.push({ namespace: AUDITED_NAMESPACE });
    };
}
