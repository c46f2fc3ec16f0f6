import * as fs from "fs";
import * as path from "path";
import { ConfigTerraformSourceSchema } from "../../lib/terraform/source";
import { PROJECT, EngineConfig, StackFileError } from "./stack-file";

/** Backends the plan reads as they are: files in the repository. */
const OFFLINE_BACKENDS = new Set(["local", "json"]);

/** Where the recorded Terraform outputs of a stack with a remote backend are kept for the plan. */
export function recordedOutputsPath(stack: string): string {
    return path.join("test", "fixtures", "terraform", `${stack}.outputs.json`);
}

/**
 * The offline plan cannot reach S3, an HTTP backend or HCP Terraform, so a stack whose Terraform
 * source is remote is planned against recorded outputs (`terraform output -json` format) instead.
 * Returns the config to run with and a note saying what was substituted, or no note.
 *
 * The stack's own source is validated first, with the schema the program uses: a source that is
 * wrong (a misspelt key, a credential in an address) is not replaced, so the program refuses it with
 * its key path as it would without the stand-in, instead of the plan passing on recorded outputs.
 */
export function withOfflineTerraformSource(
    projectRoot: string,
    stackConfig: EngineConfig,
    outputsFile?: string,
): { stackConfig: EngineConfig; note?: string } {
    const key = `${PROJECT}:platform`;
    const raw = stackConfig.config[key];
    if (raw === undefined) return { stackConfig };
    let platform: { terraform?: { source?: { backend?: string } } };
    try {
        platform = JSON.parse(raw);
    } catch {
        return { stackConfig }; // the program's config validation reports it
    }
    const source = platform?.terraform?.source;
    if (!source || (outputsFile === undefined && OFFLINE_BACKENDS.has(source.backend ?? ""))) {
        return { stackConfig };
    }
    if (!ConfigTerraformSourceSchema.safeParse(source).success) {
        return { stackConfig, note: "terraform: platform.terraform.source is not valid, so no recorded outputs stand in for it" };
    }
    const file = outputsFile ?? recordedOutputsPath(stackConfig.stack);
    if (!fs.existsSync(path.resolve(projectRoot, file))) {
        throw new StackFileError(`${stackConfig.file}: platform.terraform.source uses the ${source.backend} backend, which the offline plan cannot reach, and there are no recorded outputs at ${file}`);
    }
    const replaced = { ...platform, terraform: { ...platform.terraform, source: { backend: "json", path: file } } };
    return {
        stackConfig: { ...stackConfig, config: { ...stackConfig.config, [key]: JSON.stringify(replaced) } },
        note: `terraform: the ${source.backend} backend is not reachable offline; using the recorded outputs in ${file}`,
    };
}
