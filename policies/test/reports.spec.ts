/** JSON and SARIF reports built from real analyzer diagnostics and the pack's metadata. */
import * as assert from "assert";
import { jsonReport, PolicyAnalyzer, sarifReport } from "../../tools/policy-analyzer";
import { configure, k8s, resource, sharedAnalyzer } from "./support";

describe("policy reports", function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    before(async () => {
        analyzer = await sharedAnalyzer();
    });
    // Pinning advisory, the rest mandatory: both levels appear in the reports.
    beforeEach(() => configure({ "helm-chart-pinned-version": "advisory" }));

    async function diagnostics() {
        const floating = resource("gitops:platform:BootstrapAddon", "cm", { chart: "cert-manager", version: "latest", repositoryOpts: { repo: "https://charts.jetstack.io" } });
        const defaultProject = k8s({ apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name: "a" }, spec: { project: "default", source: { repoURL: "https://github.com/acme-platform/x", path: "p", targetRevision: "v1.0.0" }, destination: { name: "in-cluster" } } });
        return [...(await analyzer.analyze(floating)), ...(await analyzer.analyze(defaultProject))];
    }

    it("JSON: counts by level, mandatory first, with remediation steps and URNs", async () => {
        const info = await analyzer.getAnalyzerInfo();
        const report = jsonReport(await diagnostics(), info, "dev");
        assert.strictEqual(report.policyPack.name, "gitops-platform-policies");
        assert.deepStrictEqual(report.summary, { total: 2, mandatory: 1, advisory: 1 });
        assert.strictEqual(report.violations[0].policyName, "argocd-application-no-default-project");
        assert.strictEqual(report.violations[0].urn, "urn:pulumi:test::gitops-platform::kubernetes:argoproj.io/v1alpha1:Application::a");
        assert.ok(report.violations[0].remediationSteps);
        assert.strictEqual(report.violations[1].enforcementLevel, "advisory");
    });

    it("SARIF 2.1.0: rule per policy, error/warning by level, URN as logical location plus a physical location", async () => {
        const info = await analyzer.getAnalyzerInfo();
        const log = sarifReport(await diagnostics(), info, { stack: "dev" });
        assert.strictEqual(log.version, "2.1.0");
        const run = log.runs[0];
        const rules = run.tool.driver.rules ?? [];
        assert.deepStrictEqual(rules.map(r => r.id).sort(), info.policies.map(p => p.name).sort());
        const results = run.results ?? [];
        const byRule = Object.fromEntries(results.map(r => [r.ruleId, r]));
        assert.strictEqual(byRule["argocd-application-no-default-project"].level, "error");
        assert.strictEqual(byRule["helm-chart-pinned-version"].level, "warning");
        for (const r of results) {
            assert.strictEqual(rules[r.ruleIndex ?? -1].id, r.ruleId);
            const loc = r.locations?.[0];
            assert.strictEqual(loc?.physicalLocation?.artifactLocation?.uri, "index.ts");
            assert.strictEqual(loc?.physicalLocation?.region?.startLine, 1);
            assert.match(loc?.logicalLocations?.[0].fullyQualifiedName ?? "", /^urn:pulumi:test::gitops-platform::/);
            assert.ok(r.message.text && r.partialFingerprints);
        }
        assert.strictEqual(run.automationDetails?.id, "pulumi-policy/dev/");
    });
});
