/** kubernetes-secret-protected (policies/rules/secrets/kubernetes-secret-protected.ts): passing and violating resources, through the analyzer gRPC server. */
import * as assert from "assert";
import { PolicyAnalyzer } from "../../../../tools/policy-analyzer";
import { assertPasses, assertViolates, configure, k8s, sharedAnalyzer } from "../../support";

describe("kubernetes-secret-protected", function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    before(async () => {
        analyzer = await sharedAnalyzer();
    });
    beforeEach(() => configure());

    const secret = (extra = {}) => k8s({ apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, stringData: { password: "canary" } }, extra);
    it("passes Secrets whose data is marked secret and reports unmarked ones", async () => {
        assertPasses(await analyzer.analyze(secret({ options: { additionalSecretOutputs: ["data", "stringData"] } })), "kubernetes-secret-protected");
        assertViolates(await analyzer.analyze(secret()), "kubernetes-secret-protected", /stringData is not marked secret/);
    });
    it("reports any Secret with data under a provider that renders YAML to a directory", async () => {
        const provider = { urn: "urn:pulumi:local::p::pulumi:providers:kubernetes::local", type: "pulumi:providers:kubernetes", name: "local", properties: { renderYamlToDirectory: "out/manifests" } };
        assertViolates(await analyzer.analyze(secret({ provider, options: { additionalSecretOutputs: ["data", "stringData"] } })), "kubernetes-secret-protected", /renders YAML to a directory/);
    });
    it("reports a Secret with credential data that an Argo CD Application renders from Git: plaintext in Git", async () => {
        const parent = "urn:pulumi:dev::gitops-platform::gitops:manifests:Application::web@hub";
        const d = assertViolates(await analyzer.analyze(secret({ parent })), "kubernetes-secret-protected", /stringData\.password is in plaintext in Git \(the chart renders the Secret's data\) — in Secret s, rendered by Application "web@hub"/);
        assert.ok(!d.message.includes("canary"));
        assert.doesNotMatch(d.message, /additionalSecretOutputs/);
    });
    it("lets an Argo CD cluster Secret with only descriptive fields be rendered, not one that carries a token", async () => {
        const provider = { urn: "urn:pulumi:local::p::pulumi:providers:kubernetes::local", type: "pulumi:providers:kubernetes", name: "local", properties: { renderYamlToDirectory: "out/manifests" } };
        const cluster = (config: Record<string, unknown>) =>
            k8s(
                {
                    apiVersion: "v1",
                    kind: "Secret",
                    metadata: { name: "cluster-in-cluster", labels: { "argocd.argoproj.io/secret-type": "cluster" } },
                    stringData: { name: "in-cluster", server: "https://kubernetes.default.svc", config: JSON.stringify(config) },
                },
                { provider, options: { additionalSecretOutputs: ["data", "stringData"] } },
            );
        assertPasses(await analyzer.analyze(cluster({ tlsClientConfig: { insecure: false } })), "kubernetes-secret-protected");
        const d = assertViolates(await analyzer.analyze(cluster({ bearerToken: "canary-token", tlsClientConfig: { insecure: false } })), "kubernetes-secret-protected", /stringData\.config would be written in plaintext/);
        assert.ok(!d.message.includes("canary-token"));
    });
});
