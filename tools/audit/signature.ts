/**
 * Whether a dry commit's signature counts: with `--trusted-keys`, a good signature (gpg's G, or U:
 * good but the key's validity unknown to this keyring) by one of those keys; without, what git calls
 * good (G: good and the key valid in the keyring). Everything else is shown as what it is.
 */
import type { CommitSignature, SignatureStatus, SignatureVerdict } from "./model";

const MEANING: Record<SignatureStatus, string> = {
    G: "good signature",
    B: "bad signature",
    U: "good signature, key of unknown validity (not trusted in this keyring)",
    X: "good signature that has expired",
    Y: "good signature by an expired key",
    R: "good signature by a revoked key",
    E: "signature cannot be checked (key not in the keyring)",
    N: "no signature",
};

/** Upper case, no spaces: how fingerprints are compared. */
export function normalizeFingerprint(fpr: string): string {
    return fpr.replace(/\s+/g, "").toUpperCase();
}

export function signatureVerdict(signature: CommitSignature | undefined, trustedKeys: readonly string[] | undefined): SignatureVerdict {
    if (!signature) return { status: "not-checked", meaning: "signature not checked (outside what this query needed)", verified: false };
    const { status, fingerprint, keyId, signer } = signature;
    const base = { status, meaning: MEANING[status] ?? `unknown status ${status}`, fingerprint, keyId, signer };
    if (trustedKeys === undefined) return { ...base, verified: status === "G" };
    const trusted = new Set(trustedKeys.map(normalizeFingerprint));
    const keys = [fingerprint, signature.primaryFingerprint].filter((k): k is string => !!k).map(normalizeFingerprint);
    // A long key id is the fingerprint's last 16 hex digits: a trusted key given by id matches too.
    const trustedKey = keys.some((k) => trusted.has(k) || [...trusted].some((t) => t.length >= 16 && k.endsWith(t)));
    return { ...base, trustedKey, verified: (status === "G" || status === "U") && trustedKey };
}
