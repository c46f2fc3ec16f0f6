/** argocd-application-fields-exclusive (policies/rules/argocd/application-fields-exclusive.ts): passing and violating resources, through the analyzer gRPC server. */
import { PolicyAnalyzer } from "../../../../tools/policy-analyzer";
import { app, assertPasses, assertViolates, chartSource, configure, dest, gitSource, sharedAnalyzer } from "../../support";

describe("argocd-application-fields-exclusive", function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    before(async () => {
        analyzer = await sharedAnalyzer();
    });
    beforeEach(() => configure());

    it("requires exactly one of chart/path and server/name", async () => {
        assertPasses(await analyzer.analyze(app({ project: "platform", sources: [chartSource("1.0.0"), { repoURL: "https://github.com/acme-platform/values.git", targetRevision: "v1.0.0", ref: "values" }], destination: dest })), "argocd-application-fields-exclusive");
        assertViolates(await analyzer.analyze(app({ project: "platform", source: { ...gitSource("v1.0.0"), chart: "x" }, destination: { ...dest, name: "in-cluster" } })), "argocd-application-fields-exclusive", /both chart and path.*both server and name/);
        assertViolates(await analyzer.analyze(app({ project: "platform", source: gitSource("v1.0.0"), destination: { namespace: "x" } })), "argocd-application-fields-exclusive", /neither server nor name/);
    });
});
