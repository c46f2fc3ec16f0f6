/** argocd-protected-on-delete (policies/rules/argocd/protected-on-delete.ts): passing and violating resources, through the analyzer gRPC server. */
import { PolicyAnalyzer } from "../../../../tools/policy-analyzer";
import { argoChart, assertPasses, assertViolates, configure, hardenedArgoValues, k8s, sharedAnalyzer } from "../../support";

describe("argocd-protected-on-delete", function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    before(async () => {
        analyzer = await sharedAnalyzer();
    });
    beforeEach(() => configure());

    it("requires protect on the Argo CD namespace, CRDs and chart only where configured (prod)", async () => {
        const ns = k8s({ apiVersion: "v1", kind: "Namespace", metadata: { name: "argocd" } });
        const crd = k8s({ apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: "applications.argoproj.io" }, spec: { group: "argoproj.io" } });
        assertPasses(await analyzer.analyze(ns), "argocd-protected-on-delete");
        await configure({ "argocd-protected-on-delete": { required: true } });
        assertViolates(await analyzer.analyze(ns), "argocd-protected-on-delete", /namespace "argocd" is not protected/);
        assertViolates(await analyzer.analyze(crd), "argocd-protected-on-delete", /applications\.argoproj\.io/);
        assertViolates(await analyzer.analyze(argoChart(hardenedArgoValues)), "argocd-protected-on-delete", /argo-cd chart/);
        assertPasses(await analyzer.analyze({ ...ns, options: { protect: true } }), "argocd-protected-on-delete");
        assertPasses(await analyzer.analyze(k8s({ apiVersion: "v1", kind: "Namespace", metadata: { name: "apps" } })), "argocd-protected-on-delete");
    });
});
