import { ResourceValidationPolicy } from "@pulumi/policy";
import { appSources, appSpec } from "../lib/argocd";
import { readConfig } from "../lib/config";
import { pastEndOfLife } from "../lib/end-of-life";
import { helmInstall, isLocalChart } from "../lib/helm";

/** A reviewed, time-boxed exception: the chart may stay past its end of life until `until`. */
export interface EndOfLifeException {
    /** Chart name. */
    chart: string;
    /** Exact chart version the exception covers. */
    version: string;
    /** Last day (ISO date) the exception holds; after it the rule reports again. */
    until: string;
    /** Why, in a sentence (shown nowhere else: keep it in review). */
    reason: string;
}

/** Knobs of {@link addonNotEndOfLife}. */
export interface AddonNotEndOfLifeConfig {
    /** The day to judge on (ISO date); default: today (UTC). Tests pin it. */
    today: string;
    /** Exceptions; default none. */
    exceptions: EndOfLifeException[];
}

const defaults: AddonNotEndOfLifeConfig = { today: "", exceptions: [] };

/**
 * An add-on or chart is not past the end of life its upstream announced: the charts Pulumi installs
 * (Argo CD, bootstrap add-ons) and the chart sources of Argo CD Applications and ApplicationSets,
 * judged against the add-on catalogue (policies/data/addons.catalogue.yaml), which records each release
 * line's end of life with its source. A retired project (ingress-nginx) is past it at any version.
 *
 * Judges: gitops:platform:ArgoCd, gitops:platform:BootstrapAddon, kubernetes:helm.sh/v3:Release, the chart sources of kubernetes:argoproj.io/v1alpha1:Application, kubernetes:argoproj.io/v1alpha1:ApplicationSet (its template's spec).
 * Severity: high. Topics: supply-chain, lifecycle.
 * Link: https://endoflife.date/
 */
export const addonNotEndOfLife: ResourceValidationPolicy = {
    name: "addon-not-end-of-life",
    description: "Add-ons and charts are not past their upstream end of life (policies/data/addons.catalogue.yaml).",
    severity: "high",
    tags: ["supply-chain", "lifecycle"],
    url: "https://endoflife.date/",
    remediationSteps:
        "Upgrade to a supported release (or replace a retired project) and update policies/data/addons.catalogue.yaml; a reviewed, " +
        "dated exception goes under exceptions in policies/config/<stack>.json.",
    configSchema: {
        properties: {
            today: { type: "string", default: "", description: "Day to judge on (YYYY-MM-DD); empty: today." },
            exceptions: {
                type: "array",
                default: [],
                description: "Time-boxed exceptions: {chart, version, until, reason}.",
                items: {
                    type: "object",
                    required: ["chart", "version", "until", "reason"],
                    properties: { chart: { type: "string" }, version: { type: "string" }, until: { type: "string" }, reason: { type: "string" } },
                },
            },
        },
    },
    validateResource: (args, reportViolation) => {
        const config = readConfig(defaults, args.getConfig<Partial<AddonNotEndOfLifeConfig>>());
        const today = config.today || new Date().toISOString().slice(0, 10);
        const props = args.props as Record<string, unknown>;
        const charts: { repository: string; chart: string; version: string; at: string }[] = [];
        const install = helmInstall(args.type, props);
        if (install && !isLocalChart(install) && install.repository && typeof install.version === "string") {
            charts.push({ repository: install.repository, chart: install.chartName, version: install.version, at: "chart" });
        }
        const view = appSpec(args.type, props);
        for (const { source, at } of view ? appSources(view) : []) {
            if (source.chart && source.repoURL && source.targetRevision) charts.push({ repository: source.repoURL, chart: source.chart, version: source.targetRevision, at });
        }
        for (const c of charts) {
            const eol = pastEndOfLife(c.repository, c.chart, c.version, today);
            if (!eol) continue;
            const excepted = config.exceptions.find((e) => e.chart === c.chart && e.version === c.version && today <= e.until);
            if (excepted) continue;
            const what = eol.chart.retired ? "is retired upstream" : "is past its end of life";
            reportViolation(`${c.at}: ${c.chart} ${c.version} ${what} since ${eol.date} (${eol.source})`);
        }
    },
};
