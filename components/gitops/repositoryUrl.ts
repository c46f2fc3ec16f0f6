/** How a declared chart repository is written in Argo CD resources. */

/** A repository as the Argo CD wiring needs it. */
export interface ChartRepository {
    /** Short name. Required. */
    name: string;
    /** `git`, `helm` or `oci`. Required. */
    type: "git" | "helm" | "oci";
    /** URL as configured (`https://...` or `oci://...`). Required. */
    url: string;
}

/**
 * The `repoURL` Argo CD expects: Helm charts in an OCI registry are addressed without the
 * `oci://` scheme (the repository Secret says `enableOCI`); everything else as given.
 */
export function argoRepoUrl(repo: ChartRepository): string {
    return repo.type === "oci" ? repo.url.replace(/^oci:\/\//, "") : repo.url;
}
