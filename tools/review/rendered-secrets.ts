/**
 * The review shows rendered objects, never a secret they hold: a rendered Secret's data, and every literal the
 * policy pack's secret detectors find in any object (a token in a ConfigMap, a credential used as a key), is
 * replaced by `[redacted]` and kept only as a keyed fingerprint, so a changed value shows as changed.
 */
import { createHmac } from "crypto";
import { findSecretLiterals } from "gitops-platform-policies/shared";
import { RenderedObject } from "../manifests/chart-render";
import { Manifest } from "../manifests/types";
import { Fingerprints } from "./object-diff";

const REDACTED = "[redacted]";

/** The parent of `path` inside `root` (an object or array), or undefined. */
function parentOf(root: unknown, path: readonly (string | number)[]): Record<string | number, unknown> | undefined {
    let v: unknown = root;
    for (const k of path.slice(0, -1)) v = typeof v === "object" && v !== null ? (v as Record<string | number, unknown>)[k] : undefined;
    return typeof v === "object" && v !== null ? (v as Record<string | number, unknown>) : undefined;
}

/** A rendered object as the review shows it: Secret data and detected literals redacted and fingerprinted. */
export async function redactRenderedObject({ object }: RenderedObject, key: string): Promise<{ object: Manifest; fingerprints: Fingerprints }> {
    const fingerprints: Fingerprints = {};
    const fingerprint = (where: string, value: unknown) => (fingerprints[where] = createHmac("sha256", key).update(String(value)).digest("hex"));
    const copy = structuredClone(object) as Record<string, unknown>;
    if (copy.kind === "Secret") {
        for (const field of ["data", "stringData"]) {
            const data = copy[field];
            if (typeof data !== "object" || data === null) continue;
            copy[field] = Object.fromEntries(
                Object.entries(data as Record<string, unknown>).map(([k, v]) => {
                    fingerprint(`${field}.${k}`, v);
                    return [k, REDACTED];
                }),
            );
        }
    }
    for (const finding of await findSecretLiterals(copy)) {
        const parent = parentOf(copy, finding.at);
        const last = finding.at[finding.at.length - 1];
        if (!parent || last === undefined) continue;
        if (finding.inKey) {
            // The key is the credential: shown by position only, its value kept under the redacted key.
            const n = Object.keys(fingerprints).length;
            fingerprint(`${finding.path}#${n}`, last);
            parent[`${REDACTED} key ${n}`] = parent[last];
            delete parent[last];
        } else {
            fingerprint(finding.path, parent[last]);
            parent[last] = REDACTED;
        }
    }
    return { object: copy as Manifest, fingerprints };
}
