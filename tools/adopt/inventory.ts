/**
 * What already runs on the cluster a stack targets, as adoption sees it: Helm releases (from their
 * record Secrets), objects applied by hand (no Argo CD tracking, no Helm release, no owner, a
 * `kubectl` or other non-controller manager in `managedFields`), Applications this program did not
 * make, and an Argo CD this program did not install. Only reads.
 */
import { AUDIT_LABELS } from "../../lib/auditLabels";
import type { Kubectl } from "../local-cluster/kubectl";
import { type HelmRelease, releasesOf } from "./helm-release";

/** The kinds searched for objects applied by hand: what a team applies with kubectl. */
export const HAND_APPLIED_KINDS = [
    "configmaps", "secrets", "services", "serviceaccounts", "deployments.apps", "statefulsets.apps", "daemonsets.apps",
    "cronjobs.batch", "ingresses.networking.k8s.io", "networkpolicies.networking.k8s.io", "poddisruptionbudgets.policy",
    "horizontalpodautoscalers.autoscaling", "roles.rbac.authorization.k8s.io", "rolebindings.rbac.authorization.k8s.io",
];

/** Namespaces never adopted: Kubernetes' own. */
const SYSTEM_NAMESPACES = new Set(["kube-system", "kube-public", "kube-node-lease"]);

/** Annotation Argo CD's default tracking puts on what it applies. */
export const TRACKING_ANNOTATION = "argocd.argoproj.io/tracking-id";

export interface ManagedField {
    manager?: string;
    operation?: string;
}

/** A live object as listed. */
export interface LiveObject {
    apiVersion: string;
    kind: string;
    metadata: {
        name: string;
        namespace?: string;
        uid?: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
        ownerReferences?: unknown[];
        managedFields?: ManagedField[];
    };
    [key: string]: unknown;
}

/** An Application as this tool reads it. */
export interface LiveApplication extends LiveObject {
    spec?: {
        project?: string;
        source?: { repoURL?: string; path?: string; chart?: string; targetRevision?: string; helm?: { valueFiles?: string[]; valuesObject?: Record<string, unknown>; releaseName?: string } };
        destination?: { name?: string; server?: string; namespace?: string };
    };
}

export interface Inventory {
    /** The namespaces searched. */
    namespaces: string[];
    releases: HelmRelease[];
    /** Objects applied by hand, with the manager that applied them. */
    handApplied: { object: LiveObject; manager: string }[];
    /** Applications in Argo CD's namespace that this program (any stack) did not make. */
    foreignApplications: LiveApplication[];
    /** Argo CD's namespace, when an Argo CD runs that no Pulumi program installed. */
    argocdByHand?: { namespace: string; objects: LiveObject[] };
}

/** `Kind namespace/name` of a live object. */
export function describeLive(o: LiveObject): string {
    return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
}

/** A manager is a controller's own (its fields are status or defaults, never adopted). */
function isControllerManager(manager: string): boolean {
    return /^(kube-controller-manager|kube-scheduler|kubelet|kube-apiserver|argocd-|helm$|pulumi-kubernetes|external-secrets|gitops-platform-local)/.test(manager);
}

/** The manager that applied an object by hand, if it was (kubectl's client-side apply, create, edit, or a tool of its own). */
export function handManager(object: LiveObject): string | undefined {
    const meta = object.metadata;
    if (meta.annotations?.[TRACKING_ANNOTATION] || meta.annotations?.["meta.helm.sh/release-name"]) return undefined;
    if ((meta.ownerReferences ?? []).length > 0) return undefined;
    const managers = (meta.managedFields ?? []).map((f) => f.manager ?? "").filter((m) => m !== "");
    if (managers.some((m) => /^(argocd-controller|pulumi-kubernetes|helm$)/.test(m))) return undefined;
    return managers.find((m) => !isControllerManager(m));
}

/** Objects Kubernetes makes in every namespace: never someone's hand. */
function isDefaultObject(o: LiveObject): boolean {
    return (o.kind === "ConfigMap" && o.metadata.name === "kube-root-ca.crt") || (o.kind === "ServiceAccount" && o.metadata.name === "default");
}

/** Thrown when the cluster cannot be read; names it. */
export class ClusterReadError extends Error {}

async function list<T>(kubectl: Kubectl, args: string[], what: string): Promise<T[]> {
    try {
        // managedFields say who applied an object; a dead server fails within the timeout, not kubectl's minutes.
        return (await kubectl.get<{ items: T[] }>([...args, "--show-managed-fields", "--request-timeout=20s"]))?.items ?? [];
    } catch (e) {
        throw new ClusterReadError(`reading ${what} from the cluster (kubeconfig ${kubectl.kubeconfig}): ${(e as Error).message.split("\n")[0]}`);
    }
}

/** Reads what adoption needs; `namespaces` empty means every namespace but Kubernetes' own and Argo CD's. */
export async function readInventory(kubectl: Kubectl, options: { namespaces: string[]; argocdNamespace: string }): Promise<Inventory> {
    let namespaces = options.namespaces;
    if (namespaces.length === 0) {
        const all = await list<LiveObject>(kubectl, ["namespaces"], "the namespaces");
        namespaces = all.map((n) => n.metadata.name).filter((n) => !SYSTEM_NAMESPACES.has(n) && n !== options.argocdNamespace).sort();
    }
    const records = (await Promise.all(namespaces.map((ns) => list<LiveObject & { type?: string }>(kubectl, ["secrets", "-n", ns, "-l", "owner=helm"], `Helm's release records in ${ns}`)))).flat();
    const releases = releasesOf(records as never);
    const handApplied: Inventory["handApplied"] = [];
    for (const ns of namespaces) {
        for (const object of await list<LiveObject>(kubectl, [HAND_APPLIED_KINDS.join(","), "-n", ns], `the objects of ${ns}`)) {
            if (isDefaultObject(object) || object.metadata.labels?.owner === "helm" || (object as { type?: string }).type === "kubernetes.io/service-account-token") continue;
            const manager = handManager(object);
            if (manager) handApplied.push({ object, manager });
        }
    }
    const applications = await list<LiveApplication>(kubectl, ["applications.argoproj.io", "-n", options.argocdNamespace], "Argo CD's Applications").catch((e: Error) => {
        // No Argo CD (its CRD absent): nothing made outside the program.
        if (/the server doesn't have a resource type/.test(e.message)) return [];
        throw e;
    });
    const foreignApplications = applications.filter((a) => !a.metadata.labels?.[AUDIT_LABELS.stack] && (a.metadata.ownerReferences ?? []).length === 0);
    const argocd = await list<LiveObject>(kubectl, ["deployments.apps,statefulsets.apps", "-n", options.argocdNamespace, "-l", "app.kubernetes.io/part-of=argocd"], "Argo CD's workloads");
    const byPulumi = (o: LiveObject) => (o.metadata.managedFields ?? []).some((f) => /^pulumi-kubernetes/.test(f.manager ?? ""));
    const argocdByHand = argocd.length > 0 && !argocd.some(byPulumi) ? { namespace: options.argocdNamespace, objects: argocd } : undefined;
    return { namespaces, releases, handApplied, foreignApplications, ...(argocdByHand ? { argocdByHand } : {}) };
}
