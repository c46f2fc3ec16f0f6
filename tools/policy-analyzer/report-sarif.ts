import type * as sarif from "sarif";
import { AnalyzerInfo, PolicyDiagnostic } from "./types";

/** Options of {@link sarifReport}. */
export interface SarifOptions {
    /**
     * Repository-relative file every result points at; GitHub code scanning needs a physical location, and a
     * resource URN has none, so the program's entry point stands in. Default `index.ts`.
     */
    artifactUri?: string;
    /** Stack name, recorded as the run's automation id; default none. */
    stack?: string;
    /** Where the policy pack is documented; default none. */
    informationUri?: string;
}

/** GitHub code scanning ranks security results by this 0-10 score. */
const securitySeverity: Record<string, string> = { low: "3.0", medium: "5.0", high: "7.5", critical: "9.5" };

const level = (enforcement: PolicyDiagnostic["enforcementLevel"] | "disabled"): sarif.ReportingConfiguration.level =>
    enforcement === "advisory" ? "warning" : enforcement === "disabled" ? "none" : "error";

/**
 * Builds a SARIF 2.1.0 log: one rule per policy (id = policy name), one result per violation with level error for
 * mandatory and warning for advisory, the message, and the resource URN as a logical location next to a physical one.
 */
export function sarifReport(diagnostics: PolicyDiagnostic[], info: AnalyzerInfo, options: SarifOptions = {}): sarif.Log {
    const uri = options.artifactUri ?? "index.ts";
    const rules: sarif.ReportingDescriptor[] = info.policies.map(p => {
        const rule: sarif.ReportingDescriptor = {
            id: p.name,
            name: p.name,
            shortDescription: { text: p.description },
            fullDescription: { text: p.description },
            defaultConfiguration: { level: level(p.enforcementLevel) },
            properties: { tags: ["security", ...p.tags], ...(p.severity ? { "security-severity": securitySeverity[p.severity] } : {}) },
        };
        if (p.remediationSteps) rule.help = { text: p.remediationSteps };
        if (p.url) rule.helpUri = p.url;
        return rule;
    });
    const index = new Map(rules.map((r, i) => [r.id, i]));
    const results: sarif.Result[] = diagnostics.map(d => {
        const result: sarif.Result = {
            ruleId: d.policyName,
            level: level(d.enforcementLevel),
            message: { text: d.message },
            locations: [
                {
                    physicalLocation: { artifactLocation: { uri }, region: { startLine: 1 } },
                    ...(d.urn ? { logicalLocations: [{ fullyQualifiedName: d.urn, kind: "resource" }] } : {}),
                },
            ],
            // Stable per rule and resource, so GitHub tracks an alert across runs instead of reopening it.
            partialFingerprints: { "policyUrn/v1": `${d.policyName}:${d.urn ?? "stack"}` },
        };
        const ruleIndex = index.get(d.policyName);
        if (ruleIndex !== undefined) result.ruleIndex = ruleIndex;
        return result;
    });
    const run: sarif.Run = {
        tool: {
            driver: {
                name: info.name,
                version: info.version,
                ...(options.informationUri ? { informationUri: options.informationUri } : {}),
                rules,
            },
        },
        results,
    };
    if (options.stack) run.automationDetails = { id: `pulumi-policy/${options.stack}/` };
    return { version: "2.1.0", $schema: "https://json.schemastore.org/sarif-2.1.0.json", runs: [run] };
}
