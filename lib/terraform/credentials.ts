/**
 * Credentials for the http and remote sources. They are never part of a source description: the
 * program passes them from Pulumi secret config, or they come from the environment variables
 * Terraform itself reads.
 */

/**
 * A secret as the program holds it: plain text, a promise, or a Pulumi `Output<string>` (recognised
 * by its `apply` method, so this module needs no Pulumi import and the CLI starts fast).
 */
export type SecretInput = string | PromiseLike<string> | { apply<U>(fn: (value: string) => U): unknown };

/** Credentials passed to `readTerraformOutputs`. */
export interface SourceCredentials {
    /** Basic-auth password of the http backend. Default: the `TF_HTTP_PASSWORD` environment variable. */
    password?: SecretInput;
    /** API token of the remote backend. Default: the `TF_TOKEN_<host>` environment variable. */
    token?: SecretInput;
}

/** Resolves a secret input to its text; `undefined` stays `undefined`. */
export async function resolveSecret(input: SecretInput | undefined): Promise<string | undefined> {
    if (input === undefined || typeof input === "string") return input;
    if ("then" in input && typeof input.then === "function") return await input;
    if ("apply" in input && typeof input.apply === "function") {
        // An Output's apply runs once its value is known. Config secrets are known in preview too;
        // an Output that stays unknown in preview (a resource's output) would never resolve here.
        const output = input as { apply<U>(fn: (value: string) => U): unknown };
        return await new Promise<string>((resolve) => output.apply((value) => resolve(value)));
    }
    throw new TypeError("a credential must be a string, a promise of one or a Pulumi Output<string>");
}

/**
 * The environment variable Terraform reads a host's token from: `TF_TOKEN_` plus the host name with
 * dots as underscores and hyphens as double underscores (`app.terraform.io` gives
 * `TF_TOKEN_app_terraform_io`). A port is not part of the name.
 */
export function tokenEnvVar(hostname: string): string {
    const host = hostname.replace(/:\d+$/, "");
    return `TF_TOKEN_${host.replace(/-/g, "__").replace(/\./g, "_")}`;
}

/** The token for `hostname`: the given one, else `TF_TOKEN_<host>` from `env`. */
export async function remoteToken(
    hostname: string,
    credentials: SourceCredentials | undefined,
    env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
    const given = await resolveSecret(credentials?.token);
    return given || env[tokenEnvVar(hostname)] || undefined;
}

/** The http backend password: the given one, else `TF_HTTP_PASSWORD` from `env`. */
export async function httpPassword(
    credentials: SourceCredentials | undefined,
    env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
    const given = await resolveSecret(credentials?.password);
    return given || env.TF_HTTP_PASSWORD || undefined;
}
