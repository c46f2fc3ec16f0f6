/**
 * The identity of the Terraform state a stack reads: its source from the stack's config
 * (`platform.terraform.source`, read as the plan reads the stack file) and the state's lineage and
 * serial, read by lib/terraform's source readers (only the state's header; never its resources).
 */
import * as path from "path";
import { TerraformSourceError } from "../../lib/terraform/errors";
import { DEFAULT_RETRY_POLICY } from "../../lib/terraform/retry";
import { type TerraformSource, TerraformSourceSchema, describeSource } from "../../lib/terraform/source";
import type { SourceContext } from "../../lib/terraform/sources/context";
import { readHttpState } from "../../lib/terraform/sources/http";
import { readLocalState } from "../../lib/terraform/sources/local";
import { readRemoteState } from "../../lib/terraform/sources/remote";
import { readS3State } from "../../lib/terraform/sources/s3";
import type { StateSummary } from "../../lib/terraform/state";
import { CONFIG_NAMESPACE, PLATFORM_KEY } from "../../stacks/configKeys";
import { readStackConfig } from "../plan/stack-file";
import type { TerraformStateInfo } from "./model";
import { AuditSourceError } from "./source-error";

/** The stack's Terraform source, as its config file says. */
export function stackTerraformSource(projectRoot: string, stack: string, configFile?: string): TerraformSource {
    const file = configFile ?? path.join("stacks", `Pulumi.${stack}.yaml`);
    let config;
    try {
        config = readStackConfig(projectRoot, stack, configFile);
    } catch (e) {
        throw new AuditSourceError(`stack config ${file}`, (e as Error).message.replace(`${file}: `, ""));
    }
    const raw = config.config[`${CONFIG_NAMESPACE}:${PLATFORM_KEY}`];
    let source: unknown;
    try {
        source = (JSON.parse(raw ?? "{}") as { terraform?: { source?: unknown } }).terraform?.source;
    } catch {
        source = undefined;
    }
    const parsed = TerraformSourceSchema.safeParse(source);
    if (!parsed.success) throw new AuditSourceError(`stack config ${file}`, `${PLATFORM_KEY}.terraform.source is missing or not a Terraform source`);
    return parsed.data;
}

/** Reads lineage and serial of the state at `source` (a local path is relative to `projectRoot`). */
export async function readTerraformState(projectRoot: string, source: TerraformSource): Promise<TerraformStateInfo> {
    const description = describeSource(source);
    const context: SourceContext = { description, timeoutMs: 30_000, retry: DEFAULT_RETRY_POLICY, env: process.env };
    let state: StateSummary;
    try {
        switch (source.backend) {
            case "local":
                state = await readLocalState({ ...source, path: path.resolve(projectRoot, source.path) }, context);
                break;
            case "json":
                return { source: description, note: "a `terraform output -json` file has no lineage or serial" };
            case "http":
                state = await readHttpState(source, context);
                break;
            case "s3":
                state = await readS3State(source, context);
                break;
            case "remote":
                state = await readRemoteState(source, context);
                break;
        }
    } catch (e) {
        if (e instanceof TerraformSourceError) throw new AuditSourceError(`Terraform state (${e.source})`, e.message.slice(e.source.length + 2));
        throw e;
    }
    return { source: description, lineage: state.lineage, serial: state.serial, terraformVersion: state.terraformVersion };
}

export async function readStackTerraformState(projectRoot: string, stack: string, configFile?: string): Promise<TerraformStateInfo> {
    return readTerraformState(projectRoot, stackTerraformSource(projectRoot, stack, configFile));
}
