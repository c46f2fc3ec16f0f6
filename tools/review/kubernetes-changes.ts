/**
 * Kubernetes objects of base against head by identity (group, kind, namespace, name), field by
 * field: used for the Argo CD objects the program declares, the Applications the ApplicationSets
 * generate, and the objects the charts render to.
 */
import { ObjectChange, Section } from "./model";
import { Fingerprints, markChangedSecrets, propertyChanges, yamlDiff } from "./object-diff";
import { Manifest } from "./plan-output";

/** An object to compare, with the fingerprints of its redacted secrets and where it came from. */
export interface ComparedObject {
    object: Manifest;
    fingerprints?: Fingerprints;
    origin?: string;
}

/** `Deployment hello/hello-service` (with the API group for kinds of another group than core/apps). */
export function objectId(o: Manifest): string {
    const group = String(o.apiVersion ?? "").includes("/") ? String(o.apiVersion).split("/")[0] : "";
    const ns = o.metadata?.namespace ? `${o.metadata.namespace}/` : "";
    return `${o.kind}${group && group !== "apps" ? `.${group}` : ""} ${ns}${o.metadata?.name}`;
}

/** The changes between two sets of objects, in head order then removed ones. */
export function kubernetesChanges(section: Section, base: ComparedObject[], head: ComparedObject[]): ObjectChange[] {
    const before = new Map(base.map((o) => [objectId(o.object), o]));
    const after = new Map(head.map((o) => [objectId(o.object), o]));
    const out: ObjectChange[] = [];
    const entry = (o: ComparedObject, change: ObjectChange["change"], extra: Partial<ObjectChange>): ObjectChange => ({
        section,
        kind: o.object.kind,
        id: objectId(o.object),
        name: `${o.object.metadata?.namespace ? `${o.object.metadata.namespace}/` : ""}${o.object.metadata?.name}`,
        change,
        origin: o.origin,
        properties: [],
        diff: "",
        ...extra,
    });
    for (const [id, h] of after) {
        const b = before.get(id);
        if (!b) {
            out.push(entry(h, "added", { diff: yamlDiff(id, undefined, h.object) }));
            continue;
        }
        const { changes, changedSecrets } = propertyChanges(b.object, h.object, { base: b.fingerprints, head: h.fingerprints });
        if (changes.length === 0) continue;
        out.push(entry(h, "changed", { properties: changes, diff: yamlDiff(id, b.object, markChangedSecrets(h.object, changedSecrets)) }));
    }
    for (const [id, b] of before) if (!after.has(id)) out.push(entry(b, "removed", { diff: yamlDiff(id, b.object, undefined) }));
    return out;
}
