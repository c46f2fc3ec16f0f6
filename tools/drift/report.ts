/**
 * The drift report in four forms: text (a terminal), Markdown (what a person reads: the nightly run's
 * summary, an issue), JSON (a schedule acting on one layer: `layers[].status`) and SARIF (code
 * scanning). Grouped by layer, then by cluster; each item says what to do. Values come from the
 * readers, which never carry a secret's value.
 */
import type * as sarif from "sarif";
import { type DriftItem, type DriftReport, exitCode, type FieldChange, type Layer, type LayerResult } from "./model";

export const FORMATS = ["text", "md", "json", "sarif"] as const;
export type Format = (typeof FORMATS)[number];

const TITLES: Record<Layer, string> = {
    terraform: "Terraform (the foundation's outputs)",
    pulumi: "Pulumi (the stack's resources)",
    argocd: "Argo CD (what the Applications deploy)",
};

const VERDICT = ["no drift", "drift", "could not tell (a layer could not be read)"] as const;

export function render(report: DriftReport, format: Format): string {
    switch (format) {
        case "json":
            return `${JSON.stringify({ ...report, exitCode: exitCode(report) }, null, 2)}\n`;
        case "sarif":
            return `${JSON.stringify(sarifLog(report), null, 2)}\n`;
        case "md":
            return markdown(report);
        case "text":
            return text(report);
    }
}

/** Items by cluster, in first-seen order; the Terraform layer has none. */
function byCluster(items: DriftItem[]): [string, DriftItem[]][] {
    const groups = new Map<string, DriftItem[]>();
    for (const item of items) {
        const key = item.cluster ?? "";
        groups.set(key, [...(groups.get(key) ?? []), item]);
    }
    return [...groups.entries()];
}

function field(f: FieldChange): string {
    if (f.secret) return `${f.path}: changed (secret)`;
    if (f.expected === undefined) return `${f.path}: ${f.actual ?? "(none)"} (not in the source of truth)`;
    if (f.actual === undefined) return `${f.path}: ${f.expected} -> (gone)`;
    return `${f.path}: ${f.expected} -> ${f.actual}`;
}

function itemLine(item: DriftItem): string {
    const app = item.application ? ` (Application ${item.application})` : "";
    return `${item.kind} ${item.object}${app}`;
}

function details(item: DriftItem): string[] {
    const lines = item.fields.map(field);
    if (item.changedBy?.length) lines.push(`changed by ${item.changedBy.map((c) => `${c.manager}${c.operation ? ` (${c.operation})` : ""}${c.time ? ` at ${c.time}` : ""}`).join(", ")}`);
    lines.push(`what to do: ${item.action}`);
    return lines;
}

function layerStatus(l: LayerResult): string {
    if (l.status === "error") return `could not be read: ${l.error}`;
    return l.status === "clean" ? "no drift" : `${l.items.length} item${l.items.length === 1 ? "" : "s"}`;
}

function text(report: DriftReport): string {
    const out = [`drift of stack ${report.stack} at ${report.generatedAt}: ${VERDICT[exitCode(report)]}`];
    for (const l of report.layers) {
        out.push("", `${TITLES[l.layer]}: ${layerStatus(l)} [${l.source}, ${l.seconds} s]`);
        for (const note of l.notes) out.push(`  note: ${note}`);
        for (const [cluster, items] of byCluster(l.items)) {
            if (cluster) out.push(`  cluster ${cluster}`);
            for (const item of items) {
                out.push(`  ${cluster ? "  " : ""}- ${itemLine(item)}`);
                for (const d of details(item)) out.push(`  ${cluster ? "  " : ""}    ${d}`);
            }
        }
    }
    for (const r of report.remediation ?? []) out.push("", `remediation (${r.layer}): ${r.action}: ${r.ok ? "done" : "failed"}; ${r.detail}`);
    return `${out.join("\n")}\n`;
}

/** Markdown that is safe in a table cell or a list: no raw pipes or line breaks from values. */
function md(s: string): string {
    return s.replace(/\|/g, "\\|").replace(/[\r\n]+/g, " ").replace(/`/g, "'");
}

function markdown(report: DriftReport): string {
    const out = [`# Drift of stack \`${report.stack}\``, "", `${report.generatedAt}: **${VERDICT[exitCode(report)]}**.`, "", "| layer | status | read from | seconds |", "| --- | --- | --- | --- |"];
    for (const l of report.layers) out.push(`| ${l.layer} | ${md(layerStatus(l))} | ${md(l.source)} | ${l.seconds} |`);
    for (const l of report.layers) {
        out.push("", `## ${TITLES[l.layer]}`, "");
        if (l.status === "error") out.push(`Could not be read: ${md(l.error ?? "")}. Nothing is remediated in this layer until it can be.`);
        else if (l.items.length === 0) out.push("No drift.");
        for (const note of l.notes) out.push(`- note: ${md(note)}`);
        for (const [cluster, items] of byCluster(l.items)) {
            if (cluster) out.push("", `### Cluster \`${cluster}\``);
            out.push("");
            for (const item of items) {
                out.push(`- **${md(itemLine(item))}**`);
                for (const d of details(item)) out.push(`  - ${md(d)}`);
            }
        }
    }
    if (report.remediation?.length) {
        out.push("", "## Remediation", "");
        for (const r of report.remediation) out.push(`- ${r.layer}: ${md(r.action)}: ${r.ok ? "done" : "**failed**"}; ${md(r.detail)}`);
    }
    return `${out.join("\n")}\n`;
}

/** One rule per layer and kind; one result per item (a warning: drift is a finding, not a failed check). */
function sarifLog(report: DriftReport): sarif.Log {
    const items = report.layers.flatMap((l) => l.items);
    const ruleIds = [...new Set(items.map((i) => `drift/${i.layer}/${i.kind}`))];
    const rules: sarif.ReportingDescriptor[] = ruleIds.map((id) => ({ id, name: id, shortDescription: { text: `${id.split("/")[2]} in the ${id.split("/")[1]} layer` } }));
    const results: sarif.Result[] = items.map((item) => ({
        ruleId: `drift/${item.layer}/${item.kind}`,
        ruleIndex: ruleIds.indexOf(`drift/${item.layer}/${item.kind}`),
        level: "warning",
        message: { text: [itemLine(item), ...details(item)].join("; ") },
        locations: [
            {
                // Code scanning needs a file: the stack's config, which declares what drifted.
                physicalLocation: { artifactLocation: { uri: `stacks/Pulumi.${report.stack}.yaml` }, region: { startLine: 1 } },
                logicalLocations: [{ name: item.object, fullyQualifiedName: [item.cluster, item.application, item.object].filter(Boolean).join("/"), kind: "resource" }],
            },
        ],
        partialFingerprints: { "drift/v1": `${report.stack}:${item.layer}:${item.cluster ?? ""}:${item.object}:${item.kind}` },
    }));
    const notifications = report.layers.filter((l) => l.status === "error").map((l) => ({ level: "error" as const, message: { text: `${l.layer}: ${l.error}` } }));
    return {
        version: "2.1.0",
        $schema: "https://json.schemastore.org/sarif-2.1.0.json",
        runs: [
            {
                tool: { driver: { name: "gitops-platform drift", rules } },
                automationDetails: { id: `drift/${report.stack}/` },
                results,
                invocations: [{ executionSuccessful: notifications.length === 0, toolExecutionNotifications: notifications }],
            },
        ],
    };
}
