/**
 * Bounded retries with exponential backoff for the network sources (http, s3, remote).
 * Only `TransientSourceError`s are retried; anything else (401, 403, 404, bad content) fails at once.
 */
import { TerraformSourceError, TransientSourceError } from "./errors";

/** How often and how patiently a network source is retried. */
export interface RetryPolicy {
    /** Attempts after the first one. Default: 4 (five attempts in all). */
    retries: number;
    /** Delay before the first retry in milliseconds; doubled for every further retry. Default: 250. */
    baseDelayMs: number;
    /** Upper bound of one delay, also for a server's `Retry-After`. Default: 5000. */
    maxDelayMs: number;
}

/** The defaults of `RetryPolicy`. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 4, baseDelayMs: 250, maxDelayMs: 5000 };

/** Backoff before retry number `retry` (0-based): exponential, capped, with jitter in its upper half. */
export function backoffDelayMs(policy: RetryPolicy, retry: number, retryAfterMs?: number): number {
    const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
    // Jitter spreads clients that failed together; keeping the lower half fixed keeps the bound useful.
    const jittered = exponential / 2 + Math.random() * (exponential / 2);
    return Math.min(policy.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0));
}

/**
 * Runs `attempt` until it succeeds, throws a non-transient error, or the retries are used up; then
 * throws a `TerraformSourceError` of kind `unavailable` naming `source`, the attempt count and the
 * last failure.
 */
export async function withRetry<T>(
    source: string,
    policy: RetryPolicy,
    attempt: (attemptNumber: number) => Promise<T>,
): Promise<T> {
    for (let n = 0; ; n++) {
        try {
            return await attempt(n + 1);
        } catch (err) {
            if (!(err instanceof TransientSourceError)) throw err;
            if (n >= policy.retries) {
                const attempts = n + 1;
                throw new TerraformSourceError(
                    source,
                    "unavailable",
                    `${err.message}; gave up after ${attempts} attempt${attempts === 1 ? "" : "s"}`,
                );
            }
            await new Promise((resolve) => setTimeout(resolve, backoffDelayMs(policy, n, err.retryAfterMs)));
        }
    }
}
