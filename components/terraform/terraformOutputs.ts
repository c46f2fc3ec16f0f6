/**
 * The Terraform foundation's outputs as a Pulumi component: sensitive outputs are Pulumi secrets from
 * here on, the others stay plain. The outputs are read beforehand with `readTerraformOutputs`, so the
 * component itself does no I/O and a bad state has already failed before any resource exists.
 */
import * as pulumi from "@pulumi/pulumi";
import { type OutputSpec, requireOutputs, TerraformSourceError, type TerraformOutputSet } from "../../lib/terraform";

/** Arguments of `TerraformOutputs`. */
export interface TerraformOutputsArgs {
    /** Where the outputs came from (e.g. `describeSource(source)`); starts every error message. Required. */
    source: string;
    /** The outputs, as returned by `readTerraformOutputs`. Required. */
    outputs: TerraformOutputSet;
    /**
     * Outputs the stack needs with their type constraints (see `requireOutputs`); checked when the
     * component is constructed, so nothing is registered below it from a wrong state.
     * @default - none
     */
    required?: OutputSpec;
}

/** Component type token. */
export const TERRAFORM_OUTPUTS_TYPE = "gitops:terraform:TerraformOutputs";

/** Root-module outputs of a Terraform state, with `sensitive` outputs kept secret. */
export class TerraformOutputs extends pulumi.ComponentResource {
    /** Description of the source the outputs came from. */
    readonly source: string;
    /** Names of all outputs, in source order. */
    readonly names: readonly string[];
    private readonly values: ReadonlyMap<string, pulumi.Output<unknown>>;

    constructor(name: string, args: TerraformOutputsArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TERRAFORM_OUTPUTS_TYPE, name, {}, opts);
        if (args.required) requireOutputs(args.outputs, args.required, args.source);
        this.source = args.source;
        this.names = Object.keys(args.outputs);
        const values = new Map<string, pulumi.Output<unknown>>();
        for (const [outputName, output] of Object.entries(args.outputs)) {
            values.set(outputName, output.sensitive ? pulumi.secret(output.value) : pulumi.output(output.value));
        }
        this.values = values;
        // One registered output per Terraform output, so a secret one does not make the others secret.
        this.registerOutputs(Object.fromEntries(values));
    }

    /** The output `name`: a secret when Terraform marks it sensitive. Throws naming the source if absent. */
    get<T = unknown>(name: string): pulumi.Output<T> {
        const value = this.values.get(name);
        if (!value) {
            throw new TerraformSourceError(
                this.source,
                "outputs",
                `no output ${JSON.stringify(name)}; outputs present: ${this.names.length ? this.names.join(", ") : "none"}`,
            );
        }
        return value as pulumi.Output<T>;
    }

    /** Whether the state has the output `name`. */
    has(name: string): boolean {
        return this.values.has(name);
    }
}
