/** argocd-appproject-restricted (policies/rules/argocd/appproject-restricted.ts): passing and violating resources, through the analyzer gRPC server. */
import * as assert from "assert";
import { PolicyAnalyzer } from "../../../../tools/policy-analyzer";
import { assertPasses, assertViolates, configure, dest, k8s, sharedAnalyzer } from "../../support";

describe("argocd-appproject-restricted", function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    before(async () => {
        analyzer = await sharedAnalyzer();
    });
    beforeEach(() => configure());

    it("reports wildcards in sourceRepos, destinations and cluster-scoped kinds", async () => {
        const good = k8s({ apiVersion: "argoproj.io/v1alpha1", kind: "AppProject", metadata: { name: "p" }, spec: { sourceRepos: ["https://github.com/acme-platform/gitops-platform.git"], destinations: [dest], clusterResourceWhitelist: [{ group: "", kind: "Namespace" }] } });
        assertPasses(await analyzer.analyze(good), "argocd-appproject-restricted");
        const bad = k8s({ apiVersion: "argoproj.io/v1alpha1", kind: "AppProject", metadata: { name: "p" }, spec: { sourceRepos: ["*"], destinations: [{ server: "*", namespace: "*" }], clusterResourceWhitelist: [{ group: "*", kind: "*" }] } });
        const d = assertViolates(await analyzer.analyze(bad), "argocd-appproject-restricted");
        for (const where of [/sourceRepos\[0\] is '\*'/, /destinations\[0\]\.server is '\*'/, /destinations\[0\]\.namespace/, /clusterResourceWhitelist\[0\] allows '\*\/\*'/]) {
            assert.match(d.message, where);
        }
    });
});
