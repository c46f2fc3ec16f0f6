/** stack-outputs-secret-safe (policies/rules/stack/outputs-secret-safe.ts): passing and violating resources, through the analyzer gRPC server. */
import * as assert from "assert";
import { PolicyAnalyzer } from "../../../../tools/policy-analyzer";
import { assertPasses, assertViolates, configure, k8s, resource, sharedAnalyzer } from "../../support";

describe("stack-outputs-secret-safe", function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    before(async () => {
        analyzer = await sharedAnalyzer();
    });
    beforeEach(() => configure());

    const stack = (outputs: Record<string, unknown>) => resource("pulumi:pulumi:Stack", "gitops-platform-test", outputs);
    const dbSecret = k8s({ apiVersion: "v1", kind: "Secret", metadata: { name: "db" }, stringData: { password: "canary-db-password" } }, { options: { additionalSecretOutputs: ["data", "stringData"] } });
    it("reports outputs carrying a secret field's value or a token, unless declared secret", async () => {
        const diags = await analyzer.analyzeStack([dbSecret, stack({ dbUrl: "postgres://app@db:5432/?password=canary-db-password", argocdUrl: "https://argocd.example.com" })]);
        const d = assertViolates(diags, "stack-outputs-secret-safe", /stack output dbUrl carries a value held in a secret field/);
        assert.strictEqual(d.urn, "urn:pulumi:test::gitops-platform::pulumi:pulumi:Stack::gitops-platform-test");
        assert.ok(!diags.some(x => /argocdUrl/.test(x.message)));
        await configure({ "stack-outputs-secret-safe": { secretOutputs: ["dbUrl"] } });
        assertPasses(await analyzer.analyzeStack([dbSecret, stack({ dbUrl: "postgres://app@db:5432/?password=canary-db-password" })]), "stack-outputs-secret-safe");
    });
    it("does not count the descriptive fields of an Argo CD cluster Secret (its name, its server) as secret", async () => {
        const clusterSecret = k8s(
            {
                apiVersion: "v1",
                kind: "Secret",
                metadata: { name: "cluster-prod-eu", labels: { "argocd.argoproj.io/secret-type": "cluster" } },
                stringData: { name: "prod-eu-central-1", server: "https://kubernetes.default.svc", config: JSON.stringify({ bearerToken: "canary-bearer-token" }) },
                // The config entry holds a credential, so the whole entry is secret; name and server are not.
            },
            { options: { additionalSecretOutputs: ["data", "stringData"] } },
        );
        const clusterConfig = JSON.stringify({ bearerToken: "canary-bearer-token" });
        const diags = await analyzer.analyzeStack([clusterSecret, stack({ clusterName: "prod-eu-central-1", clusterConfig })]);
        const d = assertViolates(diags, "stack-outputs-secret-safe", /stack output clusterConfig carries a value held in a secret field/);
        assert.ok(!/clusterName/.test(d.message), d.message);
    });
});
