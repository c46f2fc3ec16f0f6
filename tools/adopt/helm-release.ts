/**
 * Helm's release records as Helm 3 keeps them: one Secret per revision (type `helm.sh/release.v1`,
 * labels `owner=helm`, `name`, `status`, `version`), whose `release` field is the release as gzipped
 * JSON in base64 (and base64 again as Secret data). Read here without the helm binary, so the
 * adopter sees exactly what `helm uninstall` would act on.
 */
import * as zlib from "zlib";
import * as YAML from "yaml";

/** The Secret type of a Helm 3 release record. */
export const HELM_RELEASE_TYPE = "helm.sh/release.v1";

/** What adoption needs of a Helm release (its deployed revision). */
export interface HelmRelease {
    name: string;
    namespace: string;
    /** The release's revision (`helm history`). */
    revision: number;
    /** deployed, failed, pending-install... */
    status: string;
    chart: { name: string; version: string; appVersion?: string };
    /** The values the user supplied (`helm get values`), not the chart's defaults. */
    values: Record<string, unknown>;
    /** Every object the release's manifest holds. */
    objects: ObjectRef[];
    /** The record Secrets (every revision), what removing the release's records deletes. */
    recordSecrets: string[];
}

/** One object by identity. */
export interface ObjectRef {
    apiVersion: string;
    kind: string;
    namespace?: string;
    name: string;
}

/** Identity of an object across API versions: group, kind, namespace, name. */
export function objectKey(o: ObjectRef): string {
    const group = o.apiVersion.includes("/") ? o.apiVersion.split("/")[0] : "";
    return `${group}/${o.kind}/${o.namespace ?? ""}/${o.name}`;
}

export function describeObject(o: ObjectRef): string {
    return `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;
}

interface RecordSecret {
    metadata: { name: string; namespace: string; labels?: Record<string, string> };
    type?: string;
    data?: { release?: string };
}

interface StoredRelease {
    name?: unknown;
    namespace?: unknown;
    version?: unknown;
    info?: { status?: unknown };
    chart?: { metadata?: { name?: unknown; version?: unknown; appVersion?: unknown } };
    config?: unknown;
    manifest?: unknown;
}

/** Thrown for a record that cannot be read; names the Secret. */
export class ReleaseRecordError extends Error {}

/** Decodes one record Secret's `release` field. */
export function decodeRelease(secret: RecordSecret): StoredRelease {
    const where = `Secret ${secret.metadata.namespace}/${secret.metadata.name}`;
    const field = secret.data?.release;
    if (typeof field !== "string") throw new ReleaseRecordError(`${where}: data.release: missing (not a Helm 3 release record)`);
    try {
        const inner = Buffer.from(Buffer.from(field, "base64").toString("latin1"), "base64");
        // Helm gzips the JSON; very old records are plain JSON.
        const json = inner[0] === 0x1f && inner[1] === 0x8b ? zlib.gunzipSync(inner).toString("utf8") : inner.toString("utf8");
        return JSON.parse(json) as StoredRelease;
    } catch (e) {
        throw new ReleaseRecordError(`${where}: data.release: not a readable Helm release (${(e as Error).message.split("\n")[0]})`);
    }
}

/** Encodes a release as Helm stores it (the tests and the bench make records helm would read). */
export function encodeRelease(release: Record<string, unknown>): string {
    const inner = zlib.gzipSync(Buffer.from(JSON.stringify(release))).toString("base64");
    return Buffer.from(inner).toString("base64");
}

/** The objects of a rendered manifest (Helm's `manifest` field: YAML documents). */
export function manifestObjects(manifest: string, namespace: string, where: string): ObjectRef[] {
    const objects: ObjectRef[] = [];
    for (const doc of YAML.parseAllDocuments(manifest)) {
        if (doc.errors.length > 0) throw new ReleaseRecordError(`${where}: manifest: not valid YAML: ${doc.errors[0].message.split("\n")[0]}`);
        const o = doc.toJS() as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } } | null;
        if (!o || typeof o !== "object") continue;
        if (!o.apiVersion || !o.kind || !o.metadata?.name) throw new ReleaseRecordError(`${where}: manifest: an object without apiVersion, kind or metadata.name`);
        objects.push({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace ?? (CLUSTER_SCOPED.has(o.kind) ? undefined : namespace) });
    }
    return objects;
}

/** Kinds without a namespace that charts commonly hold. */
const CLUSTER_SCOPED = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PriorityClass", "StorageClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "PersistentVolume", "IngressClass"]);

/** The releases in a list of record Secrets: per name and namespace, the latest deployed revision. */
export function releasesOf(secrets: RecordSecret[]): HelmRelease[] {
    const groups = new Map<string, RecordSecret[]>();
    for (const s of secrets) {
        if (s.type !== undefined && s.type !== HELM_RELEASE_TYPE) continue;
        const name = s.metadata.labels?.name;
        if (!name) continue;
        const key = `${s.metadata.namespace}/${name}`;
        groups.set(key, [...(groups.get(key) ?? []), s]);
    }
    const releases: HelmRelease[] = [];
    for (const group of groups.values()) {
        const revision = (s: RecordSecret) => Number(s.metadata.labels?.version ?? 0);
        const sorted = [...group].sort((a, b) => revision(b) - revision(a));
        const current = sorted.find((s) => s.metadata.labels?.status === "deployed") ?? sorted[0];
        const where = `Secret ${current.metadata.namespace}/${current.metadata.name}`;
        const stored = decodeRelease(current);
        const meta = stored.chart?.metadata ?? {};
        if (typeof stored.name !== "string" || typeof meta.name !== "string" || typeof meta.version !== "string") {
            throw new ReleaseRecordError(`${where}: data.release: no name, chart.metadata.name or chart.metadata.version`);
        }
        const namespace = typeof stored.namespace === "string" ? stored.namespace : current.metadata.namespace;
        const values = stored.config && typeof stored.config === "object" && !Array.isArray(stored.config) ? (stored.config as Record<string, unknown>) : {};
        releases.push({
            name: stored.name,
            namespace,
            revision: typeof stored.version === "number" ? stored.version : revision(current),
            status: typeof stored.info?.status === "string" ? stored.info.status : current.metadata.labels?.status ?? "unknown",
            chart: { name: meta.name, version: meta.version, ...(typeof meta.appVersion === "string" ? { appVersion: meta.appVersion } : {}) },
            values,
            objects: manifestObjects(typeof stored.manifest === "string" ? stored.manifest : "", namespace, where),
            recordSecrets: sorted.map((s) => s.metadata.name),
        });
    }
    return releases.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}
