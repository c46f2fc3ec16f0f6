/** argocd-install-hardened (policies/rules/argocd/install-hardened.ts): passing and violating resources, through the analyzer gRPC server. */
import * as assert from "assert";
import { PolicyAnalyzer } from "../../../../tools/policy-analyzer";
import { argoChart, assertPasses, assertViolates, configure, hardenedArgoValues, k8s, sharedAnalyzer } from "../../support";

describe("argocd-install-hardened", function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    before(async () => {
        analyzer = await sharedAnalyzer();
    });
    beforeEach(() => configure());

    it("passes a hardened argo-cd chart", async () => {
        assertPasses(await analyzer.analyze(argoChart(hardenedArgoValues)), "argocd-install-hardened");
    });
    it("reports anonymous, admin left on by default, exec, insecure, admin RBAC default and no audit sink", async () => {
        const d = assertViolates(await analyzer.analyze(argoChart({ configs: { cm: { "users.anonymous.enabled": "true", "exec.enabled": true }, params: { "server.insecure": true }, rbac: { "policy.default": "role:admin" } } })), "argocd-install-hardened");
        for (const m of [/anonymous/, /admin\.enabled"\] is not false/, /exec\.enabled/, /server\.insecure/, /role:admin/, /no audit sink/]) {
            assert.match(d.message, m);
        }
    });
    it("allows admin where configured (local)", async () => {
        await configure({ "argocd-install-hardened": { allowAdmin: true } });
        const values = { ...hardenedArgoValues, configs: { ...hardenedArgoValues.configs, cm: { "exec.enabled": false } } };
        assertPasses(await analyzer.analyze(argoChart(values)), "argocd-install-hardened");
    });
    // What reaches the cluster: the objects a raw Chart, a ConfigGroup of the install manifests or a plain resource registers.
    const chartParent = "urn:pulumi:test::gitops-platform::kubernetes:helm.sh/v4:Chart::argo-cd";
    const configMap = (name: string, data: Record<string, string>, parent?: string) =>
        k8s({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "argocd" }, data }, parent ? { parent } : {});
    it("judges the rendered argocd-cm, argocd-cmd-params-cm, argocd-rbac-cm and the server's flags, naming the object and its Chart", async () => {
        const cm = assertViolates(await analyzer.analyze(configMap("argocd-cm", { "users.anonymous.enabled": "true", "admin.enabled": "false" }, chartParent)), "argocd-install-hardened");
        assert.strictEqual(cm.message.split("\n").pop(), 'argocd-cm["users.anonymous.enabled"] is true (anonymous access) — in ConfigMap argocd/argocd-cm, rendered by Chart "argo-cd"');
        assertViolates(await analyzer.analyze(configMap("argocd-cm", { "exec.enabled": "true" })), "argocd-install-hardened", /admin\.enabled"\] is not false.*exec\.enabled.* — in ConfigMap argocd\/argocd-cm$/);
        assertViolates(await analyzer.analyze(configMap("argocd-cmd-params-cm", { "server.insecure": "true" })), "argocd-install-hardened", /server\.insecure/);
        assertViolates(await analyzer.analyze(configMap("argocd-rbac-cm", { "policy.default": "role:admin" })), "argocd-install-hardened", /role:admin/);
        assertViolates(await analyzer.analyze(configMap("argocd-notifications-cm", {})), "argocd-install-hardened", /no audit sink/);
        const server = k8s({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "argocd-server", namespace: "argocd" }, spec: { template: { spec: { containers: [{ name: "argocd-server", image: "quay.io/argoproj/argocd:v3.6.1", args: ["/usr/local/bin/argocd-server", "--insecure"] }] } } } });
        assertViolates(await analyzer.analyze(server), "argocd-install-hardened", /argocd-server runs with --insecure/);
        for (const ok of [configMap("argocd-cm", { "admin.enabled": "false", "users.anonymous.enabled": "false" }), configMap("argocd-rbac-cm", { "policy.default": "role:readonly" }), configMap("argocd-notifications-cm", { "service.slack": "token: $slack-token" }), configMap("other-cm", { "users.anonymous.enabled": "true" })]) {
            assertPasses(await analyzer.analyze(ok), "argocd-install-hardened");
        }
    });
    it("finds the same problem in the same words in chart values and in the object they render", async () => {
        const values = { ...hardenedArgoValues, configs: { ...hardenedArgoValues.configs, cm: { "admin.enabled": false, "users.anonymous.enabled": true } } };
        const fromValues = assertViolates(await analyzer.analyze(argoChart(values)), "argocd-install-hardened");
        const fromObject = assertViolates(await analyzer.analyze(configMap("argocd-cm", { "admin.enabled": "false", "users.anonymous.enabled": "true" }, chartParent)), "argocd-install-hardened");
        const problem = (m: string) => (m.split("\n").pop() ?? "").split(" — in ")[0];
        assert.strictEqual(problem(fromValues.message), problem(fromObject.message));
        assert.match(fromValues.message, / — in the argo-cd chart values of ArgoCd "argo-cd"$/);
    });
});
