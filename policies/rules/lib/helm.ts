import { isRecord } from "./types";

/**
 * Type tokens of the resources whose inputs say which Helm chart Pulumi installs. A helm v4
 * `Chart` is not among them: the Kubernetes provider registers it with empty inputs, so under the
 * engine there is nothing to judge. The program's components that own a Chart register the same
 * chart arguments as their own inputs instead (components/helm/chartInputs.ts).
 */
export const helmTypes = {
    releaseV3: "kubernetes:helm.sh/v3:Release",
    argoCd: "gitops:platform:ArgoCd",
    bootstrapAddon: "gitops:platform:BootstrapAddon",
} as const;

const chartInstallTypes: ReadonlySet<string> = new Set([helmTypes.releaseV3, helmTypes.argoCd, helmTypes.bootstrapAddon]);

/** A Helm chart installed through Pulumi, read from a `helm.sh/v3:Release` or from a component's chart inputs. */
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
    if (!chartInstallTypes.has(type)) {
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
    } else if (chart.startsWith(".") || chart.startsWith("/")) {
        // A local chart directory is named by its folder (`charts/hello-service`, `.tools/charts/argo-cd`).
        chartName = chart.replace(/\/+$/, "").split("/").pop() ?? chart;
    } else if (chart.includes("/")) {
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
