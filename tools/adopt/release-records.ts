/**
 * The takeover's last step: a Helm release's records are deleted only once Argo CD owns every object
 * of the release (its tracking annotation names the adopting Application, its manager is Argo CD's
 * and Helm's is gone from `managedFields`), so a later `helm uninstall` cannot delete them. Until
 * then it says which objects are not Argo CD's yet, and deletes nothing.
 */
import type { Kubectl } from "../local-cluster/kubectl";
import { describeObject, type HelmRelease } from "./helm-release";
import { HELM_FIELD_MANAGER } from "./proposal";
import { type LiveObject, TRACKING_ANNOTATION } from "./inventory";

export interface ReleaseRecordsResult {
    release: string;
    /** Record Secrets deleted. */
    deleted: string[];
    /** Objects not yet Argo CD's, with why (nothing deleted then). */
    notOwned: string[];
}

/** Why an object is not (yet) the Application's, or undefined when Argo CD owns it. */
export function notOwnedBecause(object: LiveObject | undefined, application: string): string | undefined {
    if (!object) return "gone from the cluster";
    const tracking = object.metadata.annotations?.[TRACKING_ANNOTATION];
    if (!tracking?.startsWith(`${application}:`)) return tracking ? `tracked by ${tracking.split(":")[0]}, not ${application}` : "not tracked by Argo CD yet (not synced)";
    const managers = (object.metadata.managedFields ?? []).map((f) => f.manager);
    if (!managers.includes("argocd-controller")) return "no fields managed by argocd-controller";
    if (managers.includes(HELM_FIELD_MANAGER)) return "helm still manages fields (the sync did not migrate them)";
    return undefined;
}

/** Deletes the records of `release` (adopted by the Application of the same name) if Argo CD owns every object. */
export async function removeReleaseRecords(kubectl: Kubectl, release: HelmRelease): Promise<ReleaseRecordsResult> {
    const notOwned: string[] = [];
    for (const o of release.objects) {
        const resource = o.apiVersion.includes("/") ? `${o.kind.toLowerCase()}.${o.apiVersion.split("/")[0]}` : o.kind.toLowerCase();
        const live = await kubectl.get<LiveObject>([resource, o.name, ...(o.namespace ? ["-n", o.namespace] : []), "--show-managed-fields", "--request-timeout=20s"]);
        const why = notOwnedBecause(live, release.name);
        if (why) notOwned.push(`${describeObject(o)}: ${why}`);
    }
    if (notOwned.length > 0) return { release: `${release.namespace}/${release.name}`, deleted: [], notOwned };
    await kubectl.run(["delete", "secret", "-n", release.namespace, ...release.recordSecrets]);
    return { release: `${release.namespace}/${release.name}`, deleted: release.recordSecrets, notOwned };
}
