/**
 * The Terraform state reader: sources (local, json, http, s3, HCP), state reading and required output
 * types. A library with no Pulumi in it, used by the stack schema, the program, `tools/tf-outputs.ts`
 * and the benchmarks; the Pulumi component over it is `components/terraform/TerraformOutputs`.
 */
export { clusterEndpointProblem } from "./clusterEndpoint";
export { type CtyType, CtyTypeSchema, formatCtyType } from "./ctyType";
export { type SecretInput, type SourceCredentials, tokenEnvVar } from "./credentials";
export { TerraformSourceError, type TerraformSourceErrorKind } from "./errors";
export { type TerraformOutput, type TerraformOutputSet, outputValues } from "./outputSet";
export { type ReadTerraformOutputsOptions, readTerraformOutputs, readTerraformState } from "./readTerraformOutputs";
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
