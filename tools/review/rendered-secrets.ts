/**
 * The review shows rendered objects, never a rendered Secret's data: each value is replaced by
 * `[redacted]` and kept only as a keyed fingerprint, so a changed value shows as changed.
 */
import { createHmac } from "crypto";
import { RenderedObject } from "../manifests/chart-render";
import { Manifest } from "../manifests/types";
import { Fingerprints } from "./object-diff";

const REDACTED = "[redacted]";

/** A rendered object as the review shows it: a Secret with every data value redacted and fingerprinted. */
export function redactRenderedObject({ object }: RenderedObject, key: string): { object: Manifest; fingerprints: Fingerprints } {
    const fingerprints: Fingerprints = {};
    if (object.kind !== "Secret") return { object, fingerprints };
    const copy = { ...object } as Record<string, unknown>;
    for (const field of ["data", "stringData"]) {
        const data = copy[field];
        if (typeof data !== "object" || data === null) continue;
        copy[field] = Object.fromEntries(
            Object.entries(data as Record<string, unknown>).map(([k, v]) => {
                fingerprints[`${field}.${k}`] = createHmac("sha256", key).update(String(v)).digest("hex");
                return [k, REDACTED];
            }),
        );
    }
    return { object: copy as Manifest, fingerprints };
}
