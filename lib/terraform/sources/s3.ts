/**
 * The `s3` source: Terraform's s3 backend on AWS S3 or an S3-compatible server, with the AWS SDK v3
 * default credential chain (environment, shared config/SSO, web identity, container and instance roles).
 */
import { TerraformSourceError, TransientSourceError, errorText } from "../errors";
import { withRetry } from "../retry";
import { type StateSummary, stateFromText } from "../state";
import { type S3Source, s3StateKey } from "../source";
import type { SourceContext } from "./context";

/** Fields of AWS SDK v3 service errors this reader looks at. */
interface AwsErrorShape {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
}

const NETWORK_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ENOTFOUND", "ECONNABORTED"]);

/** Sorts an SDK failure into fatal (thrown as `TerraformSourceError`) or transient (retried). */
function classify(err: unknown, source: S3Source, key: string, context: SourceContext): Error {
    const e = (err ?? {}) as AwsErrorShape;
    const status = e.$metadata?.httpStatusCode;
    const name = e.name ?? "";
    const where = `s3://${source.bucket}/${key}`;
    if (name === "CredentialsProviderError" || /Could not load credentials/i.test(e.message ?? "")) {
        return new TerraformSourceError(
            context.description,
            "bad-input",
            "no AWS credentials: the default credential chain found none (set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run where a role is available)",
        );
    }
    if (name === "NoSuchBucket") return new TerraformSourceError(context.description, "not-found", `404 Not Found: the bucket ${source.bucket} does not exist`);
    if (name === "NoSuchKey" || status === 404) {
        const workspace = source.workspace ?? "default";
        return new TerraformSourceError(
            context.description,
            "not-found",
            `404 Not Found: no state object at ${where} (workspace ${JSON.stringify(workspace)}; check the workspace, key and workspace_key_prefix)`,
        );
    }
    if (status === 401) return new TerraformSourceError(context.description, "unauthorized", `401 Unauthorized at ${where}: ${name || "the credentials were rejected"}`);
    if (status === 403 || name === "AccessDenied" || name === "InvalidAccessKeyId" || name === "SignatureDoesNotMatch") {
        return new TerraformSourceError(context.description, "forbidden", `403 Forbidden at ${where}: ${name || "access denied"} (the credentials may not read this state)`);
    }
    if (name === "TimeoutError" || name === "AbortError" || name === "RequestTimeout") {
        return new TransientSourceError(`no complete answer for ${where} within ${context.timeoutMs} ms (timeout)`);
    }
    if (status === 429 || (status !== undefined && status >= 500) || e.$retryable || NETWORK_CODES.has(e.code ?? "") || NETWORK_CODES.has(name)) {
        return new TransientSourceError(`${status ?? ""} ${name || "network error"} for ${where} (${errorText(err)})`.trim());
    }
    return new TerraformSourceError(context.description, "bad-input", `cannot read ${where} (${name ? `${name}: ` : ""}${errorText(err)})`);
}

/** Reads the outputs of the state object of the source's workspace. */
export async function readS3State(source: S3Source, context: SourceContext): Promise<StateSummary> {
    // Loaded on demand: the SDK is large and the other sources do not need it.
    const { S3Client, GetObjectCommand } = await import("@aws-sdk/client-s3");
    const key = s3StateKey(source);
    const client = new S3Client({
        region: source.region,
        endpoint: source.endpoint,
        forcePathStyle: source.forcePathStyle ?? false,
        // Retries are ours, so every source backs off the same way and honours the same bound.
        maxAttempts: 1,
        requestHandler: { connectionTimeout: context.timeoutMs, requestTimeout: context.timeoutMs },
    });
    try {
        const text = await withRetry(context.description, context.retry, async () => {
            try {
                const answer = await client.send(new GetObjectCommand({ Bucket: source.bucket, Key: key }), {
                    abortSignal: AbortSignal.timeout(context.timeoutMs),
                });
                if (!answer.Body) return "";
                return await answer.Body.transformToString("utf8");
            } catch (err) {
                throw classify(err, source, key, context);
            }
        });
        return stateFromText(text, context.description);
    } finally {
        client.destroy();
    }
}
