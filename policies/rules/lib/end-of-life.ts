/**
 * End of life of the charts the platform knows, from the add-on catalogue
 * (data/addons.catalogue.yaml in the pack). Read once per pack process.
 */
import { AddonCatalogue, CatalogueChart, endOfLifeOf, loadAddonCatalogue } from "./addon-catalogue";
import { normalizeRepoUrl } from "./repositories";

let catalogue: AddonCatalogue | undefined;

/** The catalogue (cached). */
export function addonCatalogue(): AddonCatalogue {
    catalogue ??= loadAddonCatalogue();
    return catalogue;
}

/** A chart's end of life as the rules report it. */
export interface ChartEndOfLife {
    /** The catalogue entry. */
    chart: CatalogueChart;
    /** Day support ended (ISO date). */
    date: string;
    /** Where upstream says so. */
    source: string;
}

/** The end of life of `chartName` at `version` from `repository`, if it has one on or before `today` (ISO). */
export function pastEndOfLife(repository: string, chartName: string, version: string, today: string, from: AddonCatalogue = addonCatalogue()): ChartEndOfLife | undefined {
    const repo = normalizeRepoUrl(repository);
    const chart = from.charts.find((c) => c.chart === chartName && normalizeRepoUrl(c.repository) === repo);
    if (!chart) return undefined;
    const line = endOfLifeOf(chart, version);
    if (!line || line.date > today) return undefined;
    return { chart, date: line.date, source: line.source };
}
