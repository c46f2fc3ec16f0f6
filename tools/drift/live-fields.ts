/**
 * What differs between a live Kubernetes object and what Argo CD last applied to it, read from the
 * object alone (no chart is rendered): the `last-applied-configuration` annotation client-side apply
 * leaves, or, for server-side apply, the fields another manager owns. Also who changed it, from
 * `metadata.managedFields`. A Secret's values never leave this file: its data fields are `secret: true`.
 */
import type { FieldChange } from "./model";

/** The field manager Argo CD applies with (client-side and server-side). */
export const ARGOCD_MANAGER = "argocd-controller";
export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";

/** Control-plane writers of status and defaults: their edits are not drift. */
const STATUS_WRITERS = new Set(["kube-controller-manager", "kube-scheduler", "kubelet", "kube-apiserver"]);

export type KubeObject = Record<string, unknown> & {
    apiVersion?: string;
    kind?: string;
    metadata?: {
        name?: string;
        namespace?: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
        ownerReferences?: unknown[];
        managedFields?: ManagedFieldsEntry[];
    };
};

export interface ManagedFieldsEntry {
    manager?: string;
    operation?: string;
    time?: string;
    subresource?: string;
    fieldsV1?: Record<string, unknown>;
}

/** Whether an object is a core Secret, whose data is never shown. */
export function isSecret(obj: { apiVersion?: string; kind?: string }): boolean {
    return obj.kind === "Secret" && (obj.apiVersion === undefined || obj.apiVersion === "v1");
}

/** The last-applied configuration, or undefined when there is none or it is not JSON. */
export function lastApplied(live: KubeObject): KubeObject | undefined {
    const text = live.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
    if (!text) return undefined;
    try {
        const parsed = JSON.parse(text) as unknown;
        return isRecord(parsed) ? (parsed as KubeObject) : undefined;
    } catch {
        return undefined;
    }
}

/**
 * Every leaf of `applied` that the live object does not hold as-is. Only paths `applied` sets are
 * compared, so what the API server defaults or adds (status, uid, managedFields, defaulted fields)
 * is never drift. A Secret's `data`/`stringData` are compared decoded and reported without values.
 */
export function diffAgainstApplied(applied: KubeObject, live: KubeObject): FieldChange[] {
    const changes: FieldChange[] = [];
    const secret = isSecret(applied) || isSecret(live);
    for (const [key, value] of Object.entries(applied)) {
        if (key === "status" || key === "apiVersion" || key === "kind") continue;
        if (secret && (key === "data" || key === "stringData")) continue;
        if (key === "metadata" && isRecord(value)) {
            // Only what a manifest sets on purpose; the last-applied annotation is not in itself.
            const liveMeta: Record<string, unknown> = isRecord(live.metadata) ? live.metadata : {};
            for (const part of ["labels", "annotations"]) {
                const want = value[part];
                if (!isRecord(want)) continue;
                const have = isRecord(liveMeta[part]) ? (liveMeta[part] as Record<string, unknown>) : {};
                for (const [k, v] of Object.entries(want)) {
                    if (k === LAST_APPLIED_ANNOTATION) continue;
                    if (!sameValue(v, have[k], "")) changes.push(change(`metadata.${part}.${k}`, v, have[k]));
                }
            }
            continue;
        }
        walk(key, value, (live as Record<string, unknown>)[key], changes);
    }
    if (secret) changes.push(...secretDataChanges(applied, live));
    return changes;
}

/** A Secret's keys whose decoded values differ, or which one side lacks: names only, never values. */
function secretDataChanges(applied: KubeObject, live: KubeObject): FieldChange[] {
    const want = decodedSecretData(applied);
    const have = decodedSecretData(live);
    const keys = [...new Set([...Object.keys(want), ...Object.keys(have)])].sort();
    return keys.filter((k) => want[k] !== have[k]).map((k) => ({ path: `data.${k}`, secret: true }));
}

function decodedSecretData(obj: KubeObject): Record<string, string> {
    const out: Record<string, string> = {};
    if (isRecord(obj.data)) for (const [k, v] of Object.entries(obj.data)) out[k] = Buffer.from(String(v), "base64").toString("utf8");
    // stringData wins over data, as the API server merges them.
    if (isRecord(obj.stringData)) for (const [k, v] of Object.entries(obj.stringData)) out[k] = String(v);
    return out;
}

function walk(path: string, want: unknown, have: unknown, out: FieldChange[]): void {
    if (isRecord(want)) {
        if (!isRecord(have)) {
            out.push(change(path, want, have));
            return;
        }
        for (const [k, v] of Object.entries(want)) walk(`${path}.${k}`, v, have[k], out);
        return;
    }
    // A list of objects (containers, ports) is compared element by element, so defaults the server
    // adds inside each element are not drift; a list of scalars (args) is one leaf.
    if (Array.isArray(want) && want.some(isRecord)) {
        if (!Array.isArray(have) || have.length !== want.length) {
            out.push(change(path, want, have));
            return;
        }
        want.forEach((w, i) => walk(`${path}[${i}]`, w, have[i], out));
        return;
    }
    if (!sameValue(want, have, path)) out.push(change(path, want, have));
}

