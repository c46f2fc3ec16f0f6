/**
 * The Terraform foundation's outputs as a Pulumi component: sensitive outputs are Pulumi secrets from
 * here on, the others stay plain. The outputs are read beforehand with `readTerraformOutputs`, so the
 * component itself does no I/O and a bad state has already failed before any resource exists.
 */
import * as pulumi from "@pulumi/pulumi";
import { type OutputSpec, requireOutputs, type StateSummary, TerraformSourceError, type TerraformOutputSet } from "../../lib/terraform";

/** Which snapshot of the Terraform state the outputs came from. */
export type TerraformStateIdentity = Pick<StateSummary, "lineage" | "serial">;

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
    /**
     * The state's lineage and serial, as `readTerraformState` returns them; recorded as the output
     * `TERRAFORM_STATE_OUTPUT` so that the drift report can say which snapshot the last `pulumi up` read.
     * @default - not recorded (a `terraform output -json` file has neither)
     */
    state?: TerraformStateIdentity;
}

/** Component type token. */
export const TERRAFORM_OUTPUTS_TYPE = "gitops:terraform:TerraformOutputs";

/**
 * The registered output holding `{lineage, serial}` of the state read. A Terraform output name is an
 * identifier, so a name with a colon never collides with one.
 */
export const TERRAFORM_STATE_OUTPUT = "terraform:state";

/** Root-module outputs of a Terraform state, with `sensitive` outputs kept secret. */
export class TerraformOutputs extends pulumi.ComponentResource {
    /** Description of the source the outputs came from. */
    readonly source: string;
    /** Names of all outputs, in source order. */
    readonly names: readonly string[];
    /** The state snapshot the outputs came from, when the source says. */
    readonly state?: TerraformStateIdentity;
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
        const known = args.state && (args.state.lineage !== undefined || args.state.serial !== undefined);
        this.state = known ? { lineage: args.state!.lineage, serial: args.state!.serial } : undefined;
        this.registerOutputs({ ...Object.fromEntries(values), ...(this.state ? { [TERRAFORM_STATE_OUTPUT]: this.state } : {}) });
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
