/** What every source reader receives besides its source settings. */
import type { SourceCredentials } from "../credentials";
import type { RetryPolicy } from "../retry";

/** Settings shared by the source readers. */
export interface SourceContext {
    /** Description of the source that starts every error message (from `describeSource`). */
    description: string;
    /** Credentials given by the program; the readers fall back to Terraform's environment variables. */
    credentials?: SourceCredentials;
    /** Time allowed for one network attempt, in milliseconds. */
    timeoutMs: number;
    /** Retry policy of the network sources. */
    retry: RetryPolicy;
    /** Environment to read `TF_HTTP_PASSWORD` / `TF_TOKEN_<host>` from. */
    env: NodeJS.ProcessEnv;
}
