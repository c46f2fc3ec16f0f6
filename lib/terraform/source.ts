/**
 * Where a stack's Terraform state lives. Field names follow Terraform's own backend settings
 * (camelCase here; `workspace_key_prefix` is `workspaceKeyPrefix`). Credentials are deliberately not
 * part of a source: they come from Pulumi secret config or the environment (see `credentials.ts`).
 */
import { z } from "zod";
import { matchSecretShape } from "gitops-platform-policies/shared";
import { displayUrl } from "./errors";

/** Query parameter names that carry a credential (`?token=`, `?X-Amz-Signature=`, `?api_key=`). */
const CREDENTIAL_PARAMETER = /(pass(word|wd)?|pwd|token|secret|signature|^sig$|credential|api[-_]?key|access[-_]?key|auth)/i;

/**
 * A backend URL (http backend `address`, S3 `endpoint`) as it may be written in stack config, which
 * is plaintext in Git: http or https, and no credential in it. User info (`user:pass@`) and a query
 * parameter that carries a credential are refused; the message names the part, never its text. A
 * URL the WHATWG parser accepts but rewrites (a backslash, a tab or line break inside it) is refused
 * too, so the server asked is the one written.
 */
function backendUrl(what: string) {
    return z.string().superRefine((raw, ctx) => {
        let url: URL;
        try {
            url = new URL(raw);
        } catch {
            ctx.addIssue({ code: "custom", message: `${what} must be an http:// or https:// URL` });
            return;
        }
        if (url.protocol !== "http:" && url.protocol !== "https:") {
            ctx.addIssue({ code: "custom", message: `${what} must be an http:// or https:// URL, not ${url.protocol.length <= 12 && /^[a-z][a-z0-9+.-]*:$/.test(url.protocol) ? url.protocol : "another scheme"}` });
            return;
        }
        if (/[\s\\]/.test(raw) || /[\u0000-\u001f\u007f]/.test(raw)) {
            ctx.addIssue({ code: "custom", message: `${what} has whitespace, a backslash or a control character, which URL parsers read differently` });
        }
        if (url.username !== "" || url.password !== "") {
            ctx.addIssue({
                code: "custom",
                message: `${what} carries user info (user:password@), which is a credential in plaintext config; remove it (not shown here) and give the user and password as the source's credentials (username, terraformHttpPassword / TF_HTTP_PASSWORD; the AWS credential chain for S3)`,
            });
        }
        const secretParameters = [...url.searchParams].filter(([name, value]) => CREDENTIAL_PARAMETER.test(name) || matchSecretShape(value) !== undefined).length;
        if (secretParameters > 0) {
            ctx.addIssue({ code: "custom", message: `${what} carries a credential in its query (${secretParameters} parameter${secretParameters === 1 ? "" : "s"}, not shown); credentials never go in config` });
        }
    });
}

/** HTTP header names whose value is a credential: never in a source, which is plaintext config. */
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie)$|token|secret|api[-_]?key|password/i;

/** A state file on disk (`terraform.tfstate`). */
export const LocalSourceSchema = z.strictObject({
    backend: z.literal("local"),
    /** Path of the `.tfstate` file, relative to the working directory. Required. */
    path: z.string().min(1),
});

/** A file written by `terraform output -json`. */
export const JsonSourceSchema = z.strictObject({
    backend: z.literal("json"),
    /** Path of the JSON file. Required. */
    path: z.string().min(1),
});

/** Terraform's `http` backend: the state is the body of a GET on `address`. */
export const HttpSourceSchema = z.strictObject({
    backend: z.literal("http"),
    /** The state's URL (`address` in the backend block). Required; http or https, without user info or a credential in its query. */
    address: backendUrl("the address"),
    /** User name for basic auth; the password comes from credentials or `TF_HTTP_PASSWORD`. Default: no auth. */
    username: z.string().min(1).optional(),
    /**
     * Extra request headers (`headers` in the backend block). Their values are never printed. In stack
     * config (plaintext in Git) no header may carry a credential: see `ConfigTerraformSourceSchema`.
     * Default: none.
     */
    headers: z
        .record(
            z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "expected an HTTP header name (letters, digits and !#$%&'*+.^_`|~-)"),
            z.string().refine((v) => !/[\r\n\u0000]/.test(v), "a header value may not hold a line break or NUL"),
        )
        .optional(),
});

