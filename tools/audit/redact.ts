/**
 * Keeps secrets out of every audit output through the plan's redactor (tools/plan/redaction.ts):
 * it learns what the policy pack's secret detectors flag in every source record (Applications with
 * their Helm values, the live object, notification bodies, Pulumi updates, commit subjects and
 * trailers) and scrubs those strings from the report wherever they appear; a credential shape inside
 * longer text (an AWS key id in a message) is cut out as well.
 */
import { SECRET_SHAPES } from "gitops-platform-policies/shared";
import { REDACTED } from "../plan/secrets";
import { Redactor, addRenderedSecrets } from "../plan/redaction";
import * as YAML from "yaml";
import type { AuditReport, AuditSources } from "./model";

/** Every Helm `values` string inside an Application: YAML documents the detectors read inside. */
function helmValueDocuments(value: unknown, inHelm = false, out: unknown[] = []): unknown[] {
    if (Array.isArray(value)) value.forEach((v) => helmValueDocuments(v, inHelm, out));
    else if (typeof value === "object" && value !== null) {
        for (const [k, v] of Object.entries(value)) {
            if (inHelm && k === "values" && typeof v === "string") {
                try {
                    out.push(YAML.parse(v));
                } catch {
                    // Not YAML: scanned as the string it is.
                }
            } else helmValueDocuments(v, inHelm || k === "helm", out);
        }
    }
    return out;
}

/** A redactor that knows the secrets in `sources` (and what `base` knew already). */
export async function auditRedactor(sources: AuditSources, base: Redactor = new Redactor()): Promise<Redactor> {
    const records: Record<string, unknown>[] = [
        ...sources.applications.map((a) => a as unknown as Record<string, unknown>),
        ...sources.applications.flatMap((a) => helmValueDocuments(a)).filter((d): d is Record<string, unknown> => typeof d === "object" && d !== null),
        ...(sources.liveObject ? [sources.liveObject as unknown as Record<string, unknown>] : []),
        ...(sources.notifications ?? []).map((n) => ({ ...n }) as Record<string, unknown>),
        ...(sources.pulumiUpdates ?? []).map((u) => ({ message: u.message, environment: u.environment })),
        ...[...sources.dryCommits, ...sources.hydratedCommits].map((c) => ({ subject: c.subject, trailers: Object.fromEntries(c.trailers.map((t) => [t.key, t.value])) })),
    ];
    for (const record of records) await addRenderedSecrets(base, record);
    return base;
}

const SHAPES = SECRET_SHAPES.map((s) => new RegExp(s.pattern.source, s.pattern.flags.includes("g") ? s.pattern.flags : `${s.pattern.flags}g`));

/** `text` with every known secret and every credential shape replaced by `[secret]`. */
export function scrubText(text: string, redactor: Redactor): string {
    return SHAPES.reduce((t, shape) => t.replace(shape, REDACTED), redactor.scrub(text));
}

/** A copy of the report with every string scrubbed. */
export function redactReport(report: AuditReport, redactor: Redactor): AuditReport {
    const walk = (v: unknown): unknown => {
        if (typeof v === "string") return scrubText(v, redactor);
        if (Array.isArray(v)) return v.map(walk);
        if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [scrubText(k, redactor), walk(x)]));
        return v;
    };
    return walk(report) as AuditReport;
}
