import { z } from "zod";
import { KubernetesNameSchema } from "./common";
import { ExactVersionSchema } from "./versions";

/**
 * A platform add-on (External Secrets Operator, cert-manager, Envoy Gateway, ...): a chart at an
 * exact version from a declared repository. See docs/adr-0001-addon-ownership.md for who installs it;
 * policies/data/addons.catalogue.yaml records each chart's pinned version and end of life (a test holds
 * every stack to it).
 */
export const AddonSchema = z.strictObject({
    /** Add-on name; also the cluster label `enable_<name with _>` that turns it on. Required. */
    name: KubernetesNameSchema,
    /** Repository name from `gitops.repositories` (helm or oci). Required. */
    repository: KubernetesNameSchema,
    /** Chart name. Required. */
    chart: z.string().min(1),
    /** Exact chart version. Required. */
    version: ExactVersionSchema,
    /** Namespace it runs in. Required. */
    namespace: KubernetesNameSchema,
    /**
     * Who installs it: `argocd` (an ApplicationSet, Git stays the source of truth) or `pulumi`
     * (a Helm chart at bootstrap, for what Argo CD itself needs first). Default `argocd`.
     */
    installedBy: z.enum(["argocd", "pulumi"]).default("argocd"),
    /** AppProject the ApplicationSet's Applications belong to (installedBy argocd). Default `platform-addons`. */
    project: KubernetesNameSchema.default("platform-addons"),
    /**
     * Helm values. With installedBy argocd, strings may use `{{.metadata.annotations.<key>}}` to take a
     * value from the cluster Secret's annotations (Terraform outputs). Default: none.
     */
    values: z.record(z.string(), z.unknown()).default({}),
    /** Sync wave of its Applications. Default `-1`, before team applications. */
    syncWave: z.number().int().default(-1),
    /** Turn it off without deleting its config. Default `true`. */
    enabled: z.boolean().default(true),
});
export type AddonConfig = z.infer<typeof AddonSchema>;

/** Platform add-ons of a stack. Default: none. */
export const AddonsConfigSchema = z.array(AddonSchema).default([]);
