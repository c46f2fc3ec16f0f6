import type * as sarif from "sarif";
import { ManifestsReport, RenderedBy } from "./report-json";
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
    /**
     * Per URN of an object an Argo CD Application renders: the object and Application become logical locations,
     * and the chart template, when known, the physical one. Default none.
     */
    renderedBy?: ReadonlyMap<string, RenderedBy>;
    /** The manifests entry point: each chart not judged becomes a notification of the run. Default none. */
    manifests?: ManifestsReport;
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
        const rendered = d.urn ? options.renderedBy?.get(d.urn) : undefined;
        const logicalLocations: sarif.LogicalLocation[] = d.urn ? [{ fullyQualifiedName: d.urn, kind: "resource" }] : [];
        if (rendered) {
            logicalLocations[0].name = rendered.object;
            logicalLocations.push({ name: `${rendered.application}@${rendered.cluster}`, fullyQualifiedName: `Application ${rendered.application}@${rendered.cluster}${rendered.applicationSet ? ` (ApplicationSet ${rendered.applicationSet})` : ""}`, kind: "module" });
        }
        const result: sarif.Result = {
            ruleId: d.policyName,
            level: level(d.enforcementLevel),
            message: { text: d.message },
            locations: [
                {
                    physicalLocation: { artifactLocation: { uri: rendered?.template ?? uri }, region: { startLine: 1 } },
                    ...(logicalLocations.length > 0 ? { logicalLocations } : {}),
                },
            ],
            ...(rendered ? { properties: { renderedBy: rendered } } : {}),
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
    if (options.manifests) {
        const notes = options.manifests.judged
            ? options.manifests.notJudged.map(n => `not judged: ${n.what}: ${n.reason}${n.applications.length ? ` (${n.applications.join(", ")})` : ""}`)
            : [options.manifests.note ?? "Application manifests were not judged"];
        run.invocations = [{ executionSuccessful: true, toolExecutionNotifications: notes.map(text => ({ level: "note", message: { text } })) }];
    }
    return { version: "2.1.0", $schema: "https://json.schemastore.org/sarif-2.1.0.json", runs: [run] };
}
