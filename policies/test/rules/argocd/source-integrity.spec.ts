/** argocd-source-integrity (policies/rules/argocd/source-integrity.ts): passing and violating stacks, through the analyzer gRPC server. */
import * as assert from "assert";
import { PolicyAnalyzer } from "../../../../tools/policy-analyzer";
import { assertPasses, assertViolates, configure, dest, k8s, sharedAnalyzer } from "../../support";

const REPO = "https://git.example.com/acme/gitops-platform.git";
const KEY = "D56C4FCA57A46444";

function project(spec: Record<string, unknown>) {
    return k8s({ apiVersion: "argoproj.io/v1alpha1", kind: "AppProject", metadata: { name: "team" }, spec: { sourceRepos: [REPO], destinations: [dest], ...spec } });
}

function policy(mode: string, url = REPO, keys = [KEY]) {
    return { sourceIntegrity: { git: { policies: [{ repos: [{ url }], gpg: { mode, keys } }] } } };
}

const gitApp = k8s({ apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name: "web" }, spec: { project: "team", destination: dest, source: { repoURL: REPO, path: "charts/web", targetRevision: "v1.0.0" } } });
const hydratedApp = k8s({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name: "web" },
    spec: { project: "team", destination: dest, sourceHydrator: { drySource: { repoURL: REPO, path: "charts/web", targetRevision: "v1.0.0" }, syncSource: { targetBranch: "environments/prod", path: "in-cluster/web" } } },
});
const helmApp = k8s({ apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name: "cm" }, spec: { project: "team", destination: dest, source: { repoURL: "https://charts.jetstack.io", chart: "cert-manager", targetRevision: "v1.21.2" } } });

describe("argocd-source-integrity", function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    before(async () => {
        analyzer = await sharedAnalyzer();
    });
    beforeEach(() => configure());

    it("passes a Git source (plain or hydrated) whose project verifies it strictly, and a Helm chart without any", async () => {
        for (const app of [gitApp, hydratedApp]) assertPasses(await analyzer.analyzeStack([project(policy("strict")), app]), "argocd-source-integrity");
        assertPasses(await analyzer.analyzeStack([project(policy("strict", "https://git.example.com/acme/*")), gitApp]), "argocd-source-integrity");
        assertPasses(await analyzer.analyzeStack([project({}), helmApp]), "argocd-source-integrity");
    });

    it("reports an unverified Git source, naming the source's key path and the project", async () => {
        const d = assertViolates(await analyzer.analyzeStack([project({}), hydratedApp]), "argocd-source-integrity");
        assert.match(d.message, /spec\.sourceHydrator\.drySource\.repoURL https:\/\/git\.example\.com\/acme\/gitops-platform\.git: project team verifies no signature of it/);
        assertViolates(await analyzer.analyzeStack([project(policy("strict", `!${REPO}`)), gitApp]), "argocd-source-integrity", /verifies no signature/);
        assertViolates(await analyzer.analyzeStack([project(policy("strict", REPO, [])), gitApp]), "argocd-source-integrity", /mode none or no key/);
        assertViolates(await analyzer.analyzeStack([gitApp]), "argocd-source-integrity", /project "team" is not declared in this stack/);
    });

    it("requires strict unless the stack's config allows head; signatureKeys (before Argo CD 3.5) count as head", async () => {
        assertViolates(await analyzer.analyzeStack([project(policy("head")), gitApp]), "argocd-source-integrity", /mode head; this stack requires strict/);
        assertViolates(await analyzer.analyzeStack([project({ signatureKeys: [{ keyID: KEY }] }), gitApp]), "argocd-source-integrity", /mode head; this stack requires strict/);
        await configure({ "argocd-source-integrity": { modes: ["head", "strict"] } });
        assertPasses(await analyzer.analyzeStack([project(policy("head")), gitApp]), "argocd-source-integrity");
        assertPasses(await analyzer.analyzeStack([project({ signatureKeys: [{ keyID: KEY }] }), gitApp]), "argocd-source-integrity");
    });
});
