/**
 * renovate.json against our real files, through Renovate's own code (the renovate package pinned in
 * devDependencies): its preset resolution, its file matching, and its regex and JSONata custom managers
 * extract the dependencies, and each must equal what the files pin, read independently
 * (tools/toolchain.json through its typed reader, stack configs parsed as YAML). Expectations come from the
 * files, so a chart bump or a new add-on changes both sides; a pin no manager sees fails here.
 * Renovate 44 declares Node.js 24, but its config validator and these managers run on our Node.js 20.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { DEFAULT_ARGOCD_CHART } from "../stacks/schema/argocd";
import { pins, readToolchain } from "../tools/toolchain-pins";
import { PROJECT_ROOT } from "./support/program";

interface CustomManager {
    description: string;
    customType: "regex" | "jsonata";
    managerFilePatterns: string[];
    matchStrings: string[];
    fileFormat?: string;
    depNameTemplate?: string;
    datasourceTemplate?: string;
    extractVersionTemplate?: string;
}
interface Dep {
    depName?: string;
    packageName?: string;
    currentValue?: string;
    currentDigest?: string;
    datasource?: string;
    registryUrls?: string[];
    extractVersion?: string;
    skipReason?: string;
}
type Extract = (content: string, file: string, config: object) => Promise<{ deps: Dep[] } | null> | { deps: Dep[] } | null;

// Renovate is ESM; Node.js 20 loads it with require(). Its logger stays quiet below fatal.
process.env.LOG_LEVEL ??= "fatal";
const renovate = (p: string) => require(path.join(PROJECT_ROOT, "node_modules/renovate/dist", p)); // eslint-disable-line @typescript-eslint/no-require-imports

describe("Renovate's managers on our files (renovate.json)", function () {
    this.timeout(60000);
    const config = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "renovate.json"), "utf8"));
    const managers = config.customManagers as CustomManager[];
    let files: string[];
    let ignorePaths: string[];
    let getMatchingFiles: (c: object, files: string[]) => string[];
    const extractors: Record<string, Extract> = {};
    /** Every dependency each custom manager extracts, by manager description and file. */
    const extracted = new Map<CustomManager, Map<string, Dep[]>>();

    before(async () => {
        await renovate("logger/index.js").init();
        // The presets config:recommended extends are Renovate's internal ones: no network.
        const resolved = await renovate("config/presets/index.js").resolveConfigPresets(config);
        ignorePaths = resolved.ignorePaths ?? [];
        getMatchingFiles = renovate("workers/repository/extract/file-match.js").getMatchingFiles;
        extractors.regex = renovate("modules/manager/custom/regex/index.js").extractPackageFile;
        extractors.jsonata = renovate("modules/manager/custom/jsonata/index.js").extractPackageFile;
        // (Renovate's github-actions manager needs Node.js 22 (Set.prototype.union in execa), so the
        // action pins are checked by test/delivery-workflows.spec.ts instead.)
        // The files Renovate would see in a clone: tracked ones and any new ones not ignored.
        files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: PROJECT_ROOT, encoding: "utf8" })
            .split("\n")
            .filter((f) => f !== "" && fs.existsSync(path.join(PROJECT_ROOT, f)));
        for (const m of managers) {
            const byFile = new Map<string, Dep[]>();
            for (const file of getMatchingFiles({ ...m, manager: m.customType, ignorePaths }, files)) {
                const res = await extractors[m.customType](fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8"), file, m);
                byFile.set(file, res?.deps ?? []);
            }
            extracted.set(m, byFile);
        }
    });

    const depsOf = (pattern: RegExp) =>
        [...extracted.entries()].filter(([m]) => m.managerFilePatterns.some((p) => pattern.test(p))).flatMap(([, byFile]) => [...byFile.values()].flat());
    const key = (d: Dep) => `${d.datasource} ${d.packageName ?? d.depName} ${d.currentValue}${d.registryUrls ? " @" + d.registryUrls.map((u) => u.replace(/\/$/, "")).join(",") : ""}`;

    it("has no dead manager: each matches a file of ours and extracts a version from it", () => {
        for (const [m, byFile] of extracted) {
            assert.ok(byFile.size > 0, `no file matches: ${m.description}`);
            assert.ok([...byFile.values()].flat().length > 0, `nothing extracted: ${m.description}`);
            for (const dep of [...byFile.values()].flat()) assert.strictEqual(dep.skipReason, undefined, `${m.description}: ${JSON.stringify(dep)}`);
        }
    });

    it("sees every pinned version in tools/toolchain.json (what install.sh builds), from the source it names, or knows why not", () => {
        const pinned = pins(readToolchain());
        assert.ok(pinned.length >= 15, `the toolchain and the CRDs (found ${pinned.length})`);
        const managed = pinned.filter((p) => p.renovate !== undefined);
        // Each pin either names where updates come from or says why there are none (the reader checks it).
        assert.deepStrictEqual(
            pinned.filter((p) => p.renovate === undefined).map((p) => p.name),
            pinned.filter((p) => p.unmanaged !== undefined).map((p) => p.name),
        );
        const deps = depsOf(/toolchain/);
        assert.deepStrictEqual(deps.map(key).sort(), managed.map((p) => `${p.renovate!.datasource} ${p.renovate!.depName} ${p.version}`).sort());
        for (const p of managed) {
            const dep = deps.find((d) => d.depName === p.renovate!.depName)!;
            // A `v`-less pin compares against `v`-prefixed tags only through extractVersion.
            const vLess = !p.version.startsWith("v") && dep.datasource !== "golang-version";
            assert.strictEqual(dep.extractVersion, vLess ? "^v(?<version>.+)$" : undefined, `${p.name}: extractVersion`);
            // What Renovate watches is what install.sh builds.
            if (dep.datasource === "go") assert.strictEqual(dep.depName, p.module, `${p.name}: the Go module Renovate watches`);
        }
    });

    it("sees every Helm chart version in the stack configs, with its repository resolved from gitops.repositories", () => {
        const expected: string[] = [];
        const ownCharts: string[] = [];
        const stackFiles = getMatchingFiles({ managerFilePatterns: ["/^stacks/.+\\.ya?ml$/"], manager: "jsonata", ignorePaths }, files);
        assert.ok(stackFiles.includes("stacks/Pulumi.prod.yaml"));
        for (const file of stackFiles) {
            const doc = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8"));
            const repos = new Map<string, { url?: string; ecr?: boolean }>();
            walk(doc, (o) => {
                if (Array.isArray(o.repositories)) for (const r of o.repositories as { name: string; url?: string; ecr?: boolean }[]) repos.set(r.name, r);
            });
            walk(doc, (o, at) => {
                if (typeof o.version !== "string") return;
                const repository = typeof o.repository === "string" ? o.repository : undefined;
                const chart = typeof o.chart === "string" ? o.chart : repository?.includes("://") && typeof o.name === "string" ? o.name : undefined;
                // A version that is not a chart's would be a pin no manager reads: say where.
                assert.ok(chart, `${file}: ${at}.version (${o.version}) is not a chart pin renovate.json knows; extend its stacks manager`);
                const repo = repository !== undefined ? repos.get(repository) : undefined;
                const url = repo?.url ?? (repository?.includes("://") ? repository : typeof o.repoURL === "string" ? o.repoURL : undefined);
                if (!url) {
                    assert.ok(repo?.ecr, `${file}: chart ${chart} ${o.version} has neither a repository URL nor the platform's ECR registry`);
                    ownCharts.push(`${file}: ${chart}`);
                } else if (url.startsWith("oci://")) {
                    expected.push(`docker ${url.slice("oci://".length)}/${chart} ${o.version}`);
                } else {
                    expected.push(`helm ${chart} ${o.version} @${url.replace(/\/$/, "")}`);
                }
            });
        }
        assert.ok(expected.length >= 6, `the cloud stacks pin add-on charts (found ${expected.length})`);
        assert.deepStrictEqual(depsOf(/\^stacks\/\.\+/).map(key).sort(), expected.sort());
        for (const own of ownCharts) assert.match(own, /hello-service/, "only the platform's own charts are left to the ECR pin check");
    });

    it("sees the argo-cd chart the stacks default to, and hello-service's image tag (the chart's appVersion)", () => {
        assert.deepStrictEqual(depsOf(/argocd/).map(key), [`helm ${DEFAULT_ARGOCD_CHART.name} ${DEFAULT_ARGOCD_CHART.version} @${DEFAULT_ARGOCD_CHART.repository}`]);
        const chart = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, "charts/hello-service/Chart.yaml"), "utf8"));
        const values = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, "charts/hello-service/values.yaml"), "utf8"));
        assert.strictEqual(values.image.tag, "", "the image tag defaults to appVersion; were it set, helm-values would own it");
        assert.deepStrictEqual(depsOf(/hello-service/).map(key), [`docker ${values.image.repository} ${chart.appVersion}`]);
    });
});

/** Calls `visit` on every mapping in a parsed YAML document, with its key path. */
function walk(node: unknown, visit: (o: Record<string, unknown>, at: string) => void, at = ""): void {
    if (Array.isArray(node)) node.forEach((n, i) => walk(n, visit, `${at}[${i}]`));
    else if (node && typeof node === "object") {
        visit(node as Record<string, unknown>, at);
        Object.entries(node).forEach(([k, n]) => walk(n, visit, at ? `${at}.${k}` : k));
    }
}
