/**
 * Reads the root-module outputs of a Terraform state from any supported source. Plain async code
 * without Pulumi: the CLI uses it, and the program root awaits it before registering any resource
 * so that a bad or unreachable state fails early and nothing is half-applied.
 */
import type { SourceCredentials } from "./credentials";
import { TerraformSourceError, scrubError } from "./errors";
import type { TerraformOutputSet } from "./outputSet";
import type { StateSummary } from "./state";
import { type OutputSpec, requireOutputs } from "./requireOutputs";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry";
import { type TerraformSource, TerraformSourceSchema, describeSource } from "./source";
import type { SourceContext } from "./sources/context";
import { httpSecrets, readHttpState } from "./sources/http";
import { readOutputJson } from "./sources/json";
import { readLocalState } from "./sources/local";
import { readRemoteState, remoteSecrets } from "./sources/remote";
import { readS3State } from "./sources/s3";
import { formatZodIssues } from "../zodIssues";

/** Options of `readTerraformOutputs`. */
export interface ReadTerraformOutputsOptions {
    /** http password / remote token, e.g. from Pulumi secret config. Default: `TF_HTTP_PASSWORD` / `TF_TOKEN_<host>`. */
    credentials?: SourceCredentials;
    /** Time allowed for one network attempt, answer and body included, in milliseconds. Default: 30000. */
    timeoutMs?: number;
    /** Retries after the first attempt for 429/5xx, resets and timeouts. Default: 4. */
    retries?: number;
    /** Delay before the first retry, doubled for each further one, in milliseconds. Default: 250. */
    retryBaseDelayMs?: number;
    /** Upper bound of one retry delay in milliseconds. Default: 5000. */
    retryMaxDelayMs?: number;
    /** Outputs that must be present with these types (see `requireOutputs`). Default: none. */
    required?: OutputSpec;
    /** Environment for credential variables. Default: `process.env`. */
    env?: NodeJS.ProcessEnv;
}

/**
 * Validates `source` (one error listing every bad field), reads the state or output file, and returns
 * its root-module outputs. Every failure is a `TerraformSourceError` naming the source; credentials
 * never appear in it.
 */
export async function readTerraformOutputs(source: TerraformSource, options: ReadTerraformOutputsOptions = {}): Promise<TerraformOutputSet> {
    return (await readTerraformState(source, options)).outputs;
}

/**
 * As `readTerraformOutputs`, with the state's lineage, serial and Terraform version next to the
 * outputs (unset for a `terraform output -json` file, which has none): what the program records so a
 * later drift check can tell that the state moved on.
 */
export async function readTerraformState(source: TerraformSource, options: ReadTerraformOutputsOptions = {}): Promise<StateSummary> {
    const parsed = TerraformSourceSchema.safeParse(source);
    if (!parsed.success) {
        throw new TerraformSourceError(
            "Terraform source settings",
            "bad-input",
            `invalid:\n  - ${formatZodIssues(parsed.error.issues).join("\n  - ")}`,
        );
    }
    const valid = parsed.data;
    const retry: RetryPolicy = {
        retries: options.retries ?? DEFAULT_RETRY_POLICY.retries,
        baseDelayMs: options.retryBaseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
        maxDelayMs: options.retryMaxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
    };
    const context: SourceContext = {
        description: describeSource(valid),
        credentials: options.credentials,
        timeoutMs: options.timeoutMs ?? 30000,
        retry,
        env: options.env ?? process.env,
    };
    let secrets: string[] = [];
    try {
        let state: StateSummary;
        switch (valid.backend) {
            case "local": {
                state = await readLocalState(valid, context);
                break;
            }
            case "json": {
                state = { outputs: await readOutputJson(valid, context) };
                break;
            }
            case "http": {
                secrets = await httpSecrets(valid, context);
                state = await readHttpState(valid, context);
                break;
            }
            case "s3": {
                state = await readS3State(valid, context);
                break;
            }
            case "remote": {
                secrets = await remoteSecrets(valid, context);
                state = await readRemoteState(valid, context);
                break;
            }
        }
        if (options.required) requireOutputs(state.outputs, options.required, context.description);
        return state;
    } catch (err) {
        // Messages are built without credentials; scrubbing catches a server that echoes one back.
        if (err instanceof Error) throw scrubError(err, secrets);
        throw err;
    }
}
