/**
 * Writes `<out>/review/` all or nothing: the three files go to a temporary sibling directory that
 * is renamed into place, so a failed or interrupted review leaves the previous one as it was. A last
 * guard refuses to write anything that holds one of the plan's test secrets.
 */
import * as fs from "fs";
import * as path from "path";
import { Review } from "./model";
import { reportHtml } from "./report-html";
import { summaryMarkdown } from "./summary-md";

/** The plan replaces `secure:` config with these; none may reach a review file. */
const TEST_SECRET_MARK = "plan-test-secret-for-";

export function writeReview(outDir: string, review: Review): string {
    const files: Record<string, string> = {
        "summary.md": summaryMarkdown(review),
        "report.html": reportHtml(review),
        "review.json": JSON.stringify(review, null, 2) + "\n",
    };
    for (const [name, text] of Object.entries(files)) {
        if (text.includes(TEST_SECRET_MARK)) throw new Error(`review: ${name} would contain a secret value; nothing written`);
    }
    const target = path.resolve(outDir, "review");
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const temp = fs.mkdtempSync(path.join(path.dirname(target), ".review-new-"));
    try {
        for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(temp, name), text);
        const old = fs.existsSync(target) ? `${temp}-old` : undefined;
        if (old) fs.renameSync(target, old);
        fs.renameSync(temp, target);
        if (old) fs.rmSync(old, { recursive: true, force: true });
    } catch (e) {
        fs.rmSync(temp, { recursive: true, force: true });
        throw e;
    }
    return target;
}
