/**
 * The chain as text steps, made once for markdown and HTML so both say the same thing in the same
 * words: per link, what was found and what is missing there.
 */
import { shortSha } from "./commit-index";
import type { ChainStep, ObjectChain, SignatureVerdict } from "./model";

/** One link of the chain as text: what was found, and what is missing there. */
export interface StepText {
    step: ChainStep;
    title: string;
    found: boolean;
    lines: string[];
    gaps: string[];
}

const TITLES: Record<ChainStep, string> = {
    object: "Object",
    application: "Application",
    sync: "Sync",
    notification: "Notification",
    "hydrated-commit": "Hydrated commit",
    "dry-commit": "Dry commit",
    "pull-request": "Pull request",
    "pulumi-update": "Pulumi update",
    terraform: "Terraform state",
};

function signatureText(s: SignatureVerdict): string {
    const key = s.fingerprint ? `, fingerprint ${s.fingerprint}` : s.keyId ? `, key id ${s.keyId}` : "";
    const trusted = s.trustedKey === undefined ? "" : `, ${s.trustedKey ? "a" : "not a"} trusted key`;
    return `${s.status} (${s.meaning})${s.signer ? `, signer ${s.signer}` : ""}${key}${trusted}`;
}

const join = (...parts: (string | undefined | false)[]) => parts.filter((p) => !!p).join(", ");

export function chainSteps(chain: ObjectChain): StepText[] {
    const steps: StepText[] = [];
    const add = (step: ChainStep, found: boolean, lines: string[]) => steps.push({ step, title: TITLES[step], found, lines, gaps: chain.gaps.filter((g) => g.step === step).map((g) => g.reason) });
    const o = chain.object;
    add("object", o.uid !== undefined || o.trackingId !== undefined || o.createdAt !== undefined, [
        `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}${o.apiVersion ? ` (${o.apiVersion})` : ""}`,
        ...(o.uid ? [join(`uid ${o.uid}`, o.createdAt && `created ${o.createdAt}`)] : []),
        ...(o.trackingId ? [`tracking id ${o.trackingId}`] : []),
        ...(o.metadataOnly ? [o.metadataOnly] : []),
    ]);
    const a = chain.application;
    add("application", !!a, a ? [
        join(`${a.namespace}/${a.name}`, a.project && `project ${a.project}`, a.syncStatus && `sync ${a.syncStatus}${a.syncRevision ? ` at ${shortSha(a.syncRevision)}` : ""}`, a.health && `health ${a.health}`),
        a.hydrator
            ? `source hydrator: ${a.hydrator.dryRevision ?? "?"} → ${a.hydrator.syncBranch ?? "?"}${a.hydrator.lastDrySha ? `; last hydration ${shortSha(a.hydrator.lastDrySha)} → ${shortSha(a.hydrator.lastHydratedSha)}` : ""}${a.hydrator.phase ? ` (${a.hydrator.phase}${a.hydrator.message ? `: ${a.hydrator.message}` : ""})` : ""}`
            : `syncs directly from ${a.targetRevision ?? "HEAD"}`,
        ...(Object.keys(a.auditLabels).length ? [`audit labels: ${Object.entries(a.auditLabels).map(([k, v]) => `${k}=${v}`).join(", ")}`] : []),
        ...a.conditions.map((c) => `${c.signatureProblem ? "SIGNATURE " : ""}condition ${c.type}${c.at ? ` since ${c.at}` : ""}: ${c.message}`),
    ] : []);
    const s = chain.sync;
    add("sync", !!s, s ? [
        join(`${s.historyId !== undefined ? `history #${s.historyId}: ` : ""}revision ${s.revision}`, s.deployedAt && `deployed ${s.deployedAt}`, `by ${s.initiatedBy}${s.automated ? "" : " (manual)"}`),
        ...(s.phase ? [`operation ${s.phase}${s.message ? `: ${s.message}` : ""}`] : []),
        ...(s.objectResult ? [`this object: ${s.objectResult}`] : []),
    ] : []);
    add("notification", chain.notifications.length > 0, chain.notifications.map((n) => join(`${n.event}${n.at ? ` at ${n.at}` : ""}`, n.receivedAt && `received ${n.receivedAt}`, n.phase && `phase ${n.phase}`, n.initiatedBy && `by ${n.initiatedBy}`) + (n.message ? `: ${n.message}` : "")));
    const h = chain.hydratedCommit;
    add("hydrated-commit", !!h && h.drySource !== "application-status", h ? [
        join(`${h.sha}${h.branch ? ` on ${h.branch}` : ""}`, h.date && `committed ${h.date}`) + (h.subject ? `: ${h.subject}` : ""),
        h.drySha ? `dry commit ${h.drySha} (from ${h.drySource})` : "names no dry commit",
        ...(h.signature ? [`signature: ${signatureText(h.signature)}; verified: ${h.signature.verified ? "yes" : "no"}`] : []),
    ] : []);
    const d = chain.dryCommit;
    add("dry-commit", !!d, d ? [
        `${d.sha}${d.onDryBranch ? "" : " (not on the dry branch)"}: ${d.subject}`,
        `author ${d.author} <${d.authorEmail}>, ${d.date}`,
        `signature: ${signatureText(d.signature)}`,
        `verified: ${d.signature.verified ? "yes" : "no"}`,
    ] : []);
    const pr = chain.pullRequest;
    add("pull-request", !!pr, pr ? [`#${pr.number} (${pr.from === "merge-subject" ? "merge commit subject" : pr.from === "trailer" ? "Pull-request trailer" : "squash merge subject"} of ${shortSha(pr.commit)})`] : []);
    const u = chain.pulumiUpdate;
    add("pulumi-update", !!u, u ? [
        join(`${u.kind} ${u.version}`, u.result, u.startTime && `started ${u.startTime}`, u.endTime && `ended ${u.endTime}`) + (u.message ? `: ${u.message}` : ""),
        join(u.gitHead && `from commit ${u.gitHead}`, u.gitAuthor && `by ${u.gitAuthor}`, u.resourceChanges && `changes ${Object.entries(u.resourceChanges).map(([k, n]) => `${k} ${n}`).join(" ")}`),
        u.matchedBy === "git-commit-label" ? "matched by the git-commit audit label" : "matched by resource changes (no update ran from the labelled commit)",
    ].filter((l) => l !== "") : []);
    const t = chain.terraform;
    add("terraform", !!t, t ? [join(t.source, t.lineage && `lineage ${t.lineage}`, t.serial !== undefined && `serial ${t.serial}`, t.terraformVersion && `written by Terraform ${t.terraformVersion}`, t.note)] : []);
    return steps;
}
