/** Checks that a state has the outputs a stack needs, with the types it needs. */
import { formatCtyType } from "./ctyType";
import { keySegment } from "../zodIssues";
import { TerraformSourceError } from "./errors";
import type { TerraformOutput, TerraformOutputSet } from "./outputSet";
import { type TypeConstraint, type ValueOfType, checkValue, formatTypeConstraint, parseTypeConstraint } from "./types";

/**
 * Output name to required type constraint (see `types.ts`), for example
 * `{ cluster_endpoint: "string", private_subnet_ids: "list(string)", addon_role_arns: "map(string)" }`.
 */
export type OutputSpec = Record<string, string>;

/** The required outputs with their values typed from the spec. */
export type RequiredOutputs<S extends OutputSpec> = { [K in keyof S]: TerraformOutput<ValueOfType<S[K]>> };

/**
 * Returns the outputs named in `spec` once every one is present with a conforming value. Otherwise
 * throws ONE `TerraformSourceError` (kind `outputs`) naming `source` and listing every missing or
 * mistyped output with its name, expected type and actual type. A malformed spec throws a plain
 * Error (a programming mistake, not bad input).
 */
export function requireOutputs<const S extends OutputSpec>(
    set: TerraformOutputSet,
    spec: S,
    source = "Terraform outputs",
): RequiredOutputs<S> {
    const constraints: [string, TypeConstraint][] = Object.entries(spec).map(([name, expression]) => [name, parseTypeConstraint(expression)]);
    const problems: string[] = [];
    for (const [name, type] of constraints) {
        const output = Object.prototype.hasOwnProperty.call(set, name) ? set[name] : undefined;
        if (!output) {
            if (type.kind !== "optional") problems.push(`${name}: missing, expected ${formatTypeConstraint(type)}`);
            continue;
        }
        const found: string[] = [];
        checkValue(type, output.value, name, found, output.sensitive);
        // The declared Terraform type says more than the JSON shape; show it next to the first problem.
        if (found.length > 0) found[0] += ` (declared type ${formatCtyType(output.type)})`;
        problems.push(...found);
    }
    if (problems.length > 0) {
        const present = Object.keys(set).map((name) => keySegment(name, true));
        throw new TerraformSourceError(
            source,
            "outputs",
            `${problems.length} problem${problems.length === 1 ? "" : "s"} with the required outputs:\n  - ${problems.join("\n  - ")}\n` +
                `  outputs present: ${present.length ? present.join(", ") : "none"}`,
        );
    }
    const required: Record<string, TerraformOutput> = {};
    for (const [name] of constraints) {
        required[name] = set[name] ?? { value: null, sensitive: false, type: "dynamic" };
    }
    return required as RequiredOutputs<S>;
}
