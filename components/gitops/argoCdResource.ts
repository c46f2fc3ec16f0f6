/**
 * Shared pieces of the Argo CD custom resources: API version, the finalizer that makes Argo CD
 * delete an application's resources with it, and the sync policy every application uses.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

// The components here hand their own `dependsOn` to the resources they create: Pulumi does not pass
// a component's dependencies on to its children, and these must wait for Argo CD's CRDs.

/** API version of Application, AppProject and ApplicationSet. */
export const ARGOPROJ_API_VERSION = "argoproj.io/v1alpha1";

/** Makes Argo CD delete what an Application deployed when the Application is deleted. */
export const RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io";

/** Annotation that orders syncs (lower waves first). */
export const SYNC_WAVE_ANNOTATION = "argocd.argoproj.io/sync-wave";

/** Sync retry with exponential backoff. */
export interface SyncRetry {
    /** Attempts. Required. */
    limit: number;
    /** First delay, e.g. `5s`. Required. */
    duration: string;
    /** Backoff factor. Required. */
    factor: number;
    /** Longest delay, e.g. `3m`. Required. */
    maxDuration: string;
}

/** The sync policy of every Application: automated with prune and self-heal, namespaces created, server-side apply. */
export function automatedSyncPolicy(retry: SyncRetry): Record<string, unknown> {
    return {
        automated: { prune: true, selfHeal: true },
        syncOptions: ["CreateNamespace=true", "ServerSideApply=true"],
        retry: { limit: retry.limit, backoff: { duration: retry.duration, factor: retry.factor, maxDuration: retry.maxDuration } },
    };
}

/** Default retry: 5 attempts from 5s doubling up to 3m. */
export const DEFAULT_RETRY: SyncRetry = { limit: 5, duration: "5s", factor: 2, maxDuration: "3m" };

/** Creates one Argo CD custom resource (type token `kubernetes:argoproj.io/v1alpha1:<kind>`). */
export function argoCdResource(
    name: string,
    kind: "Application" | "AppProject" | "ApplicationSet",
    body: { metadata: Record<string, unknown>; spec: Record<string, unknown> },
    opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(name, { apiVersion: ARGOPROJ_API_VERSION, kind, metadata: body.metadata, spec: body.spec }, opts);
}
