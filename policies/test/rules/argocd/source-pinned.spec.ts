/** argocd-source-pinned (policies/rules/argocd/source-pinned.ts): passing and violating resources, through the analyzer gRPC server. */
import { PolicyAnalyzer } from "../../../../tools/policy-analyzer";
import { app, appSet, assertPasses, assertViolates, chartSource, commit, configure, dest, gitSource, sharedAnalyzer } from "../../support";

describe("argocd-source-pinned", function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    before(async () => {
        analyzer = await sharedAnalyzer();
    });
    beforeEach(() => configure());

    it("passes exact chart versions, tags and commits", async () => {
        for (const source of [chartSource("1.16.2"), gitSource("v1.4.0"), gitSource(commit)]) {
            assertPasses(await analyzer.analyze(app({ project: "platform", source, destination: dest })), "argocd-source-pinned");
        }
    });
    it("reports HEAD, branches, ranges, * and latest", async () => {
        const cases: [Record<string, unknown>, RegExp][] = [
            [gitSource("HEAD"), /tracks HEAD/], [gitSource(undefined), /HEAD/], [gitSource("main"), /branch/],
            [chartSource("1.x"), /range/], [chartSource("*"), /floats/], [chartSource("latest"), /floats/], [chartSource("^1.2.0"), /range/],
        ];
        for (const [source, reason] of cases) {
            assertViolates(await analyzer.analyze(app({ project: "platform", source, destination: dest })), "argocd-source-pinned", reason);
        }
        assertViolates(await analyzer.analyze(appSet({ project: "platform", sources: [chartSource("1.16.2"), gitSource("main")], destination: dest })), "argocd-source-pinned", /spec\.template\.spec\.sources\[1\]/);
    });
    it("allows branch tracking where configured (dev) but still no chart ranges", async () => {
        await configure({ "argocd-source-pinned": { allowBranchTracking: true } });
        assertPasses(await analyzer.analyze(app({ project: "platform", source: gitSource("main"), destination: dest })), "argocd-source-pinned");
        assertViolates(await analyzer.analyze(app({ project: "platform", source: chartSource("*"), destination: dest })), "argocd-source-pinned");
    });
});
