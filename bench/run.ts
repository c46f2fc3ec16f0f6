/**
 * `npm run bench [-- <name filter>...] [--skip <name>]...`: runs every `bench/*.bench.ts` in its own node process (so one
 * bench's memory does not skew another's), one after the other, streaming their figures. Each bench
 * prints its own table; the runner fails only when a bench cannot run.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

// `--skip NAME` leaves out the benches whose file name contains NAME (CI skips the longest).
const args = process.argv.slice(2);
const skips = args.filter((a, i) => args[i - 1] === "--skip");
const filters = args.filter((a, i) => a !== "--skip" && args[i - 1] !== "--skip");
const benches = fs
    .readdirSync(__dirname)
    .filter((file) => file.endsWith(".bench.ts"))
    .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
    .filter((file) => !skips.some((skip) => file.includes(skip)))
    .sort();

if (benches.length === 0) {
    process.stderr.write(`bench: no bench/*.bench.ts matches ${filters.join(", ") || "(no filter)"}\n`);
    process.exit(2);
}

const failed: string[] = [];
for (const bench of benches) {
    process.stdout.write(`\n== ${bench}\n`);
    const started = Date.now();
    const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, bench)], {
        cwd: path.join(__dirname, ".."),
        stdio: "inherit",
    });
    process.stdout.write(`== ${bench}: ${run.status === 0 ? "ok" : `FAILED (exit ${run.status ?? run.signal})`} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    if (run.status !== 0) failed.push(bench);
}
if (failed.length > 0) {
    process.stderr.write(`bench: ${failed.length} failed: ${failed.join(", ")}\n`);
    process.exit(1);
}