/** Terraform's `s3` backend (AWS S3 or an S3-compatible server); credentials from the AWS SDK default chain. */
export const S3SourceSchema = z.strictObject({
    backend: z.literal("s3"),
    /** Bucket name. Required. */
    bucket: z.string().min(1),
    /** Object key of the default workspace's state. Required. */
    key: z.string().min(1),
    /** AWS region of the bucket. Required. */
    region: z.string().min(1),
    /** Workspace to read; other than `default` it lives at `<workspaceKeyPrefix>/<workspace>/<key>`. Default: "default". */
    workspace: z.string().min(1).optional(),
    /** Key prefix of non-default workspaces (`workspace_key_prefix`). Default: "env:". */
    workspaceKeyPrefix: z.string().min(1).optional(),
    /** Endpoint URL of an S3-compatible server, without user info or a credential in its query. Default: AWS's endpoint for the region. */
    endpoint: backendUrl("the endpoint").optional(),
    /** Path-style addressing (`use_path_style`), needed by most S3-compatible servers. Default: false. */
    forcePathStyle: z.boolean().optional(),
});

/** HCP Terraform or Terraform Enterprise (`remote` backend / `cloud` block); token from config or `TF_TOKEN_<host>`. */
export const RemoteSourceSchema = z.strictObject({
    backend: z.literal("remote"),
    /** Host name (optionally with `:port`) of the service. Default: "app.terraform.io". */
    hostname: z
        .string()
        .regex(/^[A-Za-z0-9.-]+(:\d+)?$/, "must be a host name such as app.terraform.io, without scheme or path")
        .optional(),
    /** Organization name. Required. */
    organization: z.string().min(1),
    /** Workspace name. Required. */
    workspace: z.string().min(1),
});

/** Any state source, discriminated by `backend`. */
export const TerraformSourceSchema = z.discriminatedUnion("backend", [
    LocalSourceSchema,
    JsonSourceSchema,
    HttpSourceSchema,
    S3SourceSchema,
    RemoteSourceSchema,
]);

/**
 * A source as stack config writes it, which is plaintext in Git: as `TerraformSourceSchema`, and no
 * http header that carries a credential (Authorization, Cookie, a token, secret, password or API key
 * header, or a value shaped like a credential). Credentials come from secret config or the environment.
 */
export const ConfigTerraformSourceSchema = TerraformSourceSchema.superRefine((source, ctx) => {
    if (source.backend !== "http") return;
    for (const [name, value] of Object.entries(source.headers ?? {})) {
        if (CREDENTIAL_HEADER.test(name) || matchSecretShape(value) !== undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["headers", name],
                message: "carries a credential (value not shown), and stack config is plaintext: give a user with `username` and its password as the secret terraformHttpPassword",
            });
        }
    }
});

export type LocalSource = z.infer<typeof LocalSourceSchema>;
export type JsonSource = z.infer<typeof JsonSourceSchema>;
export type HttpSource = z.infer<typeof HttpSourceSchema>;
export type S3Source = z.infer<typeof S3SourceSchema>;
export type RemoteSource = z.infer<typeof RemoteSourceSchema>;
export type TerraformSource = z.infer<typeof TerraformSourceSchema>;

/** Defaults that Terraform applies too. */
export const DEFAULT_REMOTE_HOSTNAME = "app.terraform.io";
export const DEFAULT_WORKSPACE_KEY_PREFIX = "env:";

/** The S3 object key of the source's workspace, as Terraform's s3 backend computes it. */
export function s3StateKey(source: S3Source): string {
    const workspace = source.workspace ?? "default";
    if (workspace === "default") return source.key;
    return `${source.workspaceKeyPrefix ?? DEFAULT_WORKSPACE_KEY_PREFIX}/${workspace}/${source.key}`;
}

/** A one-line description of the source for messages; never includes credentials. */
export function describeSource(source: TerraformSource): string {
    switch (source.backend) {
        case "local":
            return `local state ${JSON.stringify(source.path)}`;
        case "json":
            return `terraform output -json file ${JSON.stringify(source.path)}`;
        case "http":
            return `http backend ${displayUrl(source.address)}`;
        case "s3":
            return (
                `s3 backend s3://${source.bucket}/${s3StateKey(source)} (region ${source.region}` +
                `${source.endpoint ? `, endpoint ${displayUrl(source.endpoint)}` : ""})`
            );
        case "remote":
            return `remote backend ${source.hostname ?? DEFAULT_REMOTE_HOSTNAME}, organization ${source.organization}, workspace ${source.workspace}`;
    }
}
