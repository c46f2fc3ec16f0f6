/** argocd-source-allowed-repository (policies/rules/argocd/source-allowed-repository.ts): passing and violating resources, through the analyzer gRPC server. */
import * as assert from "assert";
import { PolicyAnalyzer } from "../../../../tools/policy-analyzer";
import { app, assertPasses, assertViolates, configure, dest, gitSource, k8s, sharedAnalyzer } from "../../support";

describe("argocd-source-allowed-repository", function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    before(async () => {
        analyzer = await sharedAnalyzer();
    });
    beforeEach(() => configure());

    it("never shows the user info of a repository URL it reports (it may be a password)", async () => {
        const d = assertViolates(await analyzer.analyze(app({ project: "platform", source: { ...gitSource("v1.0.0"), repoURL: "https://bot:hunter2canary@git.example.com/x.git" }, destination: dest })), "argocd-source-allowed-repository", /\[user-info\]@git\.example\.com/);
        assert.ok(!d.message.includes("hunter2canary"));
    });
    it("passes the organisation's repositories and reports others, also in AppProject sourceRepos", async () => {
        assertPasses(await analyzer.analyze(app({ project: "platform", source: gitSource("v1.0.0"), destination: dest })), "argocd-source-allowed-repository");
        assertPasses(await analyzer.analyze(app({ project: "platform", source: { ...gitSource("v1.0.0"), repoURL: "git@github.com:acme-platform/other.git" }, destination: dest })), "argocd-source-allowed-repository");
        assertViolates(await analyzer.analyze(app({ project: "platform", source: { ...gitSource("v1.0.0"), repoURL: "https://github.com/evil/gitops.git" }, destination: dest })), "argocd-source-allowed-repository", /evil/);
        const project = (sourceRepos: string[]) => k8s({ apiVersion: "argoproj.io/v1alpha1", kind: "AppProject", metadata: { name: "p" }, spec: { sourceRepos, destinations: [dest], clusterResourceBlacklist: [{ group: "*", kind: "*" }] } });
        assertPasses(await analyzer.analyze(project(["https://github.com/acme-platform/*"])), "argocd-source-allowed-repository");
        assertViolates(await analyzer.analyze(project(["https://github.com/*/*"])), "argocd-source-allowed-repository", /sourceRepos\[0\]/);
    });
    it("treats an OCI registry the same with or without oci:// (Argo CD writes Helm OCI repositories without it)", async () => {
        const registry = "210987654321.dkr.ecr.eu-west-1.amazonaws.com/charts";
        const ociApp = (repoURL: string) => app({ project: "platform", source: { repoURL, chart: "web", targetRevision: "1.2.3" }, destination: dest });
        await configure({ "argocd-source-allowed-repository": { allowedRepositories: [registry] } });
        assertPasses(await analyzer.analyze(ociApp(registry)), "argocd-source-allowed-repository");
        assertPasses(await analyzer.analyze(ociApp(`oci://${registry}`)), "argocd-source-allowed-repository");
        assertViolates(await analyzer.analyze(ociApp("999999999999.dkr.ecr.eu-west-1.amazonaws.com/charts")), "argocd-source-allowed-repository", /999999999999/);
    });
});
