/** The one line on top of the summary: what merging changes and whether policy lets it through. */
import { Review, StackReview } from "./model";

/** How many things differ in one stack (objects and stack-file secrets). */
export function changeCount(s: StackReview): number {
    return s.changes.length + s.stackSecrets.length;
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

export function verdict(review: Review): string {
    const stacks = review.stacks;
    const mandatory = stacks.reduce((n, s) => n + s.headMandatory, 0);
    const newMandatory = stacks.reduce((n, s) => n + s.findings.new.filter((f) => f.enforcementLevel !== "advisory").length, 0);
    const policy = mandatory > 0 ? `policy: ${count(mandatory, "mandatory finding")} in head (${newMandatory} new): merging is blocked` : "policy: no mandatory finding in head";
    if (review.errors.length > 0) return `⚠️ Review incomplete: ${review.errors[0].split("\n")[0]}; ${policy}`;
    const changed = stacks.filter((s) => changeCount(s) > 0);
    const findingChanges = stacks.reduce((n, s) => n + s.findings.new.length + s.findings.fixed.length, 0);
    const icon = mandatory > 0 ? "❌" : "✅";
    if (changed.length === 0 && findingChanges === 0) return `${icon} No changes in ${stacks.map((s) => s.stack).join(", ")}; ${policy}`;
    const bySection = (section: string) => stacks.reduce((n, s) => n + s.changes.filter((c) => c.section === section).length, 0);
    const parts = [
        count(bySection("pulumi"), "Pulumi resource"),
        count(bySection("argocd"), "Argo CD object"),
        count(bySection("generated"), "generated Application"),
        count(bySection("rendered"), "rendered object"),
    ];
    const where = changed.map((s) => `${s.stack} ${changeCount(s)}`).join(", ") || "no objects";
    const findings = findingChanges > 0 ? `; findings ${stacks.reduce((n, s) => n + s.findings.new.length, 0)} new, ${stacks.reduce((n, s) => n + s.findings.fixed.length, 0)} fixed` : "";
    return `${icon} Changes in ${where}: ${parts.join(", ")}${findings}; ${policy}`;
}