function change(path: string, expected: unknown, actual: unknown): FieldChange {
    return { path, expected: JSON.stringify(expected), actual: actual === undefined ? undefined : JSON.stringify(actual) };
}

/** Equal as the API server would store them: `80` and `"80"` for an int-or-string, `0.5` and `500m` for a quantity. */
function sameValue(want: unknown, have: unknown, path: string): boolean {
    if (JSON.stringify(want) === JSON.stringify(have)) return true;
    if (want === null && have === undefined) return true;
    if ((typeof want === "number" || typeof want === "string") && (typeof have === "number" || typeof have === "string")) {
        if (String(want) === String(have)) return true;
        if (/(^|\.)(resources\.(limits|requests)|capacity|hard)\./.test(path)) {
            const a = quantity(String(want));
            const b = quantity(String(have));
            return a !== undefined && a === b;
        }
    }
    return false;
}

const QUANTITY_SUFFIX: Record<string, number> = { m: 1e-3, "": 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

function quantity(text: string): number | undefined {
    const m = /^([0-9.]+)(m|k|K|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(text.trim());
    if (!m) return undefined;
    return Math.round(Number(m[1]) * QUANTITY_SUFFIX[m[2] ?? ""] * 1000);
}

/**
 * Who edited the object apart from Argo CD and the control plane: each other field manager with its
 * operation and time, oldest first (an edit through a subresource has no time: first).
 */
export function changedBy(live: KubeObject): { manager: string; operation?: string; time?: string }[] {
    return (live.metadata?.managedFields ?? [])
        .filter((e) => e.manager && e.manager !== ARGOCD_MANAGER && !STATUS_WRITERS.has(e.manager) && e.subresource !== "status")
        // The API server records no time for an edit through a subresource (`kubectl scale`): say which one instead.
        .map((e) => ({ manager: e.manager!, operation: e.subresource ? `${e.operation ?? "Update"} /${e.subresource}` : e.operation, ...(e.time ? { time: e.time } : {}) }))
        .sort((a, b) => (a.time ?? "").localeCompare(b.time ?? ""));
}

/**
 * Server-side apply without a last-applied annotation, best effort: the leaf fields other managers
 * own and Argo CD does not, with their live value (nothing is known of Git's value without a render).
 */
export function fieldsOwnedByOthers(live: KubeObject): FieldChange[] {
    const entries = live.metadata?.managedFields ?? [];
    const argocd = new Set(entries.filter((e) => e.manager === ARGOCD_MANAGER).flatMap((e) => leafPaths(e.fieldsV1 ?? {}, "")));
    const others = new Set(
        entries
            .filter((e) => e.manager && e.manager !== ARGOCD_MANAGER && !STATUS_WRITERS.has(e.manager) && e.subresource !== "status")
            .flatMap((e) => leafPaths(e.fieldsV1 ?? {}, "")),
    );
    const secret = isSecret(live);
    return [...others]
        .filter((p) => !argocd.has(p) && !p.startsWith("metadata.") && !p.startsWith("status."))
        .sort()
        .map((path) => {
            if (secret && /^(data|stringData)\./.test(path)) return { path, secret: true };
            const value = valueAt(live, path);
            return { path, actual: value === undefined ? undefined : JSON.stringify(value) };
        });
}

/** `{"f:spec":{"f:replicas":{}}}` → `spec.replicas`; list keys `k:{"name":"web"}` → `[name=web]`. */
function leafPaths(fields: Record<string, unknown>, prefix: string): string[] {
    const paths: string[] = [];
    for (const [key, sub] of Object.entries(fields)) {
        if (key === ".") continue;
        let segment: string;
        if (key.startsWith("f:")) segment = prefix ? `${prefix}.${key.slice(2)}` : key.slice(2);
        else if (key.startsWith("k:")) {
            const selector = Object.entries(JSON.parse(key.slice(2)) as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`).join(",");
            segment = `${prefix}[${selector}]`;
        } else if (key.startsWith("v:")) segment = `${prefix}[${key.slice(2)}]`;
        else continue;
        const children = isRecord(sub) ? Object.keys(sub).filter((k) => k !== ".") : [];
        if (children.length === 0) paths.push(segment);
        else paths.push(...leafPaths(sub as Record<string, unknown>, segment));
    }
    return paths;
}

/** The value at a path from `leafPaths`, resolving `[name=web]` in lists; undefined when not found. */
function valueAt(obj: unknown, path: string): unknown {
    let current: unknown = obj;
    for (const token of path.match(/[^.[\]]+|\[[^\]]*\]/g) ?? []) {
        if (token.startsWith("[")) {
            const pairs = token.slice(1, -1).split(",").map((p) => p.split("="));
            current = Array.isArray(current) ? current.find((item) => isRecord(item) && pairs.every(([k, v]) => String(item[k]) === v)) : undefined;
        } else current = isRecord(current) ? current[token] : undefined;
        if (current === undefined) return undefined;
    }
    return current;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
