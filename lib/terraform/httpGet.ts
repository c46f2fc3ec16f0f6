/**
 * GET with a timeout, status handling and retries, shared by the http and remote sources.
 * 429/5xx, resets, cut-off bodies and timeouts are retried; 401, 403 and 404 fail at once.
 */
import { TerraformSourceError, TransientSourceError, displayUrl, errorText } from "./errors";
import { type RetryPolicy, withRetry } from "./retry";

/** One GET request. */
export interface HttpGetRequest {
    /** URL to fetch. */
    url: string;
    /** Request headers (may hold credentials: they are never printed). Default: none. */
    headers?: Record<string, string>;
    /** Time allowed for one attempt, answer and whole body included, in milliseconds. */
    timeoutMs: number;
    /** Retry policy for transient failures. */
    retry: RetryPolicy;
    /** Source description that starts every error message. */
    source: string;
    /** What a 404 means at this URL, e.g. "no state is stored at this address". */
    notFound: string;
}

/** A successful answer. */
export interface HttpGetResponse {
    /** HTTP status (2xx). */
    status: number;
    /** Body text (empty for 204). */
    body: string;
}

/** `Retry-After` in milliseconds (seconds or an HTTP date), or undefined. */
function retryAfterMs(header: string | null): number | undefined {
    if (!header) return undefined;
    const seconds = Number(header);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(header);
    return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Whether a failure thrown by `fetch` or by reading the body is worth another attempt. */
function transientFromFetchError(err: unknown, where: string, timeoutMs: number, phase: "request" | "body"): TransientSourceError | undefined {
    if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) {
        return new TransientSourceError(`no complete answer from ${where} within ${timeoutMs} ms (timeout)`);
    }
    if (phase === "body") {
        return new TransientSourceError(`the connection to ${where} closed before the whole body arrived (truncated body: ${errorText(err)})`);
    }
    if (err instanceof TypeError && err.message === "fetch failed") {
        // undici reports network failures as TypeError("fetch failed") with the socket error as cause.
        return new TransientSourceError(`cannot reach ${where} (${errorText(err)})`);
    }
    return undefined;
}

/** Redirects followed per attempt, as browsers and Go's client bound them. */
const MAX_REDIRECTS = 10;

/**
 * One GET, following redirects by hand: a redirect to another origin gets no request headers (they
 * may carry the token, the basic-auth password or a header credential), and one from https to plain
 * http is refused, so a state server cannot move the credentials somewhere else or into the clear.
 */
async function fetchFollowing(request: HttpGetRequest, signal: AbortSignal, where: string): Promise<Response> {
    let url = new URL(request.url);
    const origin = url.origin;
    for (let hop = 0; ; hop++) {
        const headers = url.origin === origin ? request.headers : undefined;
        const response = await fetch(url, { headers, signal, redirect: "manual" });
        const location = response.headers.get("location");
        if (![301, 302, 303, 307, 308].includes(response.status) || location === null) return response;
        await response.body?.cancel().catch(() => undefined);
        if (hop >= MAX_REDIRECTS) throw new TerraformSourceError(request.source, "bad-input", `more than ${MAX_REDIRECTS} redirects from ${where}`);
        let next: URL;
        try {
            next = new URL(location, url);
        } catch {
            throw new TerraformSourceError(request.source, "bad-input", `${where} redirected to an invalid URL`);
        }
        if (next.protocol !== "https:" && next.protocol !== "http:") {
            throw new TerraformSourceError(request.source, "bad-input", `${where} redirected to a URL that is not http or https`);
        }
        if (url.protocol === "https:" && next.protocol === "http:") {
            throw new TerraformSourceError(request.source, "bad-input", `${where} redirected from https to plain http (${displayUrl(next.toString())}); refused, the answer could be read or changed on the way`);
        }
        url = next;
    }
}

/** GETs `request.url`, retrying transient failures; throws `TerraformSourceError` otherwise. */
export async function httpGet(request: HttpGetRequest): Promise<HttpGetResponse> {
    const where = displayUrl(request.url);
    return withRetry(request.source, request.retry, async () => {
        const signal = AbortSignal.timeout(request.timeoutMs);
        let response: Response;
        try {
            response = await fetchFollowing(request, signal, where);
        } catch (err) {
            if (err instanceof TerraformSourceError) throw err;
            const transient = transientFromFetchError(err, where, request.timeoutMs, "request");
            if (transient) throw transient;
            throw new TerraformSourceError(request.source, "bad-input", `cannot request ${where} (${errorText(err)})`);
        }
        const status = response.status;
        if (status === 401 || status === 403 || status === 404) {
            await response.body?.cancel().catch(() => undefined);
            if (status === 404) throw new TerraformSourceError(request.source, "not-found", `404 Not Found at ${where}: ${request.notFound}`);
            if (status === 401) {
                throw new TerraformSourceError(request.source, "unauthorized", `401 Unauthorized at ${where}: the credentials are missing or were rejected`);
            }
            throw new TerraformSourceError(request.source, "forbidden", `403 Forbidden at ${where}: the credentials may not read this state`);
        }
        if (status === 429 || status >= 500) {
            await response.body?.cancel().catch(() => undefined);
            throw new TransientSourceError(
                `${status} ${response.statusText || "error"} from ${where}`,
                retryAfterMs(response.headers.get("retry-after")),
            );
        }
        if (status < 200 || status >= 300) {
            await response.body?.cancel().catch(() => undefined);
            throw new TerraformSourceError(request.source, "bad-input", `unexpected HTTP ${status} ${response.statusText} at ${where}`);
        }
        try {
            return { status, body: await response.text() };
        } catch (err) {
            throw transientFromFetchError(err, where, request.timeoutMs, "body") as TransientSourceError;
        }
    });
}
