import { isRecord } from "./types";

/** Type tokens of the Helm resources the program installs through Pulumi. */
export const helmTypes = {
    chartV4: "kubernetes:helm.sh/v4:Chart",
    releaseV3: "kubernetes:helm.sh/v3:Release",
} as const;

/** A Helm chart installed through Pulumi, normalised across `helm.sh/v4:Chart` and `helm.sh/v3:Release`. */
export interface HelmInstall {
    /** Chart reference: a name (with `repositoryOpts.repo`), `repo/name`, or an `oci://` URL. */
    chart: string;
    /** Chart name without repository or OCI prefix. */
    chartName: string;
    /** Repository the chart comes from: `repositoryOpts.repo`, or the OCI URL without the chart name. */
    repository?: string;
    /** Requested version; default none (newest). */
    version?: unknown;
    /** Chart values. */
    values: Record<string, unknown>;
}

/** Reads a Helm install from a resource, or undefined if the resource is not one. */
export function helmInstall(type: string, props: Record<string, unknown>): HelmInstall | undefined {
    if (type !== helmTypes.chartV4 && type !== helmTypes.releaseV3) {
        return undefined;
    }
    const chart = typeof props.chart === "string" ? props.chart : "";
    const repoOpts = isRecord(props.repositoryOpts) ? props.repositoryOpts : {};
    let repository = typeof repoOpts.repo === "string" && repoOpts.repo !== "" ? repoOpts.repo : undefined;
    let chartName = chart;
    if (chart.startsWith("oci://")) {
        const slash = chart.lastIndexOf("/");
        repository = repository ?? chart.slice(0, slash);
        chartName = chart.slice(slash + 1);
    } else if (/^https?:\/\//.test(chart)) {
        // A chart archive URL: the repository is where the archive lives.
        const slash = chart.lastIndexOf("/");
        repository = repository ?? chart.slice(0, slash);
        chartName = chart.slice(slash + 1).replace(/-\d[\w.+-]*\.tgz$/, "").replace(/\.tgz$/, "");
    } else if (chart.includes("/") && !chart.startsWith(".") && !chart.startsWith("/")) {
        chartName = chart.slice(chart.indexOf("/") + 1);
    }
    const values = isRecord(props.values) ? props.values : {};
    return { chart, chartName, repository, version: props.version, values };
}

/** True when the chart is a local path (a chart in this repository), which has no repository to allow-list. */
export function isLocalChart(install: HelmInstall): boolean {
    return install.repository === undefined && (install.chart.startsWith(".") || install.chart.startsWith("/"));
}

/** True for the Argo CD chart (`argo-cd`), whose values the Argo CD rules read. */
export function isArgoCdChart(install: HelmInstall): boolean {
    return install.chartName === "argo-cd";
}
