import { createHmac } from "crypto";
import { RegisteredResource } from "./run-program";
import { isSerializedSecret, unwrapSecrets } from "./secrets";

/**
 * The environment variable that asks the plan for secret fingerprints. Only `npm run review` sets
 * it, with a random key it holds in memory for one run: the fingerprints let it say that a secret
 * changed between two plans without either plan writing the value, and they are worthless (not
 * even comparable) once that key is gone.
 */
export const FINGERPRINT_KEY_ENV = "PLAN_SECRET_FINGERPRINT_KEY";

/** File the fingerprints are written to, beside resources.json. */
export const FINGERPRINTS_FILE = "secret-fingerprints.json";

/** `{ urn: { "dotted.input.path": hmac } }` for every secret input; empty when the key is unset. */
export function secretFingerprints(resources: RegisteredResource[], key: string): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    const walk = (value: unknown, path: string, into: Record<string, string>) => {
        if (isSerializedSecret(value)) {
            into[path] = createHmac("sha256", key).update(JSON.stringify(unwrapSecrets(value.value) ?? null)).digest("hex");
        } else if (Array.isArray(value)) {
            value.forEach((v, i) => walk(v, `${path}[${i}]`, into));
        } else if (typeof value === "object" && value !== null) {
            for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k, into);
        }
    };
    for (const r of resources) {
        const found: Record<string, string> = {};
        walk(r.properties, "", found);
        if (Object.keys(found).length > 0) out[r.urn] = found;
    }
    return out;
}
