/** The takeover plan of a proposal, as Markdown: what is adopted, in which order, and what stays out of Git. */
import * as YAML from "yaml";
import type { Proposal } from "./proposal";

export function takeoverPlan(proposal: Proposal, files: { stackFile: string }): string {
    const out: string[] = [`# Adoption into stack ${proposal.stack}`, ""];
    if (proposal.problems.length > 0) {
        out.push("## Problems (nothing is written until each is resolved)", "", ...proposal.problems.map((p) => `- ${p}`), "");
    }
    if (proposal.takeovers.length === 0 && proposal.notes.length === 0) {
        out.push("Nothing to adopt: every object found is Argo CD's, Pulumi's or a controller's.", "");
    }
    if (proposal.takeovers.length > 0) {
        out.push(
            "## Steps",
            "",
            `1. Review and merge this change as a pull request: ${files.stackFile}${Object.keys(proposal.files).length > 0 ? ` and ${[...new Set(Object.keys(proposal.files).map((f) => f.split("/").slice(0, 2).join("/")))].join(", ")}` : ""}.`,
            "2. `pulumi up` makes each Application below. An object rendered as it runs compares Synced with what runs, so Argo CD changes nothing: a Deployment keeps its ReplicaSet and its pods.",
            `3. \`npm run adopt -- --stack ${proposal.stack} --finish\` syncs each Application once (server-side apply): Argo CD moves the fields of the manager that applied the objects (\`argocd.argoproj.io/client-side-apply-migration-manager\`) to its own, \`argocd-controller\`. Then it deletes a Helm release's records, only once Argo CD owns every object of it, so a later \`helm uninstall\` finds nothing to delete.`,
            "",
            "## What is taken over",
            "",
        );
        for (const t of proposal.takeovers) {
            out.push(`### ${t.application}`, "", `From ${t.from}; the fields of \`${t.fieldManager}\` move to Argo CD.`, "");
            out.push(...t.objects.map((o) => `- ${o}`));
            if (t.releaseRecords) out.push(`- then the release records: ${t.releaseRecords.secrets.map((s) => `Secret ${t.releaseRecords!.namespace}/${s}`).join(", ")}`);
            if (t.notes.length > 0) out.push("", ...t.notes.map((n) => `Note: ${n}.`));
            out.push("");
        }
    }
    if (proposal.secretReferences.length > 0) {
        out.push("## Secrets (by key, never by value)", "");
        for (const s of proposal.secretReferences) out.push(`- ${s.where}: ${s.keys.join(", ") || "(no keys)"}: ${s.todo}.`);
        out.push("");
    }
    if (proposal.notes.length > 0) out.push("## Also found", "", ...proposal.notes.map((n) => `- ${n}`), "");
    if (proposal.projects.length > 0 || proposal.applications.length > 0) {
        out.push("## The stack config entries", "", "```yaml", YAML.stringify({ gitops: { ...(proposal.projects.length > 0 ? { projects: proposal.projects } : {}), applications: proposal.applications } }).trimEnd(), "```", "");
    }
    return out.join("\n");
}
