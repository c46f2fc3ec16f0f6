// Engine-side client of the policy pack and its reports.
export * from "./types";
export { buildPolicyPack, startPolicyAnalyzer, PolicyAnalyzer } from "./analyzer";
export { readPolicyConfigFile, resolvePolicyConfig, ResolvedPolicyConfig } from "./policy-config";
export { jsonReport, JsonReportOptions, ManifestsReport, NotJudged, PolicyReport, RenderedBy } from "./report-json";
export { sarifReport } from "./report-sarif";
