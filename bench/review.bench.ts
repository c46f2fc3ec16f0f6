/**
 * `npm run review` for the four stacks against the previous commit (HEAD~1) of this checkout, as a
 * pull request's CI runs it: the base worktree with its dependencies, then per stack the two plans
 * (run side by side) and the comparison (Argo CD objects, ApplicationSet expansion, helm renders,
 * findings), then the three output files. Figures only: the machines are shared and noisy.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { review } from "../tools/review/review";
import { writeReview } from "../tools/review/write-review";

async function main(): Promise<void> {
    const repo = path.join(__dirname, "..");
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "review-bench-"));
    try {
        const started = Date.now();
        const result = await review({ repo, base: "HEAD~1", fetchTimeoutSeconds: 5 });
        const reviewed = Date.now();
        writeReview(out, result);
        const written = Date.now();
        const size = (f: string) => fs.statSync(path.join(out, "review", f)).size;
        console.log(`review of HEAD~1 (${result.base.commit?.slice(0, 12)}) against the working tree, four stacks: exit ${result.exitCode}${result.errors.length ? ` (${result.errors.join("; ")})` : ""}`);
        console.log("| step | seconds |");
        console.log("| --- | --- |");
        console.log(`| base worktree + dependencies | ${result.timings.worktreeSeconds.toFixed(1)} |`);
        for (const [stack, t] of Object.entries(result.timings.stacks)) {
            console.log(`| ${stack}: plans (base and head side by side) | ${t.planSeconds.toFixed(1)} |`);
            console.log(`| ${stack}: comparison and chart renders | ${t.compareSeconds.toFixed(1)} |`);
        }
        console.log(`| writing summary.md, report.html, review.json | ${((written - reviewed) / 1000).toFixed(1)} |`);
        console.log(`| total | ${((written - started) / 1000).toFixed(1)} |`);
        const changes = result.stacks.reduce((n, s) => n + s.changes.length, 0);
        console.log(`changes: ${changes}; summary.md ${size("summary.md")} B, report.html ${size("report.html")} B, review.json ${size("review.json")} B; peak RSS of the review process ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (the plans are child processes)`);
    } finally {
        fs.rmSync(out, { recursive: true, force: true });
    }
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
