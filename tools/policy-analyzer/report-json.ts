import { AnalyzerInfo, PolicyDiagnostic } from "./types";

/** One violation in the JSON report. */
export interface ReportedViolation {
    /** Policy name (rule id). */
    policyName: string;
    /** advisory, mandatory or remediate. */
    enforcementLevel: PolicyDiagnostic["enforcementLevel"];
    /** low, medium, high or critical; default none. */
    severity?: string;
    /** What is wrong. */
    message: string;
    /** URN of the violating resource; default none (stack-wide). */
    urn?: string;
    /** How to fix it, from the policy's metadata; default none. */
    remediationSteps?: string;
    /** Documentation link; default none. */
    url?: string;
}

/** The JSON report `npm run plan` writes. */
export interface PolicyReport {
    /** Policy pack name and version. */
    policyPack: { name: string; version: string };
    /** Stack the plan ran for; default none. */
    stack?: string;
    /** Counts by enforcement level; `mandatory` > 0 fails the plan. */
    summary: { total: number; mandatory: number; advisory: number };
    /** Violations, mandatory first, then by policy and URN. */
    violations: ReportedViolation[];
}

/** Builds the JSON report from diagnostics and the pack's policy metadata. */
export function jsonReport(diagnostics: PolicyDiagnostic[], info: AnalyzerInfo, stack?: string): PolicyReport {
    const byName = new Map(info.policies.map(p => [p.name, p]));
    const order = (d: PolicyDiagnostic) => (d.enforcementLevel === "advisory" ? 1 : 0);
    const violations = [...diagnostics]
        .sort((a, b) => order(a) - order(b) || a.policyName.localeCompare(b.policyName) || (a.urn ?? "").localeCompare(b.urn ?? ""))
        .map(d => {
            const policy = byName.get(d.policyName);
            const v: ReportedViolation = { policyName: d.policyName, enforcementLevel: d.enforcementLevel, message: d.message };
            const severity = d.severity ?? policy?.severity;
            if (severity) v.severity = severity;
            if (d.urn) v.urn = d.urn;
            if (policy?.remediationSteps) v.remediationSteps = policy.remediationSteps;
            if (policy?.url) v.url = policy.url;
            return v;
        });
    const report: PolicyReport = {
        policyPack: { name: info.name, version: info.version },
        summary: {
            total: violations.length,
            mandatory: violations.filter(v => v.enforcementLevel !== "advisory").length,
            advisory: violations.filter(v => v.enforcementLevel === "advisory").length,
        },
        violations,
    };
    if (stack) report.stack = stack;
    return report;
}
