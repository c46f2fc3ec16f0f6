/** helm-chart-allowed-repository (policies/rules/helm/chart-allowed-repository.ts): passing and violating resources, through the analyzer gRPC server. */
import { PolicyAnalyzer } from "../../../../tools/policy-analyzer";
import { assertPasses, assertViolates, chart, configure, resource, sharedAnalyzer } from "../../support";

describe("helm-chart-allowed-repository", function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    before(async () => {
        analyzer = await sharedAnalyzer();
    });
    beforeEach(() => configure());

    it("passes exact versions from allowed repositories, including OCI and v3 Releases", async () => {
        const ok = chart({ chart: "external-secrets", version: "0.14.4", repositoryOpts: { repo: "https://charts.external-secrets.io" } });
        const oci = chart({ chart: "oci://111122223333.dkr.ecr.eu-west-1.amazonaws.com/charts/web", version: "1.2.3" });
        await configure({ "helm-chart-allowed-repository": { allowedRepositories: ["https://charts.external-secrets.io", "oci://111122223333.dkr.ecr.eu-west-1.amazonaws.com/**"] } });
        for (const r of [ok, oci, resource("kubernetes:helm.sh/v3:Release", "r", { chart: "external-secrets", version: "0.14.4", repositoryOpts: { repo: "https://charts.external-secrets.io" } })]) {
            const d = await analyzer.analyze(r);
            assertPasses(d, "helm-chart-pinned-version");
            assertPasses(d, "helm-chart-allowed-repository");
        }
    });
    it("reports other repositories, and a Release that names none", async () => {
        assertViolates(await analyzer.analyze(chart({ chart: "x", version: "1.0.0", repositoryOpts: { repo: "https://charts.example.com" } })), "helm-chart-allowed-repository", /charts\.example\.com/);
        assertViolates(await analyzer.analyze(resource("kubernetes:helm.sh/v3:Release", "r", { chart: "x", version: "1.0.0" })), "helm-chart-allowed-repository", /names no repository/);
    });
});
