/**
 * The add-on catalogue (policies/data/addons.catalogue.yaml) is the truth the stacks pin: every add-on of
 * every stack is in it at the same version from the same repository, no stack pins a retired chart,
 * and the pins elsewhere (the argo-cd chart default, tools/install.sh's CRD and Argo CD releases)
 * agree with it. A malformed catalogue is refused naming the file and the key.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ADDON_CATALOGUE_FILE, endOfLifeOf, loadAddonCatalogue, parseAddonCatalogue } from "gitops-platform-policies/shared";
import { DEFAULT_ARGOCD_CHART } from "../stacks/schema";
import { readToolchain } from "../tools/toolchain-pins";
import { PROJECT_ROOT } from "./support/program";

type StackAddon = { name: string; repository: string; chart: string; version: string };
type StackRepo = { name: string; url?: string };

function stackPlatform(stack: string): { addons: StackAddon[]; gitops: { repositories: StackRepo[] } } {
    const doc = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8"));
    return doc.config["gitops-platform:platform"];
}

/** What tools/install.sh installs (tools/toolchain.json). */
const toolchain = readToolchain();

const bare = (v: string) => v.replace(/^v/, "");

describe("the add-on catalogue", () => {
    const catalogue = loadAddonCatalogue();

    for (const stack of ["local", "dev", "staging", "prod"]) {
        it(`${stack}: every add-on is in the catalogue at the pinned version, none retired`, () => {
            const platform = stackPlatform(stack);
            assert.ok(platform.addons.length > 0);
            for (const addon of platform.addons) {
                const url = platform.gitops.repositories.find((r) => r.name === addon.repository)?.url;
                const entry = catalogue.charts.find((c) => c.chart === addon.chart && c.repository === url);
                assert.ok(entry, `${stack}: add-on ${addon.name} (${addon.chart} from ${url}) is not in the catalogue`);
                assert.ok(!entry.retired, `${stack}: add-on ${addon.name} is retired upstream`);
                assert.strictEqual(addon.version, entry.version, `${stack}: add-on ${addon.name} pins ${addon.version}, the catalogue ${entry.version}`);
            }
        });
    }

    it("the argo-cd chart default and the Argo CD pairing agree with it", () => {
        const argo = catalogue.charts.find((c) => c.chart === "argo-cd")!;
        assert.strictEqual(argo.version, DEFAULT_ARGOCD_CHART.version);
        assert.strictEqual(argo.repository, DEFAULT_ARGOCD_CHART.repository);
        assert.strictEqual(catalogue.argocd.stacks.chart, argo.version);
        assert.strictEqual(catalogue.argocd.stacks.argocd, argo.appVersion);
        // The chart's own Chart.yaml (reference copy of argo-helm's 10.1.1) says which Argo CD it installs.
        const chartYaml = YAML.parse(fs.readFileSync(path.resolve(PROJECT_ROOT, "..", "shared", "reference", "argo-cd-chart-10.1.1", "Chart.yaml"), "utf8"));
        assert.strictEqual(chartYaml.version, argo.version);
        assert.strictEqual(chartYaml.appVersion, argo.appVersion);
        assert.strictEqual(bare(catalogue.argocd.loop.argocd), toolchain.tools.argocd.version);
    });

    it("tools/install.sh installs the CRDs of the catalogue's releases", () => {
        const version = (name: string) => catalogue.charts.find((c) => c.name === name)!;
        assert.strictEqual(toolchain.crds["external-secrets"].version, bare(version("external-secrets").version!));
        assert.strictEqual(toolchain.crds["cert-manager"].version, bare(version("cert-manager").version!));
        assert.strictEqual(toolchain.crds["gateway-api"].version, bare(version("gateway-api").gatewayApi!));
    });

    it("says when each pin was checked and where each end of life comes from", () => {
        for (const c of catalogue.charts) {
            assert.match(c.checked, /^\d{4}-\d{2}-\d{2}$/);
            for (const line of c.endOfLife) assert.match(line.source, /^https:\/\//);
        }
        const ingress = catalogue.charts.find((c) => c.chart === "ingress-nginx")!;
        assert.strictEqual(ingress.retired, true);
        assert.strictEqual(endOfLifeOf(ingress, "4.11.3")?.date, "2026-03-24");
        const eso = catalogue.charts.find((c) => c.chart === "external-secrets")!;
        assert.strictEqual(endOfLifeOf(eso, "0.10.7")?.date, "2026-02-06");
    });

    it("refuses a malformed catalogue, naming the file and every key at fault", () => {
        const text = fs.readFileSync(ADDON_CATALOGUE_FILE, "utf8");
        const doc = YAML.parse(text);
        doc.charts[0].checked = "yesterday";
        doc.charts[1].endOfLife = [{ versions: "not a range", date: "2026-01-01", source: "https://example.com" }];
        assert.throws(() => parseAddonCatalogue(YAML.stringify(doc), "cat.yaml"), (e: Error) => {
            assert.match(e.message, /^cat\.yaml: /);
            assert.match(e.message, /charts\[0\]\.checked: expected a date/);
            assert.match(e.message, /charts\[1\]\.endOfLife\[0\]\.versions: expected a semver range/);
            return true;
        });
        const dup = YAML.parse(text);
        dup.charts.push({ ...dup.charts[0] });
        assert.throws(() => parseAddonCatalogue(YAML.stringify(dup), "cat.yaml"), /listed twice/);
        assert.throws(() => parseAddonCatalogue("a: [", "cat.yaml"), /^Error: cat\.yaml: not YAML/);
    });
});
