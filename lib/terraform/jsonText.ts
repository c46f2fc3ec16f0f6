/** Parses JSON text from a source, with errors that say whether it was empty, truncated or not JSON. */
import { TerraformSourceError } from "./errors";

/** What the text was meant to be, for messages ("state", "`terraform output -json` file"). */
export type ContentName = string;

/**
 * What JSON.parse said went wrong, without the text it quotes: V8 writes
 * `Unexpected token 'x', ..."password": x"hunter2"... is not valid JSON`, and that text may be a
 * sensitive output.
 */
export function jsonErrorDetail(err: unknown): string {
    return (err instanceof Error ? err.message : String(err)).replace(/,\s*(\.\.\.)?".*"(\.\.\.)? is not valid JSON$/s, "");
}

/** `JSON.parse` with one clear error naming the source when the text is empty, cut short or not JSON. */
export function parseJsonText(text: string, source: string, content: ContentName): unknown {
    if (text.trim() === "") throw new TerraformSourceError(source, "format", `the ${content} is empty`);
    try {
        return JSON.parse(text);
    } catch (err) {
        const detail = jsonErrorDetail(err);
        // V8 says "Unexpected end of JSON input" (or "Unterminated string") when the text stops early.
        if (/end of JSON input|Unterminated string/i.test(detail)) {
            throw new TerraformSourceError(
                source,
                "format",
                `the ${content} is truncated: the JSON ends after ${Buffer.byteLength(text)} bytes before it is complete`,
            );
        }
        throw new TerraformSourceError(source, "format", `the ${content} is not valid JSON (${detail})`);
    }
}
