/**
 * The takeover's last step (`npm run adopt -- --finish`), after `pulumi up` made the adopted
 * Applications. Argo CD moves a manager's fields to its own only when it applies an object, and an
 * adopted object rendered as it runs compares Synced, so no automated sync ever applies it: each
 * adopted Application whose objects are not Argo CD's yet is synced once (server-side apply, its
 * client-side-apply migration). Then a Helm release's records are deleted, only once Argo CD owns
 * every object of the release (its tracking id names the Application, `argocd-controller` manages
 * fields and the adopted manager none), so a later `helm uninstall` cannot delete them.
 */
import type { Kubectl } from "../local-cluster/kubectl";
import { pollUntil } from "../local-cluster/managed-process";
import { describeObject, type HelmRelease, type ObjectRef } from "./helm-release";
import { type LiveObject, TRACKING_ANNOTATION } from "./inventory";

export interface TakeoverResult {
    application: string;
    /** The sync this step asked for, and how it ended; undefined when Argo CD owned everything already. */
    sync?: string;
    /** Objects not Argo CD's whole, with why (then no record is deleted). */
    notOwned: string[];
    /** Helm release record Secrets deleted. */
    deletedRecords: string[];
}

/** Why an object is not (yet) the Application's, or undefined when Argo CD owns it. */
export function notOwnedBecause(object: LiveObject | undefined, application: string, fieldManager: string): string | undefined {
    if (!object) return "gone from the cluster";
    const tracking = object.metadata.annotations?.[TRACKING_ANNOTATION];
    if (!tracking?.startsWith(`${application}:`)) return tracking ? `tracked by ${tracking.split(":")[0]}, not ${application}` : "not tracked by Argo CD yet (not synced)";
    const managers = (object.metadata.managedFields ?? []).map((f) => f.manager);
    if (!managers.includes("argocd-controller")) return "no fields managed by argocd-controller";
    if (managers.includes(fieldManager)) return `${fieldManager} still manages fields (not migrated)`;
    return undefined;
}

interface ArgoApplication {
    spec?: { syncPolicy?: { syncOptions?: string[] } };
    status?: { resources?: { group?: string; version: string; kind: string; namespace?: string; name: string }[]; operationState?: { phase?: string; message?: string; startedAt?: string } };
}

async function liveObject(kubectl: Kubectl, o: ObjectRef): Promise<LiveObject | undefined> {
    const resource = o.apiVersion.includes("/") ? `${o.kind.toLowerCase()}.${o.apiVersion.split("/")[0]}` : o.kind.toLowerCase();
    return kubectl.get<LiveObject>([resource, o.name, ...(o.namespace ? ["-n", o.namespace] : []), "--show-managed-fields", "--request-timeout=20s"]);
}

async function notOwned(kubectl: Kubectl, objects: ObjectRef[], application: string, fieldManager: string): Promise<string[]> {
    const out: string[] = [];
    for (const o of objects) {
        const why = notOwnedBecause(await liveObject(kubectl, o), application, fieldManager);
        if (why) out.push(`${describeObject(o)}: ${why}`);
    }
    return out;
}

/** Asks Argo CD for one sync of the Application (its own sync options) and waits for it to end; its phase and message. */
async function syncOnce(kubectl: Kubectl, namespace: string, name: string, app: ArgoApplication, reason: string, timeoutMs: number): Promise<string> {
    const requested = new Date(Date.now() - 1000).toISOString();
    const operation = { initiatedBy: { username: "npm run adopt" }, info: [{ name: "Reason", value: reason }], sync: { syncOptions: app.spec?.syncPolicy?.syncOptions ?? [] } };
    await kubectl.run(["patch", "applications.argoproj.io", name, "-n", namespace, "--type", "merge", "-p", JSON.stringify({ operation }), "--request-timeout=20s"]);
    let state: NonNullable<ArgoApplication["status"]>["operationState"];
    await pollUntil(
        async () => {
            state = (await kubectl.get<ArgoApplication>(["applications.argoproj.io", name, "-n", namespace]))?.status?.operationState;
            return !!state?.startedAt && state.startedAt >= requested.slice(0, 19) && ["Succeeded", "Failed", "Error"].includes(state.phase ?? "");
        },
        timeoutMs,
        `the sync of ${name} to end`,
    );
    return `${state!.phase}${state!.message ? `: ${state!.message}` : ""}`;
}

/**
 * Finishes one adopted Application: syncs it once if Argo CD does not own its objects yet (those it
 * lists, and every object of `release`), then deletes the release's records if it owns them all.
 */
export async function finishTakeover(
    kubectl: Kubectl,
    options: { argocdNamespace: string; application: string; fieldManager: string; release?: HelmRelease; syncTimeoutMs?: number },
): Promise<TakeoverResult> {
    const { application, fieldManager, release } = options;
    const result: TakeoverResult = { application, notOwned: [], deletedRecords: [] };
    const app = await kubectl.get<ArgoApplication>(["applications.argoproj.io", application, "-n", options.argocdNamespace]).catch((e: Error) => {
        // No Argo CD at all (its CRD absent) is the same answer: no such Application yet.
        if (/doesn't have a resource type/.test(e.message)) return undefined;
        throw e;
    });
    if (!app) {
        result.notOwned.push(`Application ${options.argocdNamespace}/${application}: not found (run pulumi up first)`);
        return result;
    }
    const listed: ObjectRef[] = (app.status?.resources ?? []).map((r) => ({ apiVersion: r.group ? `${r.group}/${r.version}` : r.version, kind: r.kind, namespace: r.namespace, name: r.name }));
    const seen = new Set(listed.map(describeObject));
    const objects = [...listed, ...(release?.objects ?? []).filter((o) => !seen.has(describeObject(o)))];
    if ((await notOwned(kubectl, objects, application, fieldManager)).length > 0) {
        result.sync = await syncOnce(kubectl, options.argocdNamespace, application, app, `adoption: Argo CD takes over the fields of ${fieldManager}`, options.syncTimeoutMs ?? 300_000);
    }
    result.notOwned = await notOwned(kubectl, objects, application, fieldManager);
    if (result.notOwned.length > 0 || !release) return result;
    await kubectl.run(["delete", "secret", "-n", release.namespace, ...release.recordSecrets, "--request-timeout=20s"]);
    result.deletedRecords = release.recordSecrets;
    return result;
}
