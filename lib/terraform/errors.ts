/**
 * Errors raised while reading Terraform outputs. Every message starts with the source it concerns
 * (for example `http backend https://tf.example.com/state/platform`) and never carries a credential.
 */

/** What went wrong, so callers (the CLI, the program root) can react without parsing messages. */
export type TerraformSourceErrorKind =
    /** The source settings themselves are wrong (missing flag, bad URL, no credentials). */
    | "bad-input"
    /** The source was reached but holds no state at that place (HTTP/S3 404, unknown workspace). */
    | "not-found"
    /** The source rejected the credentials (HTTP 401). */
    | "unauthorized"
    /** The credentials are valid but may not read the state (HTTP 403). */
    | "forbidden"
    /** The source could not be reached or kept failing (5xx, 429, resets, timeouts) after the retries. */
    | "unavailable"
    /** The content is not a readable Terraform state or output file (not JSON, truncated, wrong version). */
    | "format"
    /** Required outputs are missing or have the wrong type. */
    | "outputs";

/** One error naming the source and every problem found there. */
export class TerraformSourceError extends Error {
    /** Description of the source, as printed at the start of the message. */
    readonly source: string;
    /** Category of the failure. */
    readonly kind: TerraformSourceErrorKind;

    constructor(source: string, kind: TerraformSourceErrorKind, problem: string) {
        super(`${source}: ${problem}`);
        this.name = "TerraformSourceError";
        this.source = source;
        this.kind = kind;
    }
}

/**
 * A failure worth another attempt (HTTP 429/5xx, connection reset, timeout). The retry loop turns the
 * last one into a `TerraformSourceError` of kind `unavailable`.
 */
export class TransientSourceError extends Error {
    /** Delay the server asked for (`Retry-After`), in milliseconds; unset when it did not say. */
    readonly retryAfterMs?: number;

    constructor(message: string, retryAfterMs?: number) {
        super(message);
        this.name = "TransientSourceError";
        this.retryAfterMs = retryAfterMs;
    }
}

/**
 * Replaces every occurrence of the given secret values in a message by `[redacted]`. A last line of
 * defence: messages are written not to include secrets, but a server may echo one back.
 */
export function redactSecrets(message: string, secrets: readonly (string | undefined)[]): string {
    let out = message;
    for (const secret of secrets) {
        // Very short values would redact ordinary words; credentials are never that short.
        if (secret && secret.length >= 4) out = out.split(secret).join("[redacted]");
    }
    return out;
}

/** Returns `err` with its message scrubbed of `secrets`, keeping its class and fields. */
export function scrubError<E extends Error>(err: E, secrets: readonly (string | undefined)[]): E {
    const clean = redactSecrets(err.message, secrets);
    if (clean !== err.message) err.message = clean;
    if (err.stack) err.stack = redactSecrets(err.stack, secrets);
    return err;
}

/**
 * A URL as it may appear in a message: without user info, and with query values hidden (signed
 * download URLs and some state servers carry tokens there).
 */
export function displayUrl(raw: string): string {
    let url: URL;
    try {
        url = new URL(raw);
    } catch {
        return "(invalid URL)";
    }
    url.username = "";
    url.password = "";
    const keys = [...new Set(url.searchParams.keys())];
    url.search = "";
    return keys.length ? `${url.toString()}?${keys.map((key) => `${encodeURIComponent(key)}=…`).join("&")}` : url.toString();
}

/** Text of an unknown thrown value, for wrapping in a message. */
export function errorText(err: unknown): string {
    if (err instanceof Error) {
        const cause = (err as { cause?: unknown }).cause;
        const causeText = cause instanceof Error ? cause.message : "";
        return causeText && !err.message.includes(causeText) ? `${err.message} (${causeText})` : err.message;
    }
    return String(err);
}
