/**
 * Terraform state format version 4 (Terraform 0.12 and later, OpenTofu): validation of its header
 * and extraction of the root-module outputs. Resources are never looked at.
 */
import { z } from "zod";
import { CtyTypeSchema } from "./ctyType";
import { checkOutputDepths } from "./depth";
import { TerraformSourceError } from "./errors";
import { parseJsonText } from "./jsonText";
import type { TerraformOutputSet } from "./outputSet";
import { formatKeyPath, formatZodIssues } from "../zodIssues";

/** The only state format version this reader understands. */
export const SUPPORTED_STATE_VERSION = 4;

/** The top-level keys read from a state; everything else (resources, check_results) is skipped. */
export const STATE_HEADER_KEYS = ["version", "terraform_version", "serial", "lineage", "outputs"] as const;

/** One output as stored in a v4 state (and, with `sensitive` always set, by `terraform output -json`). */
export const StoredOutputSchema = z.object({
    // Present even when null: Terraform writes `"value": null` for a null output.
    value: z.custom<unknown>((value) => value !== undefined, { message: "missing (a null output has `\"value\": null`)" }),
    type: CtyTypeSchema.optional(),
    sensitive: z.boolean().optional(),
});

/** The parts of a v4 state this reader uses. */
const StateV4HeaderSchema = z.object({
    version: z.literal(SUPPORTED_STATE_VERSION),
    terraform_version: z.string().optional(),
    serial: z.number().int().nonnegative().optional(),
    lineage: z.string().optional(),
    // A state written before any output existed has no `outputs` key: that is a state with none.
    outputs: z.record(z.string(), StoredOutputSchema).optional(),
});

/** Metadata of a state next to its outputs. */
export interface StateSummary {
    /** Terraform (or OpenTofu) version that wrote the state; unset when the state does not say. */
    terraformVersion?: string;
    /** Serial number of this state snapshot; unset when the state does not say. */
    serial?: number;
    /** Lineage (identity) of the state; unset when the state does not say. */
    lineage?: string;
    /** The root-module outputs. */
    outputs: TerraformOutputSet;
}

/** Explains a `version` other than 4, with what to do about it. */
function unsupportedVersionProblem(version: unknown): string {
    if (typeof version === "number" && version < SUPPORTED_STATE_VERSION) {
        return (
            `state format version ${version} (Terraform 0.11 or earlier) is not supported; only version 4 ` +
            "(Terraform 0.12 and later, OpenTofu) is. Upgrade it by running a state-writing command such as " +
            "`terraform apply -refresh-only` once with Terraform 0.12 or later"
        );
    }
    if (typeof version === "number") {
        return (
            `state format version ${version} is newer than this reader supports (version 4); read it with a ` +
            "Terraform or OpenTofu release that writes version 4, or extend lib/terraform/state.ts"
        );
    }
    return `has no numeric \`version\` (found ${JSON.stringify(version) ?? "nothing"}); this is not a Terraform state file`;
}

/**
 * Validates a parsed state (or just its header keys) and returns its outputs. Throws one
 * `TerraformSourceError` naming `source` and every key path at fault.
 */
export function stateFromDocument(doc: unknown, source: string): StateSummary {
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
        throw new TerraformSourceError(source, "format", "the state is not a JSON object");
    }
    const version = (doc as Record<string, unknown>).version;
    if (version !== SUPPORTED_STATE_VERSION) {
        throw new TerraformSourceError(source, "format", unsupportedVersionProblem(version));
    }
    // Before the schema, which (like everything after it) recurses over a value and its type.
    checkOutputDepths((doc as Record<string, unknown>).outputs, (name, problem) => new TerraformSourceError(source, "format", `${formatKeyPath(["outputs", name])}: ${problem}`));
    const parsed = StateV4HeaderSchema.safeParse(doc);
    if (!parsed.success) {
        const lines = formatZodIssues(parsed.error.issues);
        throw new TerraformSourceError(source, "format", `the state is not a valid version 4 state:\n  - ${lines.join("\n  - ")}`);
    }
    const header = parsed.data;
    const outputs: TerraformOutputSet = {};
    for (const [name, stored] of Object.entries(header.outputs ?? {})) {
        outputs[name] = { value: stored.value, sensitive: stored.sensitive ?? false, type: stored.type ?? "dynamic" };
    }
    return { terraformVersion: header.terraform_version, serial: header.serial, lineage: header.lineage, outputs };
}

/** Parses the text of a state (as served by an http/S3/remote backend) and returns its outputs. */
export function stateFromText(text: string, source: string): StateSummary {
    return stateFromDocument(parseJsonText(text, source, "state"), source);
}
