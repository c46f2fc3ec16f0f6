/**
 * The audit report as one self-contained HTML page: no script, style sheet, font or image from
 * anywhere (the style is inline), every text escaped, no link out (a repository URL is text).
 */
import type { AuditReport } from "./model";
import { chainSteps } from "./chain-text";

function esc(text: unknown): string {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:16px;color:#1f2328}
h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
table{border-collapse:collapse;margin:6px 0;width:100%}td,th{border:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f6f8fa}ol.chain>li{margin:6px 0}ol.chain li.missing>b{color:#cf222e}
.gap{color:#9a6700;font-style:italic}.kind{white-space:nowrap}.no{color:#cf222e}.yes{color:#1a7f37}.note{color:#57606a}`;

export function reportHtml(report: AuditReport): string {
    const parts: string[] = [];
    parts.push(`<h1>Audit trail of stack ${esc(report.stack)}</h1>`);
    parts.push(`<p>generated ${esc(report.generatedAt)}${report.query.object ? ` · object <code>${esc(report.query.object)}</code>` : ""}${report.query.since ? ` · since ${esc(report.query.since)}` : ""}</p>`);
    parts.push(`<h2>Sources</h2><table><thead><tr><th>source</th><th>read</th><th>what</th></tr></thead><tbody>${report.sources
        .map((s) => `<tr><td>${esc(s.name)}</td><td class="${s.read ? "yes" : "no"}">${s.read ? "yes" : "no"}</td><td>${esc(s.detail)}</td></tr>`)
        .join("")}</tbody></table>`);
    if (report.terraform) {
        const t = report.terraform;
        parts.push(`<p>Terraform state: ${esc(t.source)}${t.lineage ? `, lineage <code>${esc(t.lineage)}</code>` : ""}${t.serial !== undefined ? `, serial ${esc(t.serial)}` : ""}${t.note ? ` (${esc(t.note)})` : ""}</p>`);
    }
    if (report.chain) {
        const c = report.chain;
        parts.push(`<h2>Chain of ${esc(c.object.kind)} ${esc(c.object.namespace ? `${c.object.namespace}/` : "")}${esc(c.object.name)}</h2><ol class="chain">${chainSteps(c)
            .map(
                (s) =>
                    `<li class="${s.found ? "found" : "missing"}" data-step="${esc(s.step)}"><b>${esc(s.title)}</b>${s.found ? "" : " (missing)"}<ul>${s.lines.map((l) => `<li>${esc(l)}</li>`).join("")}${s.gaps.map((g) => `<li class="gap">${esc(g)}</li>`).join("")}</ul></li>`,
            )
            .join("")}</ol>`);
    }
    parts.push(`<h2>Timeline (newest first, ${report.timeline.length} event${report.timeline.length === 1 ? "" : "s"})</h2>`);
    parts.push(
        report.timeline.length === 0
            ? "<p>No events.</p>"
            : `<table><thead><tr><th>time</th><th>event</th><th>application</th><th>what</th><th>who</th><th>status</th></tr></thead><tbody>${report.timeline
                  .map((e) => `<tr data-kind="${esc(e.kind)}"><td>${esc(e.at)}</td><td class="kind">${esc(e.kind)}</td><td>${esc(e.application ?? "")}</td><td>${esc(e.summary)}</td><td>${esc(e.who ?? "")}</td><td>${esc(e.status ?? "")}</td></tr>`)
                  .join("")}</tbody></table>`,
    );
    parts.push(...report.notes.map((n) => `<p class="note">${esc(n)}</p>`));
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Audit trail: ${esc(report.stack)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${STYLE}</style></head>
<body>
${parts.join("\n")}
</body></html>
`;
}
