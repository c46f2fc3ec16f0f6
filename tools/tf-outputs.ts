/**
 * Prints the root-module outputs of a Terraform state as one JSON object (output name to value).
 *
 *   npm run tf-outputs -- --backend local --path terraform.tfstate
 *   npm run tf-outputs -- --backend json --path outputs.json
 *   npm run tf-outputs -- --backend http --address URL [--username U] [--header "Name: value"]...
 *   npm run tf-outputs -- --backend s3 --bucket B --key K --region R [--workspace W]
 *                         [--workspace-key-prefix P] [--endpoint URL] [--use-path-style]
 *   npm run tf-outputs -- --backend remote --organization O --workspace W [--hostname H]
 *
 * Common: --show-sensitive (print sensitive values instead of "[secret]"), --timeout-ms N, --retries N.
 * Credentials: TF_HTTP_PASSWORD (and TF_HTTP_USERNAME as the default --username), TF_TOKEN_<host>,
 * the AWS default credential chain. Exit 0 on success, 2 on bad input or a source error (message on
 * stderr), 1 on an unexpected failure.
 */
import { parseArgs } from "node:util";
import { TerraformSourceError } from "../lib/terraform/errors";
import { outputValues } from "../lib/terraform/outputSet";
import { readTerraformOutputs } from "../lib/terraform/readTerraformOutputs";
import { TerraformSourceSchema } from "../lib/terraform/source";

/** Exit code for bad input and source errors. */
const EXIT_BAD_INPUT = 2;

/** What sensitive values print as without --show-sensitive. */
const SECRET_MASK = "[secret]";

const USAGE = `usage: npm run tf-outputs -- --backend local|json|http|s3|remote [options]
  local   --path FILE
  json    --path FILE                   (written by \`terraform output -json\`)
  http    --address URL [--username U] [--header "Name: value"]...   password: TF_HTTP_PASSWORD
  s3      --bucket B --key K --region R [--workspace W] [--workspace-key-prefix P] [--endpoint URL] [--use-path-style]
  remote  --organization O --workspace W [--hostname H]              token: TF_TOKEN_<host>
  common  [--show-sensitive] [--timeout-ms N] [--retries N]`;

/** Flags each backend accepts (besides the common ones), to reject flags that would be ignored. */
const BACKEND_FLAGS: Record<string, string[]> = {
    local: ["path"],
    json: ["path"],
    http: ["address", "username", "header"],
    s3: ["bucket", "key", "region", "workspace", "workspace-key-prefix", "endpoint", "use-path-style", "force-path-style"],
    remote: ["organization", "workspace", "hostname"],
};
const COMMON_FLAGS = ["backend", "show-sensitive", "timeout-ms", "retries", "help"];

class UsageError extends Error {}

function parseHeaders(values: string[] | undefined, problems: string[]): Record<string, string> | undefined {
    if (!values?.length) return undefined;
    const headers: Record<string, string> = {};
    for (const raw of values) {
        const colon = raw.indexOf(":");
        // Only the name is printed: header values often carry tokens.
        if (colon <= 0) problems.push(`--header: expected "Name: value", got a value without a name before ':'`);
        else headers[raw.slice(0, colon).trim()] = raw.slice(colon + 1).trim();
    }
    return headers;
}

function parseCount(flag: string, raw: string | undefined, problems: string[]): number | undefined {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) problems.push(`--${flag}: expected a whole number >= 0, got ${JSON.stringify(raw)}`);
    return n;
}

async function main(argv: string[]): Promise<void> {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            strict: true,
            allowPositionals: false,
            options: {
                backend: { type: "string" },
                path: { type: "string" },
                address: { type: "string" },
                username: { type: "string" },
                header: { type: "string", multiple: true },
                bucket: { type: "string" },
                key: { type: "string" },
                region: { type: "string" },
                workspace: { type: "string" },
                "workspace-key-prefix": { type: "string" },
                endpoint: { type: "string" },
                "use-path-style": { type: "boolean" },
                "force-path-style": { type: "boolean" },
                organization: { type: "string" },
                hostname: { type: "string" },
                "show-sensitive": { type: "boolean" },
                "timeout-ms": { type: "string" },
                retries: { type: "string" },
                help: { type: "boolean", short: "h" },
            },
        });
    } catch (err) {
        throw new UsageError((err as Error).message);
    }
    const flags = parsed.values;
    if (flags.help) {
        process.stdout.write(`${USAGE}\n`);
        return;
    }
    const problems: string[] = [];
    const backend = flags.backend;
    if (!backend) throw new UsageError("--backend is required");
    const allowed = BACKEND_FLAGS[backend];
    if (!allowed) throw new UsageError(`--backend: expected one of ${Object.keys(BACKEND_FLAGS).join(", ")}, got ${JSON.stringify(backend)}`);
    for (const flag of Object.keys(flags)) {
        if (!allowed.includes(flag) && !COMMON_FLAGS.includes(flag)) problems.push(`--${flag}: not a setting of the ${backend} backend`);
    }
    const source = {
        backend,
        path: flags.path,
        address: flags.address,
        username: flags.username ?? (backend === "http" ? process.env.TF_HTTP_USERNAME || undefined : undefined),
        headers: parseHeaders(flags.header, problems),
        bucket: flags.bucket,
        key: flags.key,
        region: flags.region,
        workspace: flags.workspace,
        workspaceKeyPrefix: flags["workspace-key-prefix"],
        endpoint: flags.endpoint,
        forcePathStyle: flags["use-path-style"] || flags["force-path-style"] || undefined,
        organization: flags.organization,
        hostname: flags.hostname,
    };
    const timeoutMs = parseCount("timeout-ms", flags["timeout-ms"], problems);
    const retries = parseCount("retries", flags.retries, problems);
    const checked = TerraformSourceSchema.safeParse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined)));
    if (!checked.success) {
        // Name the flags, not the schema's camelCase fields.
        const toFlag: Record<string, string> = { workspaceKeyPrefix: "workspace-key-prefix", forcePathStyle: "use-path-style", headers: "header" };
        for (const issue of checked.error.issues) {
            const field = String(issue.path[0] ?? "backend");
            const message = issue.code === "invalid_type" && issue.input === undefined ? "is required" : issue.message;
            problems.push(`--${toFlag[field] ?? field}: ${message}`);
        }
    }
    if (problems.length > 0 || !checked.success) throw new UsageError(problems.join("\n  "));

    const outputs = await readTerraformOutputs(checked.data, { timeoutMs, retries });
    const values = outputValues(outputs, flags["show-sensitive"] ? undefined : SECRET_MASK);
    // Written, then waited for: on a pipe stdout is asynchronous, and exiting before it drained cut large documents.
    await new Promise<void>((resolve, reject) => process.stdout.write(`${JSON.stringify(values, null, 2)}\n`, (e) => (e ? reject(e) : resolve())));
}

main(process.argv.slice(2)).then(
    () => process.exit(0),
    (err: unknown) => {
        if (err instanceof UsageError) {
            process.stderr.write(`tf-outputs: bad input:\n  ${err.message}\n${USAGE}\n`);
            process.exit(EXIT_BAD_INPUT);
        }
        if (err instanceof TerraformSourceError) {
            process.stderr.write(`tf-outputs: ${err.message}\n`);
            process.exit(EXIT_BAD_INPUT);
        }
        process.stderr.write(`tf-outputs: unexpected failure: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
    },
);
