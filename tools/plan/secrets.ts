/**
 * Pulumi's RPC serialization marks a secret as an object carrying this signature key and value;
 * the captured resource inputs and stack outputs keep that form so nothing loses its secret-ness.
 */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** What a secret value is replaced with in everything the plan writes or prints. */
export const REDACTED = "[secret]";

export function isSerializedSecret(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** Deep-copies a serialized value, replacing every secret with `replace(secretValue)`. */
export function mapSecrets(value: unknown, replace: (secret: unknown) => unknown): unknown {
    if (isSerializedSecret(value)) {
        return replace(value.value);
    }
    if (Array.isArray(value)) {
        return value.map((v) => mapSecrets(v, replace));
    }
    if (typeof value === "object" && value !== null) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
            out[k] = mapSecrets(v, replace);
        }
        return out;
    }
    return value;
}

/** The value with secrets unwrapped: what a program's code sees at run time. */
export function unwrapSecrets(value: unknown): unknown {
    return mapSecrets(value, (secret) => unwrapSecrets(secret));
}

/**
 * The value with every secret replaced by {@link REDACTED}: safe to write to files and logs. The
 * shape is kept (a secret map stays a map with the same keys, a list the same length), so a
 * redacted Secret's `stringData` is still a map the API server's schema accepts.
 */
export function redactSecrets(value: unknown): unknown {
    return mapSecrets(value, (secret) => redactKeepingShape(unwrapSecrets(secret)));
}

function redactKeepingShape(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(redactKeepingShape);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.keys(value).map((k) => [k, redactKeepingShape((value as Record<string, unknown>)[k])]));
    }
    return REDACTED;
}

/** True when a secret appears anywhere inside the serialized value. */
export function containsSecret(value: unknown): boolean {
    let found = false;
    mapSecrets(value, () => {
        found = true;
        return undefined;
    });
    return found;
}
