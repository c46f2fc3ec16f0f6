/** Step 1: the Terraform foundation's outputs, read and type-checked before any resource is registered. */
import { clusterEndpointProblem, describeSource, readTerraformState, requireOutputs, RequiredOutputs } from "../../lib/terraform";
import { StackConfigError } from "../../lib/stackConfigError";
import { TerraformOutputs } from "../terraform/terraformOutputs";
import { REQUIRED_TERRAFORM_OUTPUTS } from "../../stacks/foundationOutputs";
import type { StackConfig } from "../../stacks/load";

/** The foundation's outputs the program uses. */
export interface Foundation {
    /** Every required output, typed. */
    outputs: RequiredOutputs<typeof REQUIRED_TERRAFORM_OUTPUTS>;
    /** AWS region (output `region`). */
    region: string;
    /** AWS account (output `account_id`). */
    accountId: string;
    /** The cluster's Kubernetes version (optional output `cluster_version`), for add-on values and the API checks. */
    kubernetesVersion?: string;
}

/** Reads the foundation's state; a missing or mistyped output fails here, naming the source. */
export async function readFoundation(config: StackConfig): Promise<Foundation> {
    const source = config.platform.terraform.source;
    const state = await readTerraformState(source, { credentials: terraformCredentials(config) });
    const all = state.outputs;
    const outputs = requireOutputs(all, REQUIRED_TERRAFORM_OUTPUTS, describeSource(source));
    // The hub's provider sends its token to this URL: plain http or user info would put a credential in clear.
    const endpointProblem = clusterEndpointProblem(outputs.cluster_endpoint.value);
    if (endpointProblem) {
        throw new StackConfigError(config.stack, [
            { path: "platform.terraform.source", message: `${describeSource(source)}: output cluster_endpoint ${endpointProblem}` },
        ]);
    }
    // Lineage and serial recorded with the outputs: the drift report compares them with the state's now.
    new TerraformOutputs("foundation", { source: describeSource(source), outputs: all, required: REQUIRED_TERRAFORM_OUTPUTS, state: { lineage: state.lineage, serial: state.serial } });
    const kubernetesVersion = all.cluster_version ? String(all.cluster_version.value) : undefined;
    return { outputs, region: outputs.region.value, accountId: outputs.account_id.value, kubernetesVersion };
}

/** The secrets a Terraform source may need (HCP token, http backend password). */
export function terraformCredentials(config: StackConfig) {
    return { token: config.secrets.terraformToken, password: config.secrets.terraformHttpPassword };
}
