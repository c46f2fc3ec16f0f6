/**
 * Chart READMEs generated from values.yaml comments (helm-docs style).
 *
 * A key is documented by a `# -- <text>` comment right above it (the text may continue on the
 * following comment lines). A documented key is one row of the values table, with its default;
 * an undocumented key must be a map whose keys are all documented. Anything else is an error
 * naming every undocumented key path, so a new value cannot be added without saying what it does.
 *
 * The generated part of README.md sits between `<!-- generated:start -->` and
 * `<!-- generated:end -->`; the prose around it is written by hand and kept.
 *
 *   npx ts-node --transpile-only tools/chart-readme.ts [--check] [charts/<name> ...]
 *
 * Without chart folders every chart under charts/ is processed. `--check` writes nothing and
 * exits 1 naming each README that is out of date (what the test and CI run).
 */
import * as fs from "fs";
import * as path from "path";
import { isMap, isScalar, isSeq, parse, parseDocument, Scalar, YAMLMap } from "yaml";

/** One row of a chart's values table. */
export interface ValueRow {
    /** Dotted key path, e.g. `image.tag`. */
    key: string;
    /** `string`, `int`, `float`, `bool`, `null`, `object` or `list`. */
    type: string;
    /** The default as JSON (what values.yaml declares). */
    defaultJson: string;
    /** The `# --` description. */
    description: string;
}

/** Start and end markers of the generated section of a chart README. */
export const GENERATED_START = "<!-- generated:start (tools/chart-readme.ts; edit values.yaml, not this section) -->";
export const GENERATED_END = "<!-- generated:end -->";

/** The description of a `# --` comment block (the last `--` paragraph), or undefined. */
function docComment(comment: string | null | undefined): string | undefined {
    if (!comment) return undefined;
    const lines = comment.split("\n").map((line) => line.trim());
    const start = lines.map((line) => line.startsWith("-- ")).lastIndexOf(true);
    if (start < 0) return undefined;
    const body: string[] = [lines[start].slice(3).trim()];
    for (const line of lines.slice(start + 1)) {
        if (line === "") break;
        body.push(line);
    }
    return body.join(" ");
}

function typeOf(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "list";
    if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
    if (typeof value === "boolean") return "bool";
    return typeof value === "object" ? "object" : "string";
}

/**
 * The values table of a values.yaml text. Throws one error naming every undocumented key path.
 * @param source named in the error, e.g. `charts/hello-service/values.yaml`.
 */
export function valuesTable(valuesYaml: string, source: string): ValueRow[] {
    const doc = parseDocument(valuesYaml);
    if (doc.errors.length > 0) throw new Error(`${source}: invalid YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
    const rows: ValueRow[] = [];
    const undocumented: string[] = [];

    const walk = (map: YAMLMap, prefix: string): void => {
        map.items.forEach((pair, index) => {
            const keyNode = pair.key as Scalar;
            const key = `${prefix}${String(isScalar(keyNode) ? keyNode.value : keyNode)}`;
            // The yaml library attaches the comment above a map's first key to the map itself.
            const description = docComment(keyNode.commentBefore) ?? (index === 0 ? docComment(map.commentBefore) : undefined);
            if (description !== undefined) {
                const value: unknown = isMap(pair.value) || isSeq(pair.value) || isScalar(pair.value) ? pair.value.toJSON() : null;
                rows.push({ key, type: typeOf(value), defaultJson: JSON.stringify(value), description });
            } else if (isMap(pair.value) && pair.value.items.length > 0) {
                walk(pair.value, `${key}.`);
            } else {
                undocumented.push(key);
            }
        });
    };
    if (isMap(doc.contents)) walk(doc.contents, "");
    if (undocumented.length > 0) {
        throw new Error(`${source}: values without a "# --" description: ${undocumented.join(", ")}`);
    }
    return rows;
}

const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The generated section (markers included) of a chart folder's README. */
export function generatedSection(chartDir: string): string {
    const chart = parse(fs.readFileSync(path.join(chartDir, "Chart.yaml"), "utf8")) as {
        name: string;
        version: string;
        appVersion?: string;
        description?: string;
    };
    const valuesFile = path.join(chartDir, "values.yaml");
    const rows = valuesTable(fs.readFileSync(valuesFile, "utf8"), valuesFile);
    const lines = [
        GENERATED_START,
        `# ${chart.name}`,
        "",
        `![Version: ${chart.version}](https://img.shields.io/badge/Version-${chart.version.replace(/-/g, "--")}-informational) ` +
            (chart.appVersion ? `![AppVersion: ${chart.appVersion}](https://img.shields.io/badge/AppVersion-${chart.appVersion.replace(/-/g, "--")}-informational)` : ""),
        "",
        chart.description ?? "",
        "",
        "## Values",
        "",
        "| Key | Type | Default | Description |",
        "| --- | --- | --- | --- |",
        ...rows.map((row) => `| ${cell(row.key)} | ${row.type} | \`${cell(row.defaultJson)}\` | ${cell(row.description)} |`),
        GENERATED_END,
    ];
    return lines.map((line) => line.trimEnd()).join("\n");
}

/** README.md text with its generated section replaced (or prepended when it has none yet). */
export function renderReadme(chartDir: string): string {
    const readmePath = path.join(chartDir, "README.md");
    const current = fs.existsSync(readmePath) ? fs.readFileSync(readmePath, "utf8") : "";
    const section = generatedSection(chartDir);
    const start = current.indexOf(GENERATED_START);
    const end = current.indexOf(GENERATED_END);
    if (start >= 0 && end > start) {
        return current.slice(0, start) + section + current.slice(end + GENERATED_END.length);
    }
    return `${section}\n${current ? `\n${current}` : ""}`;
}

/** Chart folders under `<repo>/charts` (those with a Chart.yaml). */
export function chartDirs(repoRoot: string): string[] {
    const root = path.join(repoRoot, "charts");
    if (!fs.existsSync(root)) return [];
    return fs
        .readdirSync(root, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(root, entry.name, "Chart.yaml")))
        .map((entry) => path.join(root, entry.name))
        .sort();
}

function main(argv: string[]): number {
    const check = argv.includes("--check");
    const repoRoot = path.resolve(__dirname, "..");
    const dirs = argv.filter((arg) => arg !== "--check");
    const charts = dirs.length > 0 ? dirs.map((dir) => path.resolve(dir)) : chartDirs(repoRoot);
    const stale: string[] = [];
    for (const chartDir of charts) {
        const readmePath = path.join(chartDir, "README.md");
        const wanted = renderReadme(chartDir);
        const current = fs.existsSync(readmePath) ? fs.readFileSync(readmePath, "utf8") : undefined;
        if (current === wanted) continue;
        if (check) {
            stale.push(path.relative(repoRoot, readmePath));
        } else {
            fs.writeFileSync(readmePath, wanted);
            console.log(`wrote ${path.relative(repoRoot, readmePath)}`);
        }
    }
    if (stale.length > 0) {
        console.error(`out of date (run: npx ts-node --transpile-only tools/chart-readme.ts): ${stale.join(", ")}`);
        return 1;
    }
    return 0;
}

if (require.main === module) {
    try {
        process.exitCode = main(process.argv.slice(2));
    } catch (error) {
        console.error((error as Error).message);
        process.exitCode = 1;
    }
}
