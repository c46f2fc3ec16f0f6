/**
 * Pulumi resources of base against head, by URN: added, removed, changed (with the changed input
 * and option paths) and replaced (see replace-rule.ts). A Kubernetes object whose kind changed has
 * a new URN; it is paired with the removed one of the same name and parent and called a replace.
 */
import { ObjectChange, PropertyChange } from "./model";
import { markChangedSecrets, propertyChanges, yamlDiff } from "./object-diff";
import { PlanOutput, PlannedResource } from "./plan-output";
import { kubernetesKind, replaceReason } from "./replace-rule";

/** What of a resource the review compares and shows. */
function shown(r: PlannedResource): Record<string, unknown> {
    return { type: r.type, provider: r.provider ?? undefined, inputs: r.inputs, options: r.options };
}

function label(r: PlannedResource): string {
    return `${r.type}::${r.name}`;
}

/** The parent chain's identity without the resource's own type: pairs a kind change. */
function pairKey(r: PlannedResource): string {
    return `${r.parent ?? ""}|${r.name}|${r.provider ?? ""}`;
}

function single(section: "pulumi", r: PlannedResource, change: "added" | "removed"): ObjectChange {
    const doc = shown(r);
    return {
        section,
        kind: r.type,
        id: r.urn,
        name: r.name,
        change,
        properties: [],
        diff: change === "added" ? yamlDiff(label(r), undefined, doc) : yamlDiff(label(r), doc, undefined),
    };
}

/** The resource changes of one stack. */
export function resourceChanges(base: PlanOutput, head: PlanOutput): ObjectChange[] {
    const before = new Map(base.resources.map((r) => [r.urn, r]));
    const after = new Map(head.resources.map((r) => [r.urn, r]));
    const out: ObjectChange[] = [];
    const removed = base.resources.filter((r) => !after.has(r.urn));
    const added = head.resources.filter((r) => !before.has(r.urn));

    // A Kubernetes kind change: same name, parent and provider, another type token.
    const removedByPair = new Map(removed.filter((r) => kubernetesKind(r.type)).map((r) => [pairKey(r), r]));
    const paired = new Set<string>();
    for (const r of added.filter((a) => kubernetesKind(a.type))) {
        const old = removedByPair.get(pairKey(r));
        if (!old || kubernetesKind(old.type) === kubernetesKind(r.type)) continue;
        paired.add(old.urn).add(r.urn);
        const { changes } = propertyChanges(old.inputs, r.inputs);
        out.push({
            section: "pulumi",
            kind: r.type,
            id: r.urn,
            name: r.name,
            change: "replaced",
            replaceReason: `kind changed from ${kubernetesKind(old.type)} to ${kubernetesKind(r.type)}`,
            properties: [{ path: "type", change: "changed", before: old.type, after: r.type }, ...changes],
            diff: yamlDiff(label(r), shown(old), shown(r)),
        });
    }

    for (const r of head.resources) {
        const old = before.get(r.urn);
        if (!old) {
            if (!paired.has(r.urn)) out.push(single("pulumi", r, "added"));
            continue;
        }
        const { changes, changedSecrets } = propertyChanges(old.inputs, r.inputs, { base: base.fingerprints?.[r.urn], head: head.fingerprints?.[r.urn] });
        const extra: PropertyChange[] = [];
        if (old.provider !== r.provider) extra.push({ path: "(provider)", change: "changed", before: old.provider, after: r.provider });
        if (old.parent !== r.parent) extra.push({ path: "(parent)", change: "changed", before: old.parent, after: r.parent });
        for (const c of propertyChanges(old.options, r.options).changes) extra.push({ ...c, path: `(options).${c.path}` });
        const all = [...changes, ...extra];
        if (all.length === 0) continue;
        const reason = replaceReason(r.type, r.inputs, changes, old.provider !== r.provider);
        const headShown = { ...shown(r), inputs: markChangedSecrets(r.inputs, changedSecrets) };
        out.push({
            section: "pulumi",
            kind: r.type,
            id: r.urn,
            name: r.name,
            change: reason ? "replaced" : "changed",
            replaceReason: reason,
            properties: all,
            diff: yamlDiff(label(r), shown(old), headShown),
        });
    }
    for (const r of removed) if (!paired.has(r.urn)) out.push(single("pulumi", r, "removed"));
    return out;
}
