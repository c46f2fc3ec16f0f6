/**
 * What the pack shares with the program, the stack schema and the tools, imported by the pack's
 * package name (`gitops-platform-policies/shared`), never by a path into its folders: the secret
 * detectors (so a config error, the plan's redactor and the rules agree on what a secret is), the
 * key-path helpers (one way to write `a.b["c.d"][0]` everywhere) and the
 * add-on catalogue (the versions the stacks pin and their end of life).
 */
export { matchSecretShape, SECRET_SHAPES, SecretShape } from "./rules/lib/secret-shapes";
export { findSecretLiterals, SecretFinding, SecretScanOptions } from "./rules/lib/secrets";
export {
    ADDON_CATALOGUE_FILE,
    AddonCatalogue,
    AddonCatalogueSchema,
    CatalogueChart,
    chartSemver,
    endOfLifeOf,
    loadAddonCatalogue,
    parseAddonCatalogue,
} from "./rules/lib/addon-catalogue";
export { formatPath, getPath, isRecord } from "./rules/lib/types";
export { ARGOCD_APPLICATION_RENDER_TYPE, PROVENANCE_SEPARATOR, urnParts } from "./rules/lib/provenance";
export { CLUSTER_ACCESS_KINDS, grantsClusterAccess } from "./rules/lib/cluster-access";
