import { ResourceValidationPolicy } from "@pulumi/policy";
import { helmInstall, isLocalChart } from "../lib/helm";
import { chartVersionProblem } from "../lib/versions";

/**
 * Helm charts installed by Pulumi (through the components that own a helm.sh/v4 Chart, or a helm.sh/v3 Release) request an exact version, never
 * `latest`, `*`, a range or nothing. Charts from this repository (local paths) are versioned with it.
 *
 * Judges: gitops:platform:ArgoCd, gitops:platform:BootstrapAddon, kubernetes:helm.sh/v3:Release.
 * Severity: high. Topics: helm, supply-chain.
 * Link: https://www.pulumi.com/registry/packages/kubernetes/api-docs/helm/v4/chart/
 */
export const helmChartPinnedVersion: ResourceValidationPolicy = {
    name: "helm-chart-pinned-version",
    description: "Helm charts and releases request an exact chart version (no latest, *, range or empty).",
    severity: "high",
    tags: ["helm", "supply-chain"],
    url: "https://www.pulumi.com/registry/packages/kubernetes/api-docs/helm/v4/chart/",
    remediationSteps: "Set `version` to the exact chart version you tested (e.g. 10.1.1); upgrade by changing it in a reviewed commit.",
    validateResource: (args, reportViolation) => {
        const install = helmInstall(args.type, args.props as Record<string, unknown>);
        if (!install || isLocalChart(install)) {
            return;
        }
        const problem = chartVersionProblem(install.version);
        if (problem) {
            reportViolation(`chart "${install.chart}": ${problem}`);
        }
    },
};
