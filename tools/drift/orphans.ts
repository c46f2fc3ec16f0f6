/**
 * Orphaned resources as Argo CD sees them: top-level objects in an Application's destination namespace
 * that no Application tracks, for projects that monitor them (`spec.orphanedResources`). What Argo CD
 * itself skips is skipped here: owned objects, the namespace's own `default` ServiceAccount and
 * `kube-root-ca.crt`, the kinds it never watches (Events, Endpoints, Leases, `resource.exclusions`),
 * and the project's ignore list.
 */
import * as YAML from "yaml";
import type { Kubectl } from "../local-cluster/kubectl";
import { parseTrackingId, TRACKING_ID_ANNOTATION } from "../audit/tracking-id";
import { isRecord, KubeObject } from "./live-fields";

const DEFAULT_INSTANCE_LABEL = "app.kubernetes.io/instance";

/** A project's `orphanedResources.ignore` entry (globs). */
export interface OrphanIgnore {
    group?: string;
    kind?: string;
    name?: string;
}

/** A `resource.exclusions` entry of argocd-cm (globs). */
interface ResourceFilter {
    apiGroups?: string[];
    kinds?: string[];
    clusters?: string[];
}

/** How Argo CD records ownership, from argocd-cm. */
export interface TrackingSettings {
    /** `annotation` (3.x default), `label`, or `annotation+label` (tracked by the annotation). */
    method: "annotation" | "label" | "annotation+label";
    instanceLabelKey: string;
    exclusions: ResourceFilter[];
}

/** Kinds Argo CD never watches (its core exclusions plus the default `resource.exclusions`). */
const ALWAYS_EXCLUDED: ResourceFilter[] = [
    { apiGroups: ["events.k8s.io", "metrics.k8s.io"] },
    { apiGroups: [""], kinds: ["Event"] },
    { apiGroups: ["coordination.k8s.io"], kinds: ["Lease"] },
    { apiGroups: ["", "discovery.k8s.io"], kinds: ["Endpoints", "EndpointSlice"] },
];

/** argocd-cm's tracking method, instance label and exclusions; Argo CD's defaults when it is absent. */
export async function readTrackingSettings(kubectl: Kubectl, namespace: string): Promise<TrackingSettings> {
    const cm = await kubectl.get<{ data?: Record<string, string> }>(["configmap", "argocd-cm", "-n", namespace]);
    const data = cm?.data ?? {};
    const method = data["application.resourceTrackingMethod"];
    let exclusions: ResourceFilter[] = [];
    if (data["resource.exclusions"]) {
        try {
            const parsed = YAML.parse(data["resource.exclusions"]) as unknown;
            if (Array.isArray(parsed)) exclusions = parsed.filter(isRecord) as ResourceFilter[];
        } catch (e) {
            throw new Error(`ConfigMap ${namespace}/argocd-cm: resource.exclusions is not YAML: ${(e as Error).message}`);
        }
    }
    return {
        method: method === "label" || method === "annotation+label" ? method : "annotation",
        instanceLabelKey: data["application.instanceLabelKey"] || DEFAULT_INSTANCE_LABEL,
        exclusions,
    };
}

/** `group/Kind:namespace/name`, the key one object has in Argo CD's cache. */
export function resourceKey(group: string, kind: string, namespace: string, name: string): string {
    return `${group}/${kind}:${namespace}/${name}`;
}

/** The namespaced kinds that can be listed, as `kubectl api-resources -o name` names them, less those Argo CD never watches. */
export async function listableKinds(kubectl: Kubectl, settings: TrackingSettings): Promise<string[]> {
    const r = await kubectl.run(["api-resources", "--verbs=list", "--namespaced", "-o", "name"]);
    return r.stdout
        .split("\n")
        .map((l) => l.trim())
        .filter((name) => name !== "")
        .filter((name) => {
            // `deployments.apps` → group apps; `configmaps` → core. Kinds are matched later by object.
            const dot = name.indexOf(".");
            const group = dot < 0 ? "" : name.slice(dot + 1);
            return !excludedGroup(group, [...ALWAYS_EXCLUDED, ...settings.exclusions]) && !["events", "endpoints", "endpointslices.discovery.k8s.io", "leases.coordination.k8s.io"].includes(name);
        });
}

/** Whole API groups excluded (an exclusion with no kinds), so they are not even listed. */
function excludedGroup(group: string, filters: ResourceFilter[]): boolean {
    return filters.some((f) => (f.kinds ?? []).length === 0 && (f.clusters ?? []).length === 0 && (f.apiGroups ?? ["*"]).some((g) => glob(g, group)));
}

