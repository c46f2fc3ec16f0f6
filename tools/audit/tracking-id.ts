/**
 * Argo CD's annotation tracking id, `argocd.argoproj.io/tracking-id: <app>:<group>/<Kind>:<namespace>/<name>`,
 * which says which Application manages a live object. `<app>` is `<namespace>_<name>` when the
 * Application is outside Argo CD's own namespace (applications in any namespace); Application names
 * are DNS labels, so the underscore cannot be part of a name.
 */
import type { ObjectRef } from "./model";

/** The annotation key. */
export const TRACKING_ID_ANNOTATION = "argocd.argoproj.io/tracking-id";

/** A parsed tracking id. */
export interface TrackingId {
    application: { name: string; namespace?: string };
    group: string;
    kind: string;
    namespace?: string;
    name: string;
}

/** The tracking id's parts, or undefined when the text is not one. */
export function parseTrackingId(text: string): TrackingId | undefined {
    const m = /^([^:/]+):([^/:]*)\/([^:/]+):([^/:]*)\/(.+)$/.exec(text.trim());
    if (!m) return undefined;
    const [, app, group, kind, namespace, name] = m;
    const underscore = app.indexOf("_");
    const application = underscore > 0 ? { namespace: app.slice(0, underscore), name: app.slice(underscore + 1) } : { name: app };
    return { application, group, kind, namespace: namespace || undefined, name };
}

/** `kind/namespace/name` or `kind/name` (cluster-scoped), or undefined when malformed. */
export function parseObjectRef(text: string): ObjectRef | undefined {
    const parts = text.split("/");
    if (parts.some((p, i) => p === "" && !(parts.length === 3 && i === 1))) return undefined;
    if (parts.length === 2) return { kind: parts[0], name: parts[1] };
    if (parts.length === 3) return { kind: parts[0], namespace: parts[1] || undefined, name: parts[2] };
    return undefined;
}

/** The ref as written on the command line. */
export function formatObjectRef(ref: ObjectRef): string {
    return ref.namespace ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.name}`;
}

/** True for the kinds whose content is never shown: `secret`, `secrets`, `Secret`, `secrets.v1.` ... */
export function isSecretKind(kind: string): boolean {
    return /^secrets?(\.v1\.?)?$/i.test(kind);
}
