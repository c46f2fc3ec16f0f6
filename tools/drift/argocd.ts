/**
 * The Argo CD layer of the drift report: what Argo CD deploys and the cluster no longer matches. Read
 * from the Applications' status (Argo CD has already compared every resource with Git), never by
 * rendering a chart, so it costs a few kubectl calls however many Applications there are: one for the
 * Applications, one per namespace for the live objects of what is OutOfSync on the hub, and, where a
 * project monitors orphans, one per destination namespace.
 */
import type { Kubectl } from "../local-cluster/kubectl";
import type { DriftContext } from "./context";
import { changedBy, diffAgainstApplied, fieldsOwnedByOthers, KubeObject, lastApplied } from "./live-fields";
import { DriftItem, FieldChange, layerResult, LayerResult } from "./model";
import { groupOf, listableKinds, listNamespace, OrphanIgnore, orphansAmong, readTrackingSettings, resourceKey } from "./orphans";

/** The hub as Argo CD names it: its own cluster. */
export const IN_CLUSTER_SERVER = "https://kubernetes.default.svc";
export const IN_CLUSTER_NAME = "in-cluster";
const CLUSTER_SECRET_LABEL = "argocd.argoproj.io/secret-type=cluster";

/** The parts of an Application this layer reads. */
interface Application {
    metadata: { name: string };
    spec?: {
        project?: string;
        destination?: { name?: string; server?: string; namespace?: string };
        syncPolicy?: { automated?: { enabled?: boolean; selfHeal?: boolean; prune?: boolean } | null; syncOptions?: string[] };
    };
    status?: { sync?: { status?: string }; resources?: ResourceStatus[] };
}

/** One entry of `status.resources`: Argo CD's verdict on one object. */
interface ResourceStatus {
    group?: string;
    version?: string;
    kind: string;
    namespace?: string;
    name: string;
    status?: string;
    health?: { status?: string };
    requiresPruning?: boolean;
}

interface AppProject {
    metadata: { name: string };
    spec?: { orphanedResources?: { ignore?: OrphanIgnore[]; warn?: boolean } | null };
}

/** Where an Application deploys, resolved to a cluster name. */
interface Destination {
    cluster: string;
    server: string;
    namespace?: string;
    hub: boolean;
}

/** The Argo CD layer: OutOfSync resources with the fields that differ, and orphans. Never throws. */
export async function argoCdDrift(ctx: DriftContext): Promise<LayerResult> {
    const started = Date.now();
    const namespace = ctx.argocdNamespace;
    const source = `Argo CD Applications in namespace ${namespace} (their status; live objects on the hub)`;
    if (!ctx.kubectl) return layerResult("argocd", source, started, { error: `no kubectl for the hub: the Applications in namespace ${namespace} cannot be read` });
    try {
        return layerResult("argocd", source, started, await readArgoCdDrift(ctx.kubectl, namespace));
    } catch (e) {
        return layerResult("argocd", source, started, { error: (e as Error).message });
    }
}

async function readArgoCdDrift(kubectl: Kubectl, namespace: string): Promise<{ items: DriftItem[]; notes: string[] }> {
    const applications = await listInNamespace<Application>(kubectl, "applications.argoproj.io", namespace, "Applications");
    const outOfSync = applications.filter((a) => a.status?.sync?.status === "OutOfSync");
    const destinations = await resolveDestinations(kubectl, namespace, applications);
    const notes = [`${applications.length} Applications, ${outOfSync.length} OutOfSync`];

    const items: DriftItem[] = [];
    const drifted = outOfSync.flatMap((app) => (app.status?.resources ?? []).filter((r) => r.status === "OutOfSync").map((resource) => ({ app, resource })));
    const hub = await readLiveObjects(
        kubectl,
        drifted.filter(({ app }) => destinations.get(app.metadata.name)!.hub).map(({ resource }) => resource),
        notes,
    );
    const remote = new Set<string>();
    for (const { app, resource } of drifted) {
        const destination = destinations.get(app.metadata.name)!;
        if (!destination.hub) remote.add(destination.cluster);
        const live = destination.hub ? hub.found.get(keyOf(resource)) : undefined;
        const unreadable = !destination.hub || hub.unreadable.has(keyOf(resource));
        items.push(outOfSyncItem(app, resource, destination, { live, unreadable }, notes));
    }
    if (remote.size > 0) notes.push(`fields are read on the hub only: OutOfSync resources on ${[...remote].sort().join(", ")} are listed without their fields`);

    const projects = await listInNamespace<AppProject>(kubectl, "appprojects.argoproj.io", namespace, "AppProjects");
    items.push(...(await orphanItems(kubectl, namespace, applications, projects, destinations, notes)));
    return { items, notes };
}

