/** argocd-rbac-tenancy (policies/rules/argocd/rbac-tenancy.ts): passing and violating resources, through the analyzer gRPC server. */
import * as assert from "assert";
import { PolicyAnalyzer } from "../../../../tools/policy-analyzer";
import { argoChart, assertPasses, assertViolates, configure, hardenedArgoValues, k8s, sharedAnalyzer } from "../../support";

describe("argocd-rbac-tenancy", function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    before(async () => {
        analyzer = await sharedAnalyzer();
    });
    beforeEach(() => configure());

    const project = (spec: Record<string, unknown>, owner = "hello-team") =>
        k8s({ apiVersion: "argoproj.io/v1alpha1", kind: "AppProject", metadata: { name: "team-hello", namespace: "argocd", labels: { "gitops.platform/owner": owner } }, spec });
    const deployer = { name: "deployer", groups: ["hello-team"], policies: ["p, proj:team-hello:deployer, applications, sync, team-hello/*, allow", "p, proj:team-hello:deployer, applications, action/apps/Deployment/restart, team-hello/*, allow"] };
    it("passes a team project with its own destinations and roles on its own applications", async () => {
        assertPasses(await analyzer.analyze(project({ destinations: [{ name: "in-cluster", namespace: "hello" }], clusterResourceWhitelist: [{ group: "", kind: "Namespace" }], roles: [deployer] })), "argocd-rbac-tenancy");
        // The platform's own project may do what a team's may not.
        assertPasses(await analyzer.analyze(project({ destinations: [{ name: "in-cluster", namespace: "argocd" }], clusterResourceWhitelist: [{ group: "rbac.authorization.k8s.io", kind: "ClusterRole" }] }, "platform-team")), "argocd-rbac-tenancy");
    });
    it("reports a team project in Argo CD's namespace, with cluster-access kinds, exec, other projects and injected group names", async () => {
        const d = assertViolates(await analyzer.analyze(project({
            destinations: [{ name: "in-cluster", namespace: "argocd" }],
            clusterResourceWhitelist: [{ group: "rbac.authorization.k8s.io", kind: "ClusterRoleBinding" }, { group: "apiextensions.k8s.io", kind: "CustomResourceDefinition" }],
            roles: [{ name: "r", groups: ["hello-team\ng, hello-team, role:admin"], policies: ["p, proj:team-hello:r, exec, create, team-hello/*, allow", "p, proj:team-hello:r, applications, sync, other/*, allow", "p, proj:team-hello:r, clusters, get, *, allow"] }],
        })), "argocd-rbac-tenancy");
        for (const m of [/namespace is argocd/, /ClusterRoleBinding/, /CustomResourceDefinition/, /groups\[0\] is not a plain group name/, /grants exec/, /reaches other\/\*/, /grants clusters/]) assert.match(d.message, m);
    });
    it("reports argocd-rbac-cm lines that make a non-platform group admin or are not policy lines, in the object and in chart values", async () => {
        const rbacCm = k8s({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "argocd-rbac-cm", namespace: "argocd" }, data: { "policy.csv": "g, platform-team, role:admin\ng, hello-team, role:admin\ng, broken" } });
        const d = assertViolates(await analyzer.analyze(rbacCm), "argocd-rbac-tenancy", /line 2 makes a group admin/);
        assert.match(d.message, /line 3 is not a policy line/);
        assertViolates(await analyzer.analyze(argoChart({ ...hardenedArgoValues, configs: { ...hardenedArgoValues.configs, rbac: { "policy.csv": "g, hello-team, role:admin" } } })), "argocd-rbac-tenancy", /line 1 makes a group admin.* — in the argo-cd chart values/);
        assertPasses(await analyzer.analyze(argoChart({ ...hardenedArgoValues, configs: { ...hardenedArgoValues.configs, rbac: { "policy.csv": "g, platform-team, role:admin\ng, hello-team, role:readonly" } } })), "argocd-rbac-tenancy");
    });
});
