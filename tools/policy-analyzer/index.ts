// Engine-side client of the policy pack and its reports.
export * from "./types";
export { startPolicyAnalyzer, PolicyAnalyzer } from "./analyzer";
export { readPolicyConfigFile, resolvePolicyConfig, ResolvedPolicyConfig } from "./policy-config";
export { jsonReport, PolicyReport } from "./report-json";
export { sarifReport } from "./report-sarif";
