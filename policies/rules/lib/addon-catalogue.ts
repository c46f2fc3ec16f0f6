/**
 * The add-on catalogue (policies/data/addons.catalogue.yaml): the chart versions the stacks pin, when
 * they were checked, and the end of life upstream announced. One schema, read by the pack's
 * addon-not-end-of-life rule, the stacks' schema and the tests (through the pack's package, so the
 * published pack carries it); a bad file is refused with its path and every key at fault.
 */
import * as fs from "fs";
import * as semver from "semver";
import * as YAML from "yaml";
import { z } from "zod";
import { packFile } from "./pack-files";

/** Where the catalogue lives. */
export const ADDON_CATALOGUE_FILE = packFile("data", "addons.catalogue.yaml");

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: "expected a date like 2026-12-02" });
// YAML reads an unquoted 2026-12-02 as a string with the default schema of the `yaml` package (core schema).
const SemverRange = z.string().refine((r) => semver.validRange(r) !== null, { message: "expected a semver range like <1.4.0-0" });

/** A release line upstream stops supporting on a date. */
export const EndOfLifeSchema = z.strictObject({
    /** Chart versions of the line (a semver range; a leading `v` in versions is ignored). Required. */
    versions: SemverRange,
    /** The day support ends. Required. */
    date: IsoDate,
    /** Where upstream says so. Required. */
    source: z.string().url(),
});

/** One chart of the catalogue. */
export const CatalogueChartSchema = z.strictObject({
    /** Add-on name as the stacks call it. Required. */
    name: z.string().min(1),
    /** Repository URL (`https://` or `oci://`). Required. */
    repository: z.string().regex(/^(https|oci):\/\/\S+$/, { message: "expected an https:// or oci:// URL" }),
    /** Chart name. Required. */
    chart: z.string().min(1),
    /** Pinned chart version; absent for a retired chart. */
    version: z.string().min(1).optional(),
    /** The application version the chart installs. Default: none. */
    appVersion: z.string().min(1).optional(),
    /** Gateway API bundle version, for a chart that installs its CRDs. Default: none. */
    gatewayApi: z.string().min(1).optional(),
    /** Retired: no stack may pin it. Default `false`. */
    retired: z.boolean().default(false),
    /** When the pin and the end of life were last checked against upstream. Required. */
    checked: IsoDate,
    /** Why this version, in a sentence. Default: none. */
    note: z.string().optional(),
    /** Release lines with an announced end of life. Required (may be empty). */
    endOfLife: z.array(EndOfLifeSchema),
});
export type CatalogueChart = z.infer<typeof CatalogueChartSchema>;

/** The whole catalogue. */
export const AddonCatalogueSchema = z.strictObject({
    /** When the catalogue as a whole was last checked. Required. */
    checked: IsoDate,
    /** Every chart. Required. */
    charts: z.array(CatalogueChartSchema).min(1),
    /** The Argo CD the stacks install and the one the local loop proves. Required. */
    argocd: z.strictObject({
        stacks: z.strictObject({ chart: z.string().min(1), argocd: z.string().min(1) }),
        loop: z.strictObject({ argocd: z.string().min(1) }),
    }),
});
export type AddonCatalogue = z.infer<typeof AddonCatalogueSchema>;

/** Parses catalogue text; throws one error naming `file` and every key path at fault. */
export function parseAddonCatalogue(text: string, file: string): AddonCatalogue {
    let doc: unknown;
    try {
        doc = YAML.parse(text);
    } catch (e) {
        throw new Error(`${file}: not YAML: ${(e as Error).message}`);
    }
    const parsed = AddonCatalogueSchema.safeParse(doc);
    if (!parsed.success) {
        const problems = parsed.error.issues.map((i) => `${i.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "") || "(root)"}: ${i.message}`);
        throw new Error(`${file}: ${problems.join("; ")}`);
    }
    const seen = new Set<string>();
    for (const [i, c] of parsed.data.charts.entries()) {
        const key = `${c.repository} ${c.chart}`;
        if (seen.has(key)) throw new Error(`${file}: charts[${i}]: ${c.chart} from ${c.repository} is listed twice`);
        seen.add(key);
        if (!c.retired && c.version === undefined) throw new Error(`${file}: charts[${i}].version: required unless retired`);
    }
    return parsed.data;
}

/** Reads the catalogue (the pack's own by default). */
export function loadAddonCatalogue(file: string = ADDON_CATALOGUE_FILE): AddonCatalogue {
    return parseAddonCatalogue(fs.readFileSync(file, "utf8"), file);
}

/** A chart version as semver (`v1.21.2` -> `1.21.2`); undefined when it is not one. */
export function chartSemver(version: string): string | undefined {
    return semver.valid(version.replace(/^v/, "")) ?? undefined;
}

/** The end-of-life line `version` of `chart` falls in, or undefined. */
export function endOfLifeOf(chart: CatalogueChart, version: string): z.infer<typeof EndOfLifeSchema> | undefined {
    const v = chartSemver(version);
    if (v === undefined) return undefined;
    return chart.endOfLife.find((line) => semver.satisfies(v, line.versions, { includePrerelease: true }));
}
