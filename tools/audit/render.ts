/**
 * The report's renderers: markdown (a terminal or a pull request comment), one self-contained HTML
 * page, and JSON (the report as it is). Both pages say the chain in chain-text.ts's words; they
 * get a report that redact.ts has scrubbed.
 */
import type { AuditReport } from "./model";
import { reportHtml } from "./report-html";
import { reportMarkdown } from "./report-md";

export const FORMATS = ["md", "html", "json"] as const;
export type Format = (typeof FORMATS)[number];

/** The file name each format is written to under `--out`. */
export const FILE_NAMES: Record<Format, string> = { md: "audit.md", html: "audit.html", json: "audit.json" };

export function render(report: AuditReport, format: Format): string {
    switch (format) {
        case "md":
            return reportMarkdown(report);
        case "html":
            return reportHtml(report);
        case "json":
            return `${JSON.stringify(report, null, 2)}\n`;
    }
}
