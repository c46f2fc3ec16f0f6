/** argocd-application-no-default-project (policies/rules/argocd/application-no-default-project.ts): passing and violating resources, through the analyzer gRPC server. */
import { PolicyAnalyzer } from "../../../../tools/policy-analyzer";
import { app, assertPasses, assertViolates, configure, dest, gitSource, sharedAnalyzer } from "../../support";

describe("argocd-application-no-default-project", function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    before(async () => {
        analyzer = await sharedAnalyzer();
    });
    beforeEach(() => configure());

    it("reports the default project", async () => {
        assertViolates(await analyzer.analyze(app({ project: "default", source: gitSource("v1.0.0"), destination: dest })), "argocd-application-no-default-project", /default project/);
        assertPasses(await analyzer.analyze(app({ project: "platform", source: gitSource("v1.0.0"), destination: dest })), "argocd-application-no-default-project");
    });
});