/** `kubectl get <resource> -n <ns> -o json`'s items; a failure names what could not be read. */
async function listInNamespace<T>(kubectl: Kubectl, resource: string, namespace: string, what: string): Promise<T[]> {
    const r = await kubectl.run(["get", resource, "-n", namespace, "-o", "json"], { allowFail: true });
    if (r.code !== 0) throw new Error(`could not read the ${what} (${resource}) in namespace ${namespace}: ${r.stderr.trim() || `kubectl exited ${r.code}`}`);
    return (JSON.parse(r.stdout) as { items?: T[] }).items ?? [];
}

/**
 * Each Application's destination cluster by name: `destination.name`, or the cluster Secret whose
 * server is `destination.server`. Only the Secrets' name and server are fetched (jsonpath), so no
 * credential of a cluster enters this process.
 */
async function resolveDestinations(kubectl: Kubectl, namespace: string, applications: Application[]): Promise<Map<string, Destination>> {
    const byServer = new Map<string, string>([[IN_CLUSTER_SERVER, IN_CLUSTER_NAME]]);
    const byName = new Map<string, string>([[IN_CLUSTER_NAME, IN_CLUSTER_SERVER]]);
    const needSecrets = applications.some((a) => {
        const d = a.spec?.destination ?? {};
        return d.name ? d.name !== IN_CLUSTER_NAME : d.server !== undefined && d.server !== IN_CLUSTER_SERVER;
    });
    if (needSecrets) {
        const jsonpath = '{range .items[*]}{.metadata.name}{"\\t"}{.data.name}{"\\t"}{.data.server}{"\\n"}{end}';
        const r = await kubectl.run(["get", "secrets", "-n", namespace, "-l", CLUSTER_SECRET_LABEL, "-o", `jsonpath=${jsonpath}`], { allowFail: true });
        if (r.code !== 0) throw new Error(`could not read the cluster Secrets (label ${CLUSTER_SECRET_LABEL}) in namespace ${namespace}: ${r.stderr.trim()}`);
        for (const line of r.stdout.split("\n").filter((l) => l.trim())) {
            const [secretName, name64, server64] = line.split("\t");
            const server = Buffer.from(server64 ?? "", "base64").toString("utf8");
            const name = name64 ? Buffer.from(name64, "base64").toString("utf8") : secretName;
            if (!server) continue;
            byServer.set(server, name);
            byName.set(name, server);
        }
    }
    const out = new Map<string, Destination>();
    for (const app of applications) {
        const d = app.spec?.destination ?? {};
        const server = d.server ?? (d.name ? byName.get(d.name) : undefined) ?? "";
        const cluster = d.name ?? byServer.get(server) ?? server;
        out.set(app.metadata.name, { cluster, server, namespace: d.namespace || undefined, hub: server === IN_CLUSTER_SERVER });
    }
    return out;
}

function keyOf(r: { group?: string; kind: string; namespace?: string; name: string }): string {
    return resourceKey(r.group ?? "", r.kind, r.namespace ?? "", r.name);
}

/**
 * The live objects of `resources` on the hub, one `kubectl get` per namespace; an object not found
 * is absent from the map. A kind the server does not know (its CRD gone) is a note, not a failure.
 */
