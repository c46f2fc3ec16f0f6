/** argocd-chart-no-plaintext-credentials (policies/rules/argocd/chart-no-plaintext-credentials.ts): passing and violating resources, through the analyzer gRPC server. */
import * as assert from "assert";
import { PolicyAnalyzer } from "../../../../tools/policy-analyzer";
import { argoChart, assertPasses, assertViolates, configure, hardenedArgoValues, k8s, sharedAnalyzer } from "../../support";

describe("argocd-chart-no-plaintext-credentials", function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    before(async () => {
        analyzer = await sharedAnalyzer();
    });
    beforeEach(() => configure());

    it("reports repository credentials and a plaintext admin password, accepts a bcrypt hash", async () => {
        const bcryptjs = await import("bcryptjs");
        const hash = bcryptjs.hashSync("canary-admin", 4);
        assertPasses(await analyzer.analyze(argoChart({ ...hardenedArgoValues, configs: { ...hardenedArgoValues.configs, secret: { argocdServerAdminPassword: hash }, repositories: { charts: { url: "https://github.com/acme-platform/charts", type: "git" } } } })), "argocd-chart-no-plaintext-credentials");
        const bad = argoChart({ configs: { secret: { argocdServerAdminPassword: "canary-admin" }, repositories: { private: { url: "https://github.com/acme-platform/private", password: "canary" } }, credentialTemplates: { ssh: { url: "git@github.com:acme-platform", sshPrivateKey: "canary" } } } });
        const d = assertViolates(await analyzer.analyze(bad), "argocd-chart-no-plaintext-credentials");
        for (const m of [/configs\.repositories\.private\.password/, /configs\.credentialTemplates\.ssh\.sshPrivateKey/, /argocdServerAdminPassword is not a bcrypt hash/]) {
            assert.match(d.message, m);
        }
        assert.ok(!d.message.includes("canary-admin"));
    });
    it("judges the argocd-secret and the Argo CD Secrets a chart or manifest renders", async () => {
        const bcryptjs = await import("bcryptjs");
        const b64 = (v: string) => Buffer.from(v).toString("base64");
        const chartParent = "urn:pulumi:test::gitops-platform::kubernetes:helm.sh/v4:Chart::argo-cd";
        const argocdSecret = (password: string) =>
            k8s({ apiVersion: "v1", kind: "Secret", metadata: { name: "argocd-secret", namespace: "argocd" }, data: { "admin.password": b64(password) } }, { parent: chartParent, options: { additionalSecretOutputs: ["data"] } });
        const d = assertViolates(await analyzer.analyze(argocdSecret("canary-admin")), "argocd-chart-no-plaintext-credentials", /argocd-secret\["admin\.password"\] is not a bcrypt hash — in Secret argocd\/argocd-secret, rendered by Chart "argo-cd"/);
        assert.ok(!d.message.includes("canary-admin"));
        assertPasses(await analyzer.analyze(argocdSecret(bcryptjs.hashSync("canary-admin", 4))), "argocd-chart-no-plaintext-credentials");
        const repo = (parent?: string) =>
            k8s({ apiVersion: "v1", kind: "Secret", metadata: { name: "private-repo", namespace: "argocd", labels: { "argocd.argoproj.io/secret-type": "repository" } }, stringData: { url: "https://github.com/acme-platform/private", password: "canary-repo-password" } }, { ...(parent ? { parent } : {}), options: { additionalSecretOutputs: ["data", "stringData"] } });
        assertViolates(await analyzer.analyze(repo("urn:pulumi:test::gitops-platform::kubernetes:yaml/v2:ConfigGroup::argocd-install")), "argocd-chart-no-plaintext-credentials", /password holds a credential — in Secret argocd\/private-repo, rendered by ConfigGroup "argocd-install"/);
        // Declared by Pulumi from a Pulumi secret (the program's own cluster Secrets): not plaintext at rest.
        assertPasses(await analyzer.analyze(repo()), "argocd-chart-no-plaintext-credentials");
    });
});
