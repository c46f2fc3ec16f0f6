/**
 * `out/bench/results.json`: every bench merges its figures under its own keys, so the file holds the
 * latest figures of each. Written to a temporary file and renamed, so a reader never sees half of it.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The project's root, where the benches run the program and its tools. */
export const ROOT = path.join(__dirname, "..");

/** Bytes in a mebibyte, for memory figures. */
export const MIB = 1024 * 1024;

export const RESULTS_FILE = path.join(ROOT, "out", "bench", "results.json");

/** Merges `figures` into the results file. */
export function recordResults(figures: Record<string, unknown>): void {
    fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
    let current: Record<string, unknown> = {};
    try {
        current = JSON.parse(fs.readFileSync(RESULTS_FILE, "utf8")) as Record<string, unknown>;
    } catch {
        // No results yet, or a file from an interrupted older format: start afresh.
    }
    const temp = `${RESULTS_FILE}.${process.pid}.tmp`;
    fs.writeFileSync(temp, JSON.stringify({ ...current, ...figures, measuredAt: new Date().toISOString() }, null, 2) + "\n");
    fs.renameSync(temp, RESULTS_FILE);
}

/** Prints rows as an aligned table. */
export function printTable(rows: string[][]): void {
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
    for (const row of rows) process.stdout.write(`  ${row.map((cell, c) => (cell ?? "").padEnd(widths[c])).join("  ")}\n`);
}
