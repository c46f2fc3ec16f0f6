/** Terraform outputs: sources, state reading, required output types and the Pulumi component. */
export { type CtyType, CtyTypeSchema, formatCtyType } from "./ctyType";
export { type SecretInput, type SourceCredentials, tokenEnvVar } from "./credentials";
export { TerraformSourceError, type TerraformSourceErrorKind } from "./errors";
export { type TerraformOutput, type TerraformOutputSet, outputValues } from "./outputSet";
export { type ReadTerraformOutputsOptions, readTerraformOutputs } from "./readTerraformOutputs";
export { type OutputSpec, type RequiredOutputs, requireOutputs } from "./requireOutputs";
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry";
export {
    type HttpSource,
    type JsonSource,
    type LocalSource,
    type RemoteSource,
    type S3Source,
    type TerraformSource,
    TerraformSourceSchema,
    describeSource,
    s3StateKey,
} from "./source";
export { SUPPORTED_STATE_VERSION, type StateSummary } from "./state";
export { type TypeConstraint, type ValueOfType, parseTypeConstraint } from "./types";
export { TERRAFORM_OUTPUTS_TYPE, TerraformOutputs, type TerraformOutputsArgs } from "./terraformOutputs";
