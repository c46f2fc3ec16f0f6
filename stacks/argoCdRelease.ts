/**
 * Which Argo CD release a stack installs, and so which of its features the program may use. An
 * object the release's CRDs do not know is pruned by the API server without a word, so a feature
 * the release lacks must not be written at all: an AppProject's `sourceIntegrity` on 3.4 would be
 * dropped, and with it every signature check.
 */
import * as semver from "semver";
import { loadAddonCatalogue } from "gitops-platform-policies/shared";
import type { ArgoCdConfig } from "./schema";

/** What the program writes depends on these. */
export interface ArgoCdFeatures {
    /** The release (`3.6.1`), or undefined when neither the config nor the catalogue says. */
    release?: string;
    /** `spec.sourceIntegrity` on AppProjects (3.5); before it, `spec.signatureKeys` (head only). */
    sourceIntegrity: boolean;
    /** The source hydrator, beta (3.5). */
    hydrator: boolean;
    /** The commit server signs hydrated commits (3.6). */
    signedHydration: boolean;
}

/** The catalogue's chart-to-release pairing, read once: the rules and the program ask per application. */
let pairingRead: ReturnType<typeof loadAddonCatalogue>["argocd"] | undefined;

/** The release of the stack's Argo CD: as configured, else the catalogue's pairing for its chart. */
export function argoCdRelease(argocd: Pick<ArgoCdConfig, "release" | "chart">): string | undefined {
    if (argocd.release) return strip(argocd.release);
    const pairing = (pairingRead ??= loadAddonCatalogue().argocd);
    if (argocd.chart.path) return strip(pairing.loop.argocd);
    const version = argocd.chart.version ?? pairing.stacks.chart;
    return version === pairing.stacks.chart ? strip(pairing.stacks.argocd) : undefined;
}

/** The features of the stack's Argo CD release; an unknown release has none of the newer ones. */
export function argoCdFeatures(argocd: Pick<ArgoCdConfig, "release" | "chart">): ArgoCdFeatures {
    const release = argoCdRelease(argocd);
    const atLeast = (v: string) => release !== undefined && semver.gte(release, v);
    return { release, sourceIntegrity: atLeast("3.5.0"), hydrator: atLeast("3.5.0"), signedHydration: atLeast("3.6.0") };
}

function strip(version: string): string {
    return version.replace(/^v/, "");
}
