/**
 * Where a stack's Terraform state lives. Field names follow Terraform's own backend settings
 * (camelCase here; `workspace_key_prefix` is `workspaceKeyPrefix`). Credentials are deliberately not
 * part of a source: they come from Pulumi secret config or the environment (see `credentials.ts`).
 */
import { z } from "zod";
import { displayUrl } from "./errors";

/** A state file on disk (`terraform.tfstate`). */
export const LocalSourceSchema = z.object({
    backend: z.literal("local"),
    /** Path of the `.tfstate` file, relative to the working directory. Required. */
    path: z.string().min(1),
});

/** A file written by `terraform output -json`. */
export const JsonSourceSchema = z.object({
    backend: z.literal("json"),
    /** Path of the JSON file. Required. */
    path: z.string().min(1),
});

/** Terraform's `http` backend: the state is the body of a GET on `address`. */
export const HttpSourceSchema = z.object({
    backend: z.literal("http"),
    /** The state's URL (`address` in the backend block). Required; http or https. */
    address: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }),
    /** User name for basic auth; the password comes from credentials or `TF_HTTP_PASSWORD`. Default: no auth. */
    username: z.string().min(1).optional(),
    /** Extra request headers (`headers` in the backend block). Their values are never printed. Default: none. */
    headers: z.record(z.string().min(1), z.string()).optional(),
});

/** Terraform's `s3` backend (AWS S3 or an S3-compatible server); credentials from the AWS SDK default chain. */
export const S3SourceSchema = z.object({
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
    /** Endpoint URL of an S3-compatible server. Default: AWS's endpoint for the region. */
    endpoint: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).optional(),
    /** Path-style addressing (`use_path_style`), needed by most S3-compatible servers. Default: false. */
    forcePathStyle: z.boolean().optional(),
});

/** HCP Terraform or Terraform Enterprise (`remote` backend / `cloud` block); token from config or `TF_TOKEN_<host>`. */
export const RemoteSourceSchema = z.object({
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
