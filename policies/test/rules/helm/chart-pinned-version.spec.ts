/** helm-chart-pinned-version (policies/rules/helm/chart-pinned-version.ts): passing and violating resources, through the analyzer gRPC server. */
import * as assert from "assert";
import { PolicyAnalyzer } from "../../../../tools/policy-analyzer";
import { assertPasses, assertViolates, chart, configure, resource, sharedAnalyzer } from "../../support";

describe("helm-chart-pinned-version", function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    before(async () => {
        analyzer = await sharedAnalyzer();
    });
    beforeEach(() => configure());

    it("judges charts through their component: a helm v4 Chart as the engine shows it (no inputs) draws no finding", async () => {
        // Before: every real preview flagged `chart ""` on every Chart (mandatory in staging and prod).
        const asTheEngineShowsIt = resource("kubernetes:helm.sh/v4:Chart", "argocd", {});
        assert.deepStrictEqual(await analyzer.analyze(asTheEngineShowsIt), []);
        assertViolates(await analyzer.analyze(chart({ chart: "cert-manager", version: "*", repositoryOpts: { repo: "https://charts.jetstack.io" } })), "helm-chart-pinned-version", /./);
    });

    it("passes exact versions, including OCI and v3 Releases", async () => {
        const ok = chart({ chart: "external-secrets", version: "0.14.4", repositoryOpts: { repo: "https://charts.external-secrets.io" } });
        const oci = chart({ chart: "oci://111122223333.dkr.ecr.eu-west-1.amazonaws.com/charts/web", version: "1.2.3" });
        for (const r of [ok, oci, resource("kubernetes:helm.sh/v3:Release", "r", { chart: "external-secrets", version: "0.14.4", repositoryOpts: { repo: "https://charts.external-secrets.io" } })]) {
            assertPasses(await analyzer.analyze(r), "helm-chart-pinned-version");
        }
    });
    it("reports missing, latest and range versions", async () => {
        for (const [version, reason] of [[undefined, /no version/], ["latest", /floats/], ["~1.2.0", /range/], [">=1.0.0", /range/]] as const) {
            assertViolates(await analyzer.analyze(chart({ chart: "cert-manager", version, repositoryOpts: { repo: "https://charts.jetstack.io" } })), "helm-chart-pinned-version", reason);
        }
    });
});
