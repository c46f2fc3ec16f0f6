/** argocd-source-path-in-repository (policies/rules/argocd/source-path-in-repository.ts): passing and violating resources, through the analyzer gRPC server. */
import { PolicyAnalyzer } from "../../../../tools/policy-analyzer";
import { app, appSet, assertPasses, assertViolates, configure, dest, gitSource, sharedAnalyzer } from "../../support";

describe("argocd-source-path-in-repository", function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    before(async () => {
        analyzer = await sharedAnalyzer();
    });
    beforeEach(() => configure());

    it("passes paths inside the repository and reports absolute ones and '..' in Applications and ApplicationSets", async () => {
        for (const path of ["charts/hello-service", "apps"]) {
            assertPasses(await analyzer.analyze(app({ project: "platform", source: { ...gitSource("v1.0.0"), path }, destination: dest })), "argocd-source-path-in-repository");
        }
        assertViolates(await analyzer.analyze(app({ project: "platform", source: { ...gitSource("v1.0.0"), path: "../../etc" }, destination: dest })), "argocd-source-path-in-repository", /spec\.source\.path "\.\.\/\.\.\/etc" climbs out/);
        assertViolates(await analyzer.analyze(app({ project: "platform", sources: [gitSource("v1.0.0"), { ...gitSource("v1.0.0"), path: "/etc" }], destination: dest })), "argocd-source-path-in-repository", /spec\.sources\[1\]\.path "\/etc" is absolute/);
        assertViolates(await analyzer.analyze(appSet({ project: "platform", source: { ...gitSource("v1.0.0"), path: "charts/../../x" }, destination: dest })), "argocd-source-path-in-repository", /spec\.template\.spec\.source\.path/);
    });
});
