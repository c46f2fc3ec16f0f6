/** The root-module outputs of one Terraform state, with their types and sensitivity. */
import type { CtyType } from "./ctyType";

/** One root-module output. */
export interface TerraformOutput<T = unknown> {
    /** The value with its JSON types kept; `null` when Terraform stored a null output. */
    value: T;
    /** `true` when the output is declared `sensitive = true`; such values become Pulumi secrets. Default: false. */
    sensitive: boolean;
    /** The output's declared type as recorded by Terraform; `"dynamic"` when the source did not record one. */
    type: CtyType;
}

/** Output name to output, in the order the source listed them. */
export type TerraformOutputSet = Record<string, TerraformOutput>;

/** The set as one plain object of name to value, with sensitive values replaced by `mask` when given. */
export function outputValues(set: TerraformOutputSet, mask?: string): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(set).map(([name, output]) => [name, output.sensitive && mask !== undefined ? mask : output.value]),
    );
}
