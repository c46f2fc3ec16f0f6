import { ManifestsReport, RenderedBy } from "../policy-analyzer";
import { notJudgedLine } from "./manifests-step";
import { RegisteredResource } from "./run-program";

/** A policy finding as the plan reports it. */
export interface Violation {
    policyName: string;
    enforcementLevel: string;
    message: string;
    urn?: string;
}

/** Counts by key, largest first, as "  N key" lines. */
function countLines(keys: string[]): string[] {
    const counts = new Map<string, number>();
    for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
    return [...counts.entries()]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([k, n]) => `  ${String(n).padStart(4)} ${k}`);
}

/** What the manifests entry point judged, for the summary. */
export interface RenderedSummary {
    manifests: ManifestsReport;
    renderedBy: ReadonlyMap<string, RenderedBy>;
}

/** The reason of a violation: the engine's messages are "<policy description>\n<reason>". */
const reasonOf = (v: Violation) => v.message.split("\n").slice(1).join(" ").trim() || v.message;

/**
 * The short text summary the plan prints: resources by type, violations by level, those on Pulumi's
 * resources, then those on what each Argo CD Application renders, by Application and cluster, and
 * the charts not judged.
 */
export function formatSummary(stack: string, dir: string, resources: RegisteredResource[], manifests: number, violations: Violation[], rendered?: RenderedSummary): string {
    const lines = [`plan ${stack}: ${resources.length} resources, ${manifests} manifests, written to ${dir}`, "resources by type:"];
    lines.push(...countLines(resources.map((r) => r.type)));
    const levels = countLines(violations.map((v) => v.enforcementLevel));
    lines.push(violations.length === 0 ? "policy violations: none" : "policy violations by level:", ...levels);
    const byApplication = new Map<string, { by: RenderedBy; lines: string[] }>();
    for (const v of violations) {
        const by = v.urn ? rendered?.renderedBy.get(v.urn) : undefined;
        if (by) {
            const key = `${by.application}@${by.cluster}`;
            const entry = byApplication.get(key) ?? { by, lines: [] };
            entry.lines.push(`    [${v.enforcementLevel}] ${v.policyName} (${by.object}): ${reasonOf(v)}`);
            byApplication.set(key, entry);
            continue;
        }
        const name = v.urn ? v.urn.split("::").pop() : "stack";
        lines.push(`  [${v.enforcementLevel}] ${v.policyName} (${name}): ${reasonOf(v)}`);
    }
    if (rendered) {
        const m = rendered.manifests;
        const n = (count: number, what: string) => `${count} ${what}${count === 1 ? "" : "s"}`;
        if (!m.judged) lines.push(m.note ?? "Application manifests were not judged");
        else lines.push(`Argo CD Application manifests: ${n(m.objects, "object")} of ${n(m.applications, "Application")} on ${n(m.clusters, "cluster")} judged${byApplication.size === 0 ? ", no violation" : ""}`);
        for (const [key, { by, lines: found }] of [...byApplication.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
            lines.push(`  ${key}${by.applicationSet ? ` (ApplicationSet ${by.applicationSet})` : ""}: ${n(found.length, "violation")}`, ...found);
        }
        for (const nj of m.notJudged) lines.push(`  ${notJudgedLine(nj)}`);
    }
    return lines.join("\n");
}
