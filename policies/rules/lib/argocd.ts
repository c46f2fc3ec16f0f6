import { argoTypes, getPath, isRecord } from "./types";

/** One Argo CD application source, as far as the rules read it. */
export interface AppSource {
    /** Git or Helm repository URL (`oci://` allowed); required by Argo CD. */
    repoURL?: string;
    /** Git revision or chart version; default HEAD for Git. */
    targetRevision?: string;
    /** Helm chart name; set for Helm repository sources. */
    chart?: string;
    /** Directory in a Git repository; set for Git sources. */
    path?: string;
    /** Name other sources refer to (`$values`); a ref-only source has neither chart nor path. */
    ref?: string;
    /** Helm settings (parameters, values, valuesObject). */
    helm?: Record<string, unknown>;
}

/** The application spec of an Application, or the template spec of an ApplicationSet, with where it sits. */
export interface AppSpecView {
    /** The spec object. */
    spec: Record<string, unknown>;
    /** Path prefix for messages: `spec` or `spec.template.spec`. */
    at: string;
}

/** Returns the Application spec (or ApplicationSet template spec) of an Argo CD resource, if it is one. */
export function appSpec(type: string, props: Record<string, unknown>): AppSpecView | undefined {
    if (type === argoTypes.application) {
        const spec = getPath(props, ["spec"]);
        return isRecord(spec) ? { spec, at: "spec" } : undefined;
    }
    if (type === argoTypes.applicationSet) {
        const spec = getPath(props, ["spec", "template", "spec"]);
        return isRecord(spec) ? { spec, at: "spec.template.spec" } : undefined;
    }
    return undefined;
}

/** Lists the sources of an application spec (`source` and `sources[]`) with their paths. */
export function appSources(view: AppSpecView): { source: AppSource; at: string }[] {
    const out: { source: AppSource; at: string }[] = [];
    if (isRecord(view.spec.source)) {
        out.push({ source: view.spec.source as AppSource, at: `${view.at}.source` });
    }
    if (Array.isArray(view.spec.sources)) {
        view.spec.sources.forEach((s, i) => {
            if (isRecord(s)) {
                out.push({ source: s as AppSource, at: `${view.at}.sources[${i}]` });
            }
        });
    }
    // A hydrated application's source is its dry source; the sync source is the environment branch
    // the hydrator itself writes, so only its repository is judged (sourceRepositories).
    const dry = getPath(view.spec, ["sourceHydrator", "drySource"]);
    if (isRecord(dry)) {
        out.push({ source: dry as AppSource, at: `${view.at}.sourceHydrator.drySource` });
    }
    return out;
}

/** True for the Argo CD resource types the application rules apply to. */
export function isArgoApp(type: string): boolean {
    return type === argoTypes.application || type === argoTypes.applicationSet;
}
