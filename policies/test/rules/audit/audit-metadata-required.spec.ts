/** audit-metadata-required (policies/rules/audit/audit-metadata-required.ts): passing and violating resources, through the analyzer gRPC server. */
import * as assert from "assert";
import { PolicyAnalyzer } from "../../../../tools/policy-analyzer";
import { assertPasses, assertViolates, commit, configure, k8s, resource, sharedAnalyzer } from "../../support";

describe("audit-metadata-required", function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    before(async () => {
        analyzer = await sharedAnalyzer();
    });
    beforeEach(() => configure());

    it("passes labelled objects and reports missing labels and malformed commits", async () => {
        assertPasses(await analyzer.analyze(k8s({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: {} })), "audit-metadata-required");
        const bare = resource("kubernetes:core/v1:ConfigMap", "c", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", labels: { "gitops.platform/git-commit": "main" } } });
        const d = assertViolates(await analyzer.analyze(bare), "audit-metadata-required", /missing "app.kubernetes.io\/managed-by"/);
        assert.match(d.message, /git-commit"\] is "main", expected a 40-hex/);
    });
    it("accepts `unknown` as commit only where configured (local)", async () => {
        const unknownCommit = k8s({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", labels: { "gitops.platform/git-commit": "unknown" } } });
        assertViolates(await analyzer.analyze(unknownCommit), "audit-metadata-required", /40-hex/);
        await configure({ "audit-metadata-required": { allowUnknownGitCommit: true } });
        assertPasses(await analyzer.analyze(unknownCommit), "audit-metadata-required");
    });
    it("checks AWS tags, counting the provider's defaultTags", async () => {
        const bucket = resource("aws:s3/bucket:Bucket", "b", { bucket: "b" });
        assertViolates(await analyzer.analyze(bucket), "audit-metadata-required", /tags is missing "managed-by"/);
        const tags = { "managed-by": "pulumi", stack: "prod", project: "gitops-platform", owner: "platform", "git-commit": commit };
        const provider = { urn: "urn:pulumi:test::p::pulumi:providers:aws::aws", type: "pulumi:providers:aws", name: "aws", properties: { defaultTags: JSON.stringify({ tags }) } };
        assertPasses(await analyzer.analyze({ ...bucket, provider }), "audit-metadata-required");
    });
    it("the remediate level adds the missing labels it has values for", async () => {
        await configure({ "audit-metadata-required": { enforcementLevel: "remediate", remediationValues: { "app.kubernetes.io/managed-by": "pulumi", "gitops.platform/owner": "platform-team" } } });
        const bare = resource("kubernetes:core/v1:ConfigMap", "c", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", labels: { keep: "me" } } });
        const [r] = await analyzer.remediate(bare);
        assert.strictEqual(r.policyName, "audit-metadata-required");
        assert.deepStrictEqual((r.properties?.metadata as { labels: object }).labels, { keep: "me", "app.kubernetes.io/managed-by": "pulumi", "gitops.platform/owner": "platform-team" });
    });
});
