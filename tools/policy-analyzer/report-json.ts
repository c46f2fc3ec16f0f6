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
    /** For an object an Argo CD Application renders (the manifests entry point): the Application, cluster and object; default none. */
    renderedBy?: RenderedBy;
}

/** Where an object judged by the manifests entry point comes from. */
export interface RenderedBy {
    /** The Application's name. */
    application: string;
    /** The cluster it deploys to. */
    cluster: string;
    /** The ApplicationSet that generated the Application; default none (declared). */
    applicationSet?: string;
    /** The object, e.g. `Deployment apps/web`. */
    object: string;
    /** The chart template it was rendered from, project-relative; default none (a chart from elsewhere). */
    template?: string;
}

/** A chart (or generator) whose objects were not judged, with the Applications that use it. */
export interface NotJudged {
    /** The chart (`cert-manager v1.21.2 from https://charts.jetstack.io`) or what was not expanded. */
    what: string;
    reason: string;
    /** `<application>@<cluster>` of each Application concerned. */
    applications: string[];
}

/** The manifests entry point in the report: what Argo CD applies, rendered per Application and cluster. */
export interface ManifestsReport {
    /** False when nothing was rendered (helm missing); `note` says why. */
    judged: boolean;
    note?: string;
    applications: number;
    clusters: number;
    objects: number;
    notJudged: NotJudged[];
}

/** Options of {@link jsonReport}. */
export interface JsonReportOptions {
    /** Per URN of a rendered object: where it comes from. */
    renderedBy?: ReadonlyMap<string, RenderedBy>;
    /** What the manifests entry point judged and did not; default none (the section is left out). */
    manifests?: ManifestsReport;
}

/** The JSON report `npm run plan` writes. */
export interface PolicyReport {
    /** Policy pack name and version. */
    policyPack: { name: string; version: string };
    /** Stack the plan ran for; default none. */
    stack?: string;
    /** Counts by enforcement level; `mandatory` > 0 fails the plan. `manifests`: of them, on objects Argo CD Applications render. */
    summary: { total: number; mandatory: number; advisory: number; manifests?: number };
    /** The manifests entry point: Applications and objects judged, charts not judged; default none. */
    manifests?: ManifestsReport;
    /** Violations, mandatory first, then by policy and URN. */
    violations: ReportedViolation[];
}

/** Builds the JSON report from diagnostics and the pack's policy metadata. */
export function jsonReport(diagnostics: PolicyDiagnostic[], info: AnalyzerInfo, stack?: string, options: JsonReportOptions = {}): PolicyReport {
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
            const renderedBy = d.urn ? options.renderedBy?.get(d.urn) : undefined;
            if (renderedBy) v.renderedBy = renderedBy;
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
    if (options.manifests) {
        report.summary.manifests = violations.filter(v => v.renderedBy).length;
        report.manifests = options.manifests;
    }
    if (stack) report.stack = stack;
    return report;
}
