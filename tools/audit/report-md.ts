/** The audit report as markdown: sources, the object's chain step by step, missing links, the timeline. */
import type { AuditReport } from "./model";
import { chainSteps } from "./chain-text";

/** Text safe in a markdown table cell and in GitHub's renderer (no HTML, no table breaks, no code spans). */
function md(text: string): string {
    return text
        .replace(/\\/g, "\\\\")
        .replace(/\|/g, "\\|")
        .replace(/`/g, "\\`")
        .replace(/\*/g, "\\*")
        .replace(/_/g, "\\_")
        .replace(/</g, "\\<")
        .replace(/>/g, "\\>")
        .replace(/\r?\n/g, " ");
}

export function reportMarkdown(report: AuditReport): string {
    const out: string[] = [];
    out.push(`# Audit trail of stack ${md(report.stack)}`, "");
    out.push([`generated ${md(report.generatedAt)}`, report.query.object && `object ${md(report.query.object)}`, report.query.since && `since ${md(report.query.since)}`].filter(Boolean).join(" · "), "");
    out.push("## Sources", "", "| source | read | what |", "| --- | --- | --- |");
    for (const s of report.sources) out.push(`| ${md(s.name)} | ${s.read ? "yes" : "no"} | ${md(s.detail)} |`);
    out.push("");
    if (report.terraform) {
        const t = report.terraform;
        out.push(`Terraform state: ${md(t.source)}${t.lineage ? `, lineage ${md(t.lineage)}` : ""}${t.serial !== undefined ? `, serial ${t.serial}` : ""}${t.note ? ` (${md(t.note)})` : ""}`, "");
    }
    if (report.chain) {
        const c = report.chain;
        out.push(`## Chain of ${md(c.object.kind)} ${md(c.object.namespace ? `${c.object.namespace}/` : "")}${md(c.object.name)}`, "");
        chainSteps(c).forEach((step, i) => {
            out.push(`${i + 1}. **${step.title}**${step.found ? "" : " (missing)"}`);
            for (const line of step.lines) out.push(`   - ${md(line)}`);
            for (const gap of step.gaps) out.push(`   - _${md(gap)}_`);
        });
        out.push("");
        if (c.gaps.length > 0) {
            out.push("### Missing links", "");
            for (const g of c.gaps) out.push(`- ${md(g.step)}: ${md(g.reason)}`);
            out.push("");
        }
    }
    out.push(`## Timeline (newest first, ${report.timeline.length} event${report.timeline.length === 1 ? "" : "s"})`, "");
    if (report.timeline.length === 0) out.push("No events.");
    else {
        out.push("| time | event | application | what | who | status |", "| --- | --- | --- | --- | --- | --- |");
        for (const e of report.timeline) out.push(`| ${md(e.at)} | ${md(e.kind)} | ${md(e.application ?? "")} | ${md(e.summary)} | ${md(e.who ?? "")} | ${md(e.status ?? "")} |`);
    }
    out.push("");
    for (const n of report.notes) out.push(`> ${md(n)}`, "");
    return out.join("\n");
}