/** Every object of `kinds` in `namespace`, in one call. */
export async function listNamespace(kubectl: Kubectl, kinds: string[], namespace: string): Promise<KubeObject[]> {
    if (kinds.length === 0) return [];
    const r = await kubectl.run(["get", kinds.join(","), "-n", namespace, "--show-managed-fields", "-o", "json"], { allowFail: true });
    if (r.code !== 0) throw new Error(`listing namespace ${namespace}: ${r.stderr.trim()}`);
    const list = JSON.parse(r.stdout) as { items?: KubeObject[] };
    return list.items ?? [];
}

/** What decides whether an object is an orphan. */
export interface OrphanRules {
    settings: TrackingSettings;
    /** Every Application's name in Argo CD's namespace. */
    applications: Set<string>;
    /** `resourceKey`s every Application lists in its status. */
    managed: Set<string>;
    /** The project's ignore list. */
    ignore: OrphanIgnore[];
    /** The destination cluster's name and server, for `resource.exclusions` with clusters. */
    cluster: { name: string; server: string };
}

/** The objects of `objects` that are orphans under `rules`. */
export function orphansAmong(objects: KubeObject[], rules: OrphanRules): KubeObject[] {
    return objects.filter((obj) => {
        const meta = obj.metadata ?? {};
        const group = groupOf(obj.apiVersion ?? "");
        const kind = obj.kind ?? "";
        const name = meta.name ?? "";
        const namespace = meta.namespace ?? "";
        if (!namespace || (meta.ownerReferences ?? []).length > 0) return false;
        if (rules.managed.has(resourceKey(group, kind, namespace, name))) return false;
        if (trackedBy(obj, rules.settings, rules.applications)) return false;
        if (knownExclusion(group, kind, name, rules.ignore)) return false;
        return !excludedResource(group, kind, rules.cluster, [...ALWAYS_EXCLUDED, ...rules.settings.exclusions]);
    });
}

/** The Application that tracks `obj` under the tracking method, if it exists. */
function trackedBy(obj: KubeObject, settings: TrackingSettings, applications: Set<string>): string | undefined {
    const meta = obj.metadata ?? {};
    if (settings.method === "label") {
        const app = meta.labels?.[settings.instanceLabelKey];
        return app && applications.has(app) ? app : undefined;
    }
    const text = meta.annotations?.[TRACKING_ID_ANNOTATION];
    const id = text ? parseTrackingId(text) : undefined;
    // Applications of other namespaces are not read here: their objects are not ours to call tracked.
    if (!id || id.application.namespace !== undefined) return undefined;
    // Argo CD ignores a tracking id copied onto another object: it must name this one.
    if (id.group !== groupOf(obj.apiVersion ?? "") || id.kind !== obj.kind || id.name !== meta.name || id.namespace !== meta.namespace) return undefined;
    return applications.has(id.application.name) ? id.application.name : undefined;
}

/** Argo CD's `isKnownOrphanedResourceExclusion`. */
function knownExclusion(group: string, kind: string, name: string, ignore: OrphanIgnore[]): boolean {
    if (group === "" && kind === "ServiceAccount" && name === "default") return true;
    if (group === "" && kind === "ConfigMap" && name === "kube-root-ca.crt") return true;
    return ignore.some((i) => (!i.kind || glob(i.kind, kind)) && glob(i.group ?? "", group) && (!i.name || glob(i.name, name)));
}

function excludedResource(group: string, kind: string, cluster: { name: string; server: string }, filters: ResourceFilter[]): boolean {
    return filters.some(
        (f) =>
            (f.apiGroups?.length ? f.apiGroups : ["*"]).some((g) => glob(g, group)) &&
            ((f.kinds ?? []).length === 0 || f.kinds!.some((k) => glob(k, kind))) &&
            ((f.clusters ?? []).length === 0 || f.clusters!.some((c) => glob(c, cluster.server) || glob(c, cluster.name))),
    );
}

/** `apps/v1` → `apps`; `v1` → core (empty). */
export function groupOf(apiVersion: string): string {
    const slash = apiVersion.indexOf("/");
    return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/** Argo CD's globs: `*` any run, `?` one character, everything else literal. */
function glob(pattern: string, text: string): boolean {
    const re = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp(`^${re}$`).test(text);
}