async function readLiveObjects(kubectl: Kubectl, resources: ResourceStatus[], notes: string[]): Promise<{ found: Map<string, KubeObject>; unreadable: Set<string> }> {
    const found = new Map<string, KubeObject>();
    const unreadable = new Set<string>();
    const byNamespace = new Map<string, ResourceStatus[][]>();
    // Batches of at most 200 names keep the command line short however many resources drifted.
    for (const r of resources) {
        const key = r.namespace ?? "";
        const batches = byNamespace.get(key) ?? [];
        if (batches.length === 0 || batches[batches.length - 1].length >= 200) batches.push([]);
        batches[batches.length - 1].push(r);
        byNamespace.set(key, batches);
    }
    const get = async (refs: ResourceStatus[], namespace: string) => {
        const args = ["get", ...refs.map(kubectlRef), ...(namespace ? ["-n", namespace] : []), "--ignore-not-found", "--show-managed-fields", "-o", "json"];
        const r = await kubectl.run(args, { allowFail: true });
        if (r.code !== 0) return r.stderr.trim();
        if (!r.stdout.trim()) return undefined;
        const parsed = JSON.parse(r.stdout) as KubeObject & { items?: KubeObject[] };
        for (const obj of parsed.kind === "List" ? (parsed.items ?? []) : [parsed]) {
            const meta = obj.metadata ?? {};
            found.set(resourceKey(groupOf(obj.apiVersion ?? ""), obj.kind ?? "", meta.namespace ?? "", meta.name ?? ""), obj);
        }
        return undefined;
    };
    for (const [namespace, refs] of [...byNamespace].flatMap(([ns, batches]) => batches.map((b) => [ns, b] as const))) {
        const failure = await get(refs, namespace);
        if (failure === undefined) continue;
        // One unknown kind fails the whole call: read them one by one to keep the rest.
        for (const ref of refs) {
            const one = await get([ref], namespace);
            if (one !== undefined) {
                if (/couldn't find resource|doesn't have a resource type|no matches for kind/i.test(one)) {
                    unreadable.add(keyOf(ref));
                    notes.push(`${objectName(ref)} could not be read: ${firstLine(one)}`);
                } else throw new Error(`could not read ${objectName(ref)} on the hub: ${firstLine(one)}`);
            }
        }
    }
    return { found, unreadable };
}

/** `Deployment.v1.apps/web`, `ConfigMap/settings`: unambiguous for kubectl. */
function kubectlRef(r: ResourceStatus): string {
    const type = r.group ? `${r.kind}.${r.version ? `${r.version}.` : ""}${r.group}` : r.kind;
    return `${type}/${r.name}`;
}

function objectName(r: { kind: string; namespace?: string; name: string }): string {
    return r.namespace ? `${r.kind} ${r.namespace}/${r.name}` : `${r.kind} ${r.name}`;
}

function firstLine(text: string): string {
    return text.split("\n")[0];
}

/** Self-heal: automated sync on (Argo CD 3.x may keep `automated` with `enabled: false`) and `selfHeal`. */
export function selfHeals(app: Application): boolean {
    const automated = app.spec?.syncPolicy?.automated;
    return automatedSync(app) && automated?.selfHeal === true;
}

function automatedSync(app: Application): boolean {
    const automated = app.spec?.syncPolicy?.automated;
    return automated !== undefined && automated !== null && automated.enabled !== false;
}

function serverSideApply(app: Application): boolean {
    return (app.spec?.syncPolicy?.syncOptions ?? []).some((o) => o.replace(/\s/g, "") === "ServerSideApply=true");
}

function syncCommand(app: Application): string {
    return `argocd app sync ${app.metadata.name}`;
}

