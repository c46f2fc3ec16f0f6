/**
 * GnuPG keys the loop makes for itself (Debian's gnupg): the developer who signs commits, the Argo CD
 * commit server that signs hydrated commits, and a stranger whose key nobody trusts. Each keyring is
 * a throwaway GNUPGHOME; no key has a passphrase (they guard nothing but a test).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** A key pair in its own keyring. */
export interface GpgKey {
    /** Who it is, as `Name <email>`. */
    uid: string;
    /** 40 hex digits, upper case. */
    fingerprint: string;
    /** The keyring that holds the secret key (GNUPGHOME). */
    home: string;
}

/** Makes an ed25519 signing key in a new keyring under `dir`. */
export function makeGpgKey(dir: string, name: string, email: string): GpgKey {
    const home = path.join(dir, `gnupg-${email.replace(/[^\w.-]/g, "_")}`);
    fs.mkdirSync(home, { recursive: true, mode: 0o700 });
    const uid = `${name} <${email}>`;
    gpg(home, ["--batch", "--passphrase", "", "--quick-generate-key", uid, "ed25519", "sign", "never"]);
    const colons = gpg(home, ["--with-colons", "--fingerprint", email]);
    const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(colons)?.[1];
    if (!fingerprint) throw new Error(`gpg made no key for ${uid}:\n${colons}`);
    return { uid, fingerprint, home };
}

/** The ASCII-armored public key. */
export function publicKey(key: GpgKey): string {
    return gpg(key.home, ["--armor", "--export", key.fingerprint]);
}

/** The ASCII-armored secret key: for the commit server's Secret, never for a file in Git. */
export function secretKey(key: GpgKey): string {
    return gpg(key.home, ["--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--armor", "--export-secret-keys", key.fingerprint]);
}

/** `git -c ...` arguments that sign a commit with `key` (GNUPGHOME comes from {@link signingEnv}). */
export function signingArgs(key: GpgKey): string[] {
    return ["-c", "gpg.format=openpgp", "-c", "gpg.program=gpg", "-c", `user.signingkey=${key.fingerprint}`, "-c", "commit.gpgsign=true"];
}

/** The environment git needs to sign with `key`. */
export function signingEnv(key: GpgKey): NodeJS.ProcessEnv {
    return { GNUPGHOME: key.home };
}

/**
 * Stops the gpg-agent of every keyring under `dir` (a `gnupg-*` folder, three levels deep at most):
 * the loop's keys and Argo CD's repo and commit servers each start one, and it outlives them.
 */
export function stopGpgAgents(dir: string, depth = 3): void {
    if (depth < 0 || !fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory())) {
        const full = path.join(dir, entry.name);
        if (entry.name.startsWith("gnupg-")) {
            try {
                execFileSync("gpgconf", ["--kill", "gpg-agent"], { env: { ...process.env, GNUPGHOME: full }, stdio: "ignore" });
            } catch {
                // No agent running there.
            }
        } else {
            stopGpgAgents(full, depth - 1);
        }
    }
}

function gpg(home: string, args: string[]): string {
    return execFileSync("gpg", ["--homedir", home, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}
