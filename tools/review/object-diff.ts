/**
 * Field-by-field comparison of two JSON documents (a resource's inputs, a Kubernetes object), and
 * the unified YAML diff a reviewer reads. Secrets arrive redacted (`[secret]`), so equal text says
 * nothing about them: fingerprints (keyed hashes, see tools/plan/secret-fingerprints.ts) say
 * whether a secret changed, and the diff marks it without showing either value.
 */
import { createTwoFilesPatch } from "diff";
import * as YAML from "yaml";
import { PropertyChange } from "./model";

/** Secret fingerprints of one object: raw dotted path (`stringData`, `a.b[0]`) to hash. */
export type Fingerprints = Record<string, string>;

/** What a secret that changed reads as in the head's YAML, so the text diff shows a change. */
export const CHANGED_SECRET = "[secret, changed]";

type Segment = string | number;

/** `metadata.labels["app.kubernetes.io/name"]`, `spec.generators[0]` */
export function displayPath(segments: Segment[]): string {
    return segments
        .map((s, i) => (typeof s === "number" ? `[${s}]` : /^[A-Za-z_$][\w$-]*$/.test(s) ? (i === 0 ? s : `.${s}`) : `[${JSON.stringify(s)}]`))
        .join("");
}

/** The path as the plan's fingerprint file spells it (dotted keys, `[i]` indexes). */
function rawPath(segments: Segment[]): string {
    return segments.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The changed properties of `before` against `after`, leaf by leaf, in document order. */
export function propertyChanges(before: unknown, after: unknown, fingerprints: { base?: Fingerprints; head?: Fingerprints } = {}): { changes: PropertyChange[]; changedSecrets: Segment[][] } {
    const changes: PropertyChange[] = [];
    const changedSecrets: Segment[][] = [];
    const walk = (a: unknown, b: unknown, at: Segment[]) => {
        const raw = rawPath(at);
        const fa = fingerprints.base?.[raw];
        const fb = fingerprints.head?.[raw];
        if (fa !== undefined && fb !== undefined) {
            // Both sides hold a secret here: compare the fingerprints, never descend into redacted text.
            if (fa !== fb) {
                changes.push({ path: displayPath(at), change: "changed", before: "[secret]", after: "[secret]", secret: true });
                changedSecrets.push(at);
            }
            return;
        }
        if (isObject(a) && isObject(b)) {
            for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
                if (!(key in b)) changes.push({ path: displayPath([...at, key]), change: "removed", before: a[key] });
                else if (!(key in a)) changes.push({ path: displayPath([...at, key]), change: "added", after: b[key] });
                else walk(a[key], b[key], [...at, key]);
            }
            return;
        }
        if (Array.isArray(a) && Array.isArray(b)) {
            // A list of plain values (dependsOn, finalizers, sourceRepos) reads best as the values removed and added.
            if ([...a, ...b].every((v) => typeof v !== "object" || v === null) && JSON.stringify(a) !== JSON.stringify(b)) {
                const removed = a.filter((v) => !b.includes(v));
                const added = b.filter((v) => !a.includes(v));
                if (removed.length === 0 && added.length === 0) changes.push({ path: displayPath(at), change: "changed", before: a, after: b });
                for (const v of removed) changes.push({ path: `${displayPath(at)}[]`, change: "removed", before: v });
                for (const v of added) changes.push({ path: `${displayPath(at)}[]`, change: "added", after: v });
                return;
            }
            for (let i = 0; i < Math.max(a.length, b.length); i++) {
                if (i >= b.length) changes.push({ path: displayPath([...at, i]), change: "removed", before: a[i] });
                else if (i >= a.length) changes.push({ path: displayPath([...at, i]), change: "added", after: b[i] });
                else walk(a[i], b[i], [...at, i]);
            }
            return;
        }
        if (JSON.stringify(a) !== JSON.stringify(b)) changes.push({ path: displayPath(at), change: "changed", before: a, after: b });
    };
    walk(before, after, []);
    return { changes, changedSecrets };
}

/** A copy of `doc` with each path set to {@link CHANGED_SECRET}. */
export function markChangedSecrets(doc: unknown, paths: Segment[][]): unknown {
    if (paths.length === 0) return doc;
    const copy = structuredClone(doc) as Record<string | number, unknown>;
    for (const at of paths) {
        if (at.length === 0) return CHANGED_SECRET;
        let node: Record<string | number, unknown> = copy;
        for (const seg of at.slice(0, -1)) node = node[seg] as Record<string | number, unknown>;
        node[at[at.length - 1]] = CHANGED_SECRET;
    }
    return copy;
}

/** YAML of a document, or empty for an absent one. */
export function toYaml(doc: unknown): string {
    return doc === undefined ? "" : YAML.stringify(doc, { lineWidth: 0, sortMapEntries: false });
}

/** Unified diff of two documents' YAML, headed with `label`; empty when the text is equal. */
export function yamlDiff(label: string, before: unknown, after: unknown): string {
    const a = toYaml(before);
    const b = toYaml(after);
    if (a === b) return "";
    const patch = createTwoFilesPatch(`base/${label}`, `head/${label}`, a, b, "", "", { context: 4 });
    // Drop the "Index:"/"===" preamble: the file headers say what it is.
    return patch.replace(/^(Index: .*\n)?=+\n/, "");
}
