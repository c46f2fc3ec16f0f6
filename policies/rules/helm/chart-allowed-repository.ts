import { ResourceValidationPolicy } from "@pulumi/policy";
import { defaultAllowedRepositories } from "../argocd/source-allowed-repository";
import { readConfig, stringList } from "../lib/config";
import { helmInstall, isLocalChart } from "../lib/helm";
import { isAllowedRepo } from "../lib/repositories";

/** Knobs of {@link helmChartAllowedRepository}. */
export interface ChartAllowedRepositoryConfig {
    /** Repository URL patterns (`*` within a segment, `**` across); default as argocd-source-allowed-repository. */
    allowedRepositories: string[];
}

const defaults: ChartAllowedRepositoryConfig = { allowedRepositories: defaultAllowedRepositories };

/**
 * Helm charts installed by Pulumi come from an allowed repository (HTTP or OCI), not from wherever a chart name resolves.
 *
 * Judges: gitops:platform:ArgoCd, gitops:platform:BootstrapAddon, kubernetes:helm.sh/v3:Release.
 * Severity: high. Topics: helm, supply-chain.
 * Link: https://helm.sh/docs/topics/registries/
 */
export const helmChartAllowedRepository: ResourceValidationPolicy = {
    name: "helm-chart-allowed-repository",
    description: "Helm charts and releases come from an allowed repository.",
    severity: "high",
    tags: ["helm", "supply-chain"],
    url: "https://helm.sh/docs/topics/registries/",
    remediationSteps: "Set repositoryOpts.repo (or an oci:// chart URL) to an allowed repository, or add it to allowedRepositories after review.",
    configSchema: {
        properties: {
            allowedRepositories: stringList("Allowed repository URL patterns.", defaults.allowedRepositories),
        },
    },
    validateResource: (args, reportViolation) => {
        const install = helmInstall(args.type, args.props as Record<string, unknown>);
        if (!install || isLocalChart(install)) {
            return;
        }
        const config = readConfig(defaults, args.getConfig<Partial<ChartAllowedRepositoryConfig>>());
        if (install.repository === undefined) {
            reportViolation(`chart "${install.chart}" names no repository (set repositoryOpts.repo or an oci:// URL)`);
        } else if (!isAllowedRepo(install.repository, config.allowedRepositories)) {
            reportViolation(`chart "${install.chart}" comes from "${install.repository}", which is not an allowed repository`);
        }
    },
};
