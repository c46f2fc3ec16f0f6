/**
 * The public keys a stack trusts to sign commits, read from Git (`<keysDirectory>/<fingerprint>.asc`)
 * and checked before any resource is registered: the file holds one public key (never a private one)
 * whose primary fingerprint is the one the config names. A key that is not what the config says would
 * make Argo CD trust someone else, or refuse every commit.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigProblem, StackConfigError } from "../lib/stackConfigError";
import type { PlatformConfig } from "./schema";

/** A trusted key as Argo CD takes it. */
export interface SigningKey {
    /** 40 hex digits, upper case. */
    fingerprint: string;
    /** The long key ID (the fingerprint's last 16 digits): the key of `argocd-gpg-keys-cm` and of project policies. */
    keyId: string;
    /** The ASCII-armored public key. */
    armored: string;
}

/** The file a trusted key is read from, relative to the project root. */
export function signingKeyFile(keysDirectory: string, fingerprint: string): string {
    return path.posix.join(keysDirectory, `${fingerprint}.asc`);
}

/** Every trusted key of the stack (none without source integrity); one StackConfigError with every bad key. */
export async function readSigningKeys(stack: string, platform: PlatformConfig, projectRoot = process.cwd()): Promise<SigningKey[]> {
    const integrity = platform.gitops.sourceIntegrity;
    if (!integrity) return [];
    // Loaded only here: most stacks trust no key, and the program's start-up should not pay for it.
    const openpgp = await import("openpgp");
    const problems: ConfigProblem[] = [];
    const keys: SigningKey[] = [];
    await Promise.all(
        integrity.keys.map(async (fingerprint, i): Promise<void> => {
            const file = signingKeyFile(integrity.keysDirectory, fingerprint);
            const problem = (message: string): void => void problems.push({ path: `platform.gitops.sourceIntegrity.keys[${i}]`, message: `${file}: ${message}` });
            let armored: string;
            try {
                armored = fs.readFileSync(path.resolve(projectRoot, file), "utf8");
            } catch (e) {
                return problem((e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file; export the public key with gpg --armor --export <fingerprint>" : (e as Error).message);
            }
            if (/-----BEGIN PGP PRIVATE KEY BLOCK-----/.test(armored)) {
                return problem("holds a private key: only the public key belongs in Git (gpg --armor --export, not --export-secret-keys)");
            }
            let key: Awaited<ReturnType<typeof openpgp.readKey>>;
            try {
                key = await openpgp.readKey({ armoredKey: armored });
            } catch (e) {
                return problem(`not an ASCII-armored OpenPGP public key (${(e as Error).message})`);
            }
            const actual = key.getFingerprint().toUpperCase();
            if (actual !== fingerprint) return problem(`holds the key ${actual}, not ${fingerprint}`);
            keys.push({ fingerprint, keyId: fingerprint.slice(-16), armored });
        }),
    );
    if (problems.length > 0) throw new StackConfigError(stack, problems);
    return integrity.keys.map((f) => keys.find((k) => k.fingerprint === f)!);
}