/** One OutOfSync resource as a drift item, with the fields that differ where the live object is on the hub. */
function outOfSyncItem(app: Application, resource: ResourceStatus, destination: Destination, read: { live?: KubeObject; unreadable: boolean }, notes: string[]): DriftItem {
    const live = read.live;
    const name = app.metadata.name;
    const base = { layer: "argocd" as const, cluster: destination.cluster, object: objectName(resource), application: name };
    const heals = selfHeals(app);
    const restore = heals ? "Argo CD's self-heal reverts it (no action)" : `sync the Application (${syncCommand(app)}) to restore Git's state, or commit the change to Git if it should stay`;

    if (resource.requiresPruning) {
        const prunes = automatedSync(app) && app.spec?.syncPolicy?.automated?.prune === true;
        const action = prunes ? "removed from Git: Argo CD's automated sync prunes it (no action)" : `removed from Git: prune it (${syncCommand(app)} --prune), or add it back to Git if it should stay`;
        return { ...base, kind: "orphaned", fields: [], selfHeals: prunes, action };
    }
    // Off the hub (or a kind the hub does not serve) Argo CD's own health says whether it is gone.
    const missing = read.unreadable ? resource.health?.status === "Missing" : live === undefined;
    if (missing) {
        const action = heals ? "Argo CD's self-heal reverts it (no action)" : `sync the Application (${syncCommand(app)}) to recreate it from Git, or remove it from Git if it should be gone`;
        return { ...base, kind: "missing", fields: [], selfHeals: heals, action };
    }
    if (!live) return { ...base, kind: "changed", fields: [], selfHeals: heals, action: restore };

    const who = changedBy(live);
    const withWho = who.length > 0 ? { changedBy: who } : {};
    const applied = lastApplied(live);
    let fields: FieldChange[];
    if (applied) fields = diffAgainstApplied(applied, live);
    else if (serverSideApply(app)) {
        fields = fieldsOwnedByOthers(live);
        notes.push(`${objectName(resource)}: server-side apply, fields are those other managers own (best effort, Git's values unknown)`);
    } else {
        notes.push(`${objectName(resource)}: no last-applied annotation, the fields that differ cannot be told without a render`);
        return { ...base, kind: "changed", fields: [], ...withWho, selfHeals: heals, action: restore };
    }
    if (fields.length === 0 && applied) {
        // The cluster holds what Argo CD last applied: Git moved on, nobody edited the object.
        const pending = automatedSync(app)
            ? "Git is ahead of the cluster: Argo CD's automated sync applies it (no action)"
            : `Git is ahead of the cluster, a sync is pending: sync the Application (${syncCommand(app)})`;
        return { ...base, kind: "changed", fields: [], ...withWho, selfHeals: automatedSync(app), action: pending };
    }
    return { ...base, kind: "changed", fields, ...withWho, selfHeals: heals, action: restore };
}

/**
 * Orphans of every Application (synced or not) whose project monitors them and whose destination
 * namespace is on the hub; an object in a namespace two such Applications share is reported once.
 */
async function orphanItems(
    kubectl: Kubectl,
    namespace: string,
    applications: Application[],
    projects: AppProject[],
    destinations: Map<string, Destination>,
    notes: string[],
): Promise<DriftItem[]> {
    const monitoring = new Map(projects.filter((p) => p.spec?.orphanedResources).map((p) => [p.metadata.name, p.spec!.orphanedResources!]));
    const watched = applications
        .filter((a) => monitoring.has(a.spec?.project ?? "default"))
        .filter((a) => {
            const d = destinations.get(a.metadata.name)!;
            if (!d.hub && d.namespace) notes.push(`orphans of ${a.metadata.name} on ${d.cluster} are not read: the hub only`);
            return d.hub && d.namespace;
        })
        .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    if (watched.length === 0) return [];

    const settings = await readTrackingSettings(kubectl, namespace);
    const kinds = await listableKinds(kubectl, settings);
    const managed = new Set(applications.flatMap((a) => (a.status?.resources ?? []).map(keyOf)));
    const names = new Set(applications.map((a) => a.metadata.name));
    const listed = new Map<string, KubeObject[]>();
    const seen = new Set<string>();
    const items: DriftItem[] = [];
    for (const app of watched) {
        const d = destinations.get(app.metadata.name)!;
        const ns = d.namespace!;
        if (!listed.has(ns)) listed.set(ns, await listNamespace(kubectl, kinds, ns));
        const ignore = monitoring.get(app.spec?.project ?? "default")?.ignore ?? [];
        for (const obj of orphansAmong(listed.get(ns)!, { settings, applications: names, managed, ignore, cluster: { name: d.cluster, server: d.server } })) {
            const object = objectName({ kind: obj.kind ?? "", namespace: obj.metadata?.namespace, name: obj.metadata?.name ?? "" });
            if (seen.has(object)) continue;
            seen.add(object);
            items.push({
                layer: "argocd",
                cluster: d.cluster,
                object,
                kind: "orphaned",
                fields: [],
                application: app.metadata.name,
                selfHeals: false,
                action: `delete it, or add it to Git under ${app.metadata.name}`,
                ...(changedBy(obj).length > 0 ? { changedBy: changedBy(obj) } : {}),
            });
        }
    }
    notes.push(`orphans checked in namespace${listed.size === 1 ? "" : "s"} ${[...listed.keys()].sort().join(", ")} (${settings.method} tracking)`);
    return items;
}
