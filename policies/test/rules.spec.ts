/**
 * Every rule with passing and violating resources, run through the real analyzer: the pack is started the way
 * the Pulumi CLI starts it and driven over gRPC with the engine's protobuf messages.
 */
import * as assert from "assert";
import { PolicyAnalyzer, PolicyPackConfig, startPolicyAnalyzer } from "../../tools/policy-analyzer";
import { assertPasses, assertViolates, commit, k8s, packDir, resource } from "./support";

const app = (spec: Record<string, unknown>, name = "app") =>
    k8s({ apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name, namespace: "argocd" }, spec });
const appSet = (spec: Record<string, unknown>) =>
    k8s({ apiVersion: "argoproj.io/v1alpha1", kind: "ApplicationSet", metadata: { name: "addons", namespace: "argocd" }, spec: { generators: [], template: { metadata: { name: "{{name}}" }, spec } } });
const dest = { server: "https://kubernetes.default.svc", namespace: "apps" };
const gitSource = (targetRevision?: string) => ({ repoURL: "https://github.com/acme-platform/gitops-platform.git", path: "charts/web", targetRevision });
const chartSource = (targetRevision: string) => ({ repoURL: "https://charts.jetstack.io", chart: "cert-manager", targetRevision });
const deployment = (podSpec: Record<string, unknown>) =>
    k8s({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "apps" }, spec: { template: { spec: podSpec } } });
const safeContext = { runAsNonRoot: true, allowPrivilegeEscalation: false };
// Charts are judged through the component that owns them (a helm v4 Chart shows the engine no inputs).
const chart = (props: Record<string, unknown>, extra = {}) =>
    resource(props.chart === "argo-cd" ? "gitops:platform:ArgoCd" : "gitops:platform:BootstrapAddon", String(props.chart ?? "chart"), { namespace: "argocd", ...props }, extra);
const hardenedArgoValues = {
    configs: {
        cm: { "admin.enabled": false, "exec.enabled": false, "users.anonymous.enabled": false },
        params: { "server.insecure": false },
        rbac: { "policy.default": "role:readonly" },
    },
    notifications: { enabled: true, notifiers: { "service.slack": "token: $slack-token" } },
};
const argoChart = (values: Record<string, unknown>, extra = {}) =>
    chart({ chart: "argo-cd", version: "10.1.1", repositoryOpts: { repo: "https://argoproj.github.io/argo-helm" }, values }, extra);

describe("policy pack rules (through the analyzer gRPC server)", function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    const configure = (config: PolicyPackConfig = {}) => analyzer.configure({ all: "mandatory", ...config }, "test config");

    before(async () => {
        analyzer = await startPolicyAnalyzer(packDir);
    });
    after(async () => analyzer?.close());
    beforeEach(() => configure());

    it("serves every rule with a unique kebab-case name, a description, severity and remediation steps", async () => {
        const info = await analyzer.getAnalyzerInfo();
        assert.strictEqual(info.name, "gitops-platform-policies");
        const names = info.policies.map(p => p.name);
        assert.strictEqual(new Set(names).size, names.length);
        assert.ok(names.length >= 17);
        for (const p of info.policies) {
            assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
            assert.ok(p.description && p.severity && p.remediationSteps && p.url, `${p.name} lacks metadata`);
        }
    });

    describe("audit-metadata-required", () => {
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

    describe("argocd-source-pinned", () => {
        it("passes exact chart versions, tags and commits", async () => {
            for (const source of [chartSource("1.16.2"), gitSource("v1.4.0"), gitSource(commit)]) {
                assertPasses(await analyzer.analyze(app({ project: "platform", source, destination: dest })), "argocd-source-pinned");
            }
        });
        it("reports HEAD, branches, ranges, * and latest", async () => {
            const cases: [Record<string, unknown>, RegExp][] = [
                [gitSource("HEAD"), /tracks HEAD/], [gitSource(undefined), /HEAD/], [gitSource("main"), /branch/],
                [chartSource("1.x"), /range/], [chartSource("*"), /floats/], [chartSource("latest"), /floats/], [chartSource("^1.2.0"), /range/],
            ];
            for (const [source, reason] of cases) {
                assertViolates(await analyzer.analyze(app({ project: "platform", source, destination: dest })), "argocd-source-pinned", reason);
            }
            assertViolates(await analyzer.analyze(appSet({ project: "platform", sources: [chartSource("1.16.2"), gitSource("main")], destination: dest })), "argocd-source-pinned", /spec\.template\.spec\.sources\[1\]/);
        });
        it("allows branch tracking where configured (dev) but still no chart ranges", async () => {
            await configure({ "argocd-source-pinned": { allowBranchTracking: true } });
            assertPasses(await analyzer.analyze(app({ project: "platform", source: gitSource("main"), destination: dest })), "argocd-source-pinned");
            assertViolates(await analyzer.analyze(app({ project: "platform", source: chartSource("*"), destination: dest })), "argocd-source-pinned");
        });
    });

    describe("argocd-source-path-in-repository", () => {
        it("passes paths inside the repository and reports absolute ones and '..' in Applications and ApplicationSets", async () => {
            for (const path of ["charts/hello-service", "apps"]) {
                assertPasses(await analyzer.analyze(app({ project: "platform", source: { ...gitSource("v1.0.0"), path }, destination: dest })), "argocd-source-path-in-repository");
            }
            assertViolates(await analyzer.analyze(app({ project: "platform", source: { ...gitSource("v1.0.0"), path: "../../etc" }, destination: dest })), "argocd-source-path-in-repository", /spec\.source\.path "\.\.\/\.\.\/etc" climbs out/);
            assertViolates(await analyzer.analyze(app({ project: "platform", sources: [gitSource("v1.0.0"), { ...gitSource("v1.0.0"), path: "/etc" }], destination: dest })), "argocd-source-path-in-repository", /spec\.sources\[1\]\.path "\/etc" is absolute/);
            assertViolates(await analyzer.analyze(appSet({ project: "platform", source: { ...gitSource("v1.0.0"), path: "charts/../../x" }, destination: dest })), "argocd-source-path-in-repository", /spec\.template\.spec\.source\.path/);
        });
    });

    describe("argocd-source-allowed-repository", () => {
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

    describe("argocd-application-no-default-project and argocd-appproject-restricted", () => {
        it("reports the default project", async () => {
            assertViolates(await analyzer.analyze(app({ project: "default", source: gitSource("v1.0.0"), destination: dest })), "argocd-application-no-default-project", /default project/);
            assertPasses(await analyzer.analyze(app({ project: "platform", source: gitSource("v1.0.0"), destination: dest })), "argocd-application-no-default-project");
        });
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

    describe("argocd-automated-sync", () => {
        it("is quiet unless required, then requires automated prune and selfHeal", async () => {
            const manual = app({ project: "platform", source: gitSource("v1.0.0"), destination: dest });
            assertPasses(await analyzer.analyze(manual), "argocd-automated-sync");
            await configure({ "argocd-automated-sync": { requireAutomatedSync: true } });
            assertViolates(await analyzer.analyze(manual), "argocd-automated-sync", /automated is not set/);
            assertViolates(await analyzer.analyze(app({ project: "platform", source: gitSource("v1.0.0"), destination: dest, syncPolicy: { automated: { prune: true } } })), "argocd-automated-sync", /selfHeal is not true/);
            assertPasses(await analyzer.analyze(app({ project: "platform", source: gitSource("v1.0.0"), destination: dest, syncPolicy: { automated: { prune: true, selfHeal: true } } })), "argocd-automated-sync");
        });
    });

    describe("argocd-application-fields-exclusive", () => {
        it("requires exactly one of chart/path and server/name", async () => {
            assertPasses(await analyzer.analyze(app({ project: "platform", sources: [chartSource("1.0.0"), { repoURL: "https://github.com/acme-platform/values.git", targetRevision: "v1.0.0", ref: "values" }], destination: dest })), "argocd-application-fields-exclusive");
            assertViolates(await analyzer.analyze(app({ project: "platform", source: { ...gitSource("v1.0.0"), chart: "x" }, destination: { ...dest, name: "in-cluster" } })), "argocd-application-fields-exclusive", /both chart and path.*both server and name/);
            assertViolates(await analyzer.analyze(app({ project: "platform", source: gitSource("v1.0.0"), destination: { namespace: "x" } })), "argocd-application-fields-exclusive", /neither server nor name/);
        });
    });

    describe("helm-chart-pinned-version and helm-chart-allowed-repository", () => {
        it("judges charts through their component: a helm v4 Chart as the engine shows it (no inputs) draws no finding", async () => {
            // Before: every real preview flagged `chart ""` on every Chart (mandatory in staging and prod).
            const asTheEngineShowsIt = resource("kubernetes:helm.sh/v4:Chart", "argocd", {});
            assert.deepStrictEqual(await analyzer.analyze(asTheEngineShowsIt), []);
            assertViolates(await analyzer.analyze(chart({ chart: "cert-manager", version: "*", repositoryOpts: { repo: "https://charts.jetstack.io" } })), "helm-chart-pinned-version", /./);
        });

        it("passes exact versions from allowed repositories, including OCI and v3 Releases", async () => {
            const ok = chart({ chart: "external-secrets", version: "0.14.4", repositoryOpts: { repo: "https://charts.external-secrets.io" } });
            const oci = chart({ chart: "oci://111122223333.dkr.ecr.eu-west-1.amazonaws.com/charts/web", version: "1.2.3" });
            await configure({ "helm-chart-allowed-repository": { allowedRepositories: ["https://charts.external-secrets.io", "oci://111122223333.dkr.ecr.eu-west-1.amazonaws.com/**"] } });
            for (const r of [ok, oci, resource("kubernetes:helm.sh/v3:Release", "r", { chart: "external-secrets", version: "0.14.4", repositoryOpts: { repo: "https://charts.external-secrets.io" } })]) {
                const d = await analyzer.analyze(r);
                assertPasses(d, "helm-chart-pinned-version");
                assertPasses(d, "helm-chart-allowed-repository");
            }
        });
        it("reports missing, latest and range versions and other repositories", async () => {
            for (const [version, reason] of [[undefined, /no version/], ["latest", /floats/], ["~1.2.0", /range/], [">=1.0.0", /range/]] as const) {
                assertViolates(await analyzer.analyze(chart({ chart: "cert-manager", version, repositoryOpts: { repo: "https://charts.jetstack.io" } })), "helm-chart-pinned-version", reason);
            }
            assertViolates(await analyzer.analyze(chart({ chart: "x", version: "1.0.0", repositoryOpts: { repo: "https://charts.example.com" } })), "helm-chart-allowed-repository", /charts\.example\.com/);
            assertViolates(await analyzer.analyze(resource("kubernetes:helm.sh/v3:Release", "r", { chart: "x", version: "1.0.0" })), "helm-chart-allowed-repository", /names no repository/);
        });
    });

    describe("argocd-install-hardened", () => {
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

    describe("argocd-rbac-tenancy", () => {
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

    describe("argocd-protected-on-delete", () => {
        it("requires protect on the Argo CD namespace, CRDs and chart only where configured (prod)", async () => {
            const ns = k8s({ apiVersion: "v1", kind: "Namespace", metadata: { name: "argocd" } });
            const crd = k8s({ apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: "applications.argoproj.io" }, spec: { group: "argoproj.io" } });
            assertPasses(await analyzer.analyze(ns), "argocd-protected-on-delete");
            await configure({ "argocd-protected-on-delete": { required: true } });
            assertViolates(await analyzer.analyze(ns), "argocd-protected-on-delete", /namespace "argocd" is not protected/);
            assertViolates(await analyzer.analyze(crd), "argocd-protected-on-delete", /applications\.argoproj\.io/);
            assertViolates(await analyzer.analyze(argoChart(hardenedArgoValues)), "argocd-protected-on-delete", /argo-cd chart/);
            assertPasses(await analyzer.analyze({ ...ns, options: { protect: true } }), "argocd-protected-on-delete");
            assertPasses(await analyzer.analyze(k8s({ apiVersion: "v1", kind: "Namespace", metadata: { name: "apps" } })), "argocd-protected-on-delete");
        });
    });

    describe("no-secret-literals", () => {
        // Canaries: shaped like real credentials so secretlint fires, never real.
        const githubToken = "ghp_" + "Zq3canary0TOKEN0value0for0tests0x1Y2";
        const slackToken = "xoxb-" + "123456789012-1234567890123-canaryCANARYcanaryCANARY";
        it("reports tokens in ConfigMaps, annotations and env, without echoing them", async () => {
            const cm = k8s({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", annotations: { "notify/hook": slackToken } }, data: { "config.yaml": `github:\n  auth: ${githubToken}\n` } });
            const d = assertViolates(await analyzer.analyze(cm), "no-secret-literals", /data\["config\.yaml"\].*github/);
            assert.match(d.message, /annotations\["notify\/hook"\].*slack/);
            assert.ok(!d.message.includes(githubToken.slice(4)) && !d.message.includes(slackToken.slice(5)), "message must not contain the secret");
            const env = deployment({ securityContext: { runAsNonRoot: true }, containers: [{ name: "web", image: "web:1.0.0", env: [{ name: "DB_PASSWORD", value: "canary-hunter2-canary" }] }] });
            assertViolates(await analyzer.analyze(env), "no-secret-literals", /env\[0\]\.value \(key "DB_PASSWORD" names a credential\)/);
        });
        it("reports a token used as a key, naming its parent and never the token", async () => {
            const cm = k8s({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { [githubToken]: "enabled" } });
            const d = assertViolates(await analyzer.analyze(cm), "no-secret-literals", /data: a key \((secretlint github|shape)/);
            assert.ok(!d.message.includes(githubToken.slice(4)), "message must not contain the secret");
            const values = chart({ chart: "web", version: "1.0.0", repositoryOpts: { repo: "https://charts.example.com" }, values: { auth: { [slackToken]: true } } });
            assert.ok(!assertViolates(await analyzer.analyze(values), "no-secret-literals", /values\.auth: a key/).message.includes(slackToken.slice(5)));
        });
        it("reports numeric passwords and credentials under well-known env names (PGPASSWORD, MYSQL_PWD, SENTRY_DSN)", async () => {
            const numeric = k8s({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: {}, spec: { db: { password: 12345678 } } });
            assertViolates(await analyzer.analyze(numeric), "no-secret-literals", /spec\.db\.password \(key "password" names a credential\)/);
            const env = deployment({ securityContext: { runAsNonRoot: true }, containers: [{ name: "web", image: "web:1.0.0", env: [{ name: "PGPASSWORD", value: "canary-pg" }, { name: "MYSQL_PWD", value: 31337 }, { name: "SENTRY_DSN", value: "https://abc@o1.ingest.sentry.io/1" }, { name: "LOG_LEVEL", value: "debug" }] }] });
            const d = assertViolates(await analyzer.analyze(env), "no-secret-literals");
            for (const name of ["PGPASSWORD", "MYSQL_PWD", "SENTRY_DSN"]) assert.match(d.message, new RegExp(`key "${name}" names a credential`));
            assert.doesNotMatch(d.message, /LOG_LEVEL/);
            // Numbers under other names stay numbers: replicas, ports, TTLs.
            assertPasses(await analyzer.analyze(k8s({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: {}, spec: { replicas: 3, tokenTTL: 3600, passwordMinLength: 12 } })), "no-secret-literals");
        });
        it("reports credentials in Argo CD Helm parameters and values", async () => {
            const a = app({ project: "platform", destination: dest, source: { ...chartSource("1.0.0"), helm: { parameters: [{ name: "auth.apiToken", value: "canary-value-123" }], values: "db:\n  url: https://admin:s3cr3tCanaryPass@db.example.com/app\n" } } });
            const d = assertViolates(await analyzer.analyze(a), "no-secret-literals", /parameters\[0\]\.value/);
            assert.match(d.message, /helm\.values\.db\.url \(secretlint basicauth\)/);
        });
        it("reports credential shapes secretlint misses in a bare value (AWS key ID, JWT, Stripe, PEM, Vault, Docker, Azure, SendGrid)", async () => {
            // Each built from two parts, so this file holds no literal a scanner would flag.
            const shapes: Record<string, string> = {
                "aws-access-key-id": "AKIA" + "Q7X3CANARY7QZ3Q7",
                jwt: "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiJjYW5hcnkifQ.c2lnbmF0dXJlLWNhbmFyeQ",
                stripe: "sk_live_" + "CANARYq7x3q7x3q7x3q7x3",
                "private-key": "-----BEGIN " + "PRIVATE KEY-----\nMIIEcanary\n-----END PRIVATE KEY-----",
                "vault-token": "hvs." + "CANARYq7x3q7x3q7x3q7x3q7",
                "docker-pat": "dckr_pat_" + "CANARYq7x3q7x3q7x3q7",
                "azure-storage-key": "AccountName=a;" + "AccountKey=" + "CANARYq7x3q7x3q7x3q7x3q7x3q7==",
                sendgrid: "SG." + "CANARYq7x3q7x3q7x3.CANARYq7x3q7x3q7x3q7x3",
            };
            for (const [shape, value] of Object.entries(shapes)) {
                const cm = k8s({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { note: value } });
                const d = assertViolates(await analyzer.analyze(cm), "no-secret-literals", new RegExp(`data\\.note \\(shape ${shape}\\)`));
                assert.ok(!d.message.includes("CANARY"), "message must not contain the secret");
            }
        });
        it("passes references to secrets and fields marked secret", async () => {
            const env = deployment({ containers: [{ name: "web", image: "web:1.0.0", env: [{ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } }, { name: "LOG_LEVEL", value: "info" }] }] });
            assertPasses(await analyzer.analyze(env), "no-secret-literals");
            assertPasses(await analyzer.analyze(chart({ chart: "x", version: "1.0.0", values: { existingSecret: "db-credentials", auth: { passwordSecretName: "db" } } })), "no-secret-literals");
            const marked = resource("kubernetes:core/v1:ConfigMap", "c", { data: { token: "canary-value-123" } }, { options: { additionalSecretOutputs: ["data"] } });
            assertPasses(await analyzer.analyze(marked), "no-secret-literals");
        });
    });

    describe("kubernetes-secret-protected", () => {
        const secret = (extra = {}) => k8s({ apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, stringData: { password: "canary" } }, extra);
        it("passes Secrets whose data is marked secret and reports unmarked ones", async () => {
            assertPasses(await analyzer.analyze(secret({ options: { additionalSecretOutputs: ["data", "stringData"] } })), "kubernetes-secret-protected");
            assertViolates(await analyzer.analyze(secret()), "kubernetes-secret-protected", /stringData is not marked secret/);
        });
        it("reports any Secret with data under a provider that renders YAML to a directory", async () => {
            const provider = { urn: "urn:pulumi:local::p::pulumi:providers:kubernetes::local", type: "pulumi:providers:kubernetes", name: "local", properties: { renderYamlToDirectory: "out/manifests" } };
            assertViolates(await analyzer.analyze(secret({ provider, options: { additionalSecretOutputs: ["data", "stringData"] } })), "kubernetes-secret-protected", /renders YAML to a directory/);
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

    describe("argocd-chart-no-plaintext-credentials", () => {
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

    describe("stack-outputs-secret-safe", () => {
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

    describe("container-image-pinned", () => {
        it("passes exact tags and digests, reports latest and missing tags", async () => {
            const digest = "registry.example.com/web@sha256:" + "a".repeat(64);
            for (const image of ["nginx:1.27.3", digest, "localhost:5000/web:2.0.1"]) {
                assertPasses(await analyzer.analyze(deployment({ securityContext: { runAsNonRoot: true }, containers: [{ name: "web", image }] })), "container-image-pinned");
            }
            for (const [image, reason] of [["nginx", /no tag/], ["nginx:latest", /latest/], ["localhost:5000/web", /no tag/]] as const) {
                assertViolates(await analyzer.analyze(deployment({ containers: [{ name: "web", image }] })), "container-image-pinned", reason);
            }
            const cron = k8s({ apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "c" }, spec: { jobTemplate: { spec: { template: { spec: { initContainers: [{ name: "i", image: "busybox" }], containers: [] } } } } } });
            assertViolates(await analyzer.analyze(cron), "container-image-pinned", /initContainers\[0\] \(i\)/);
        });
    });

    describe("container-security-context", () => {
        it("passes non-root unprivileged containers (pod-level runAsNonRoot counts)", async () => {
            assertPasses(await analyzer.analyze(deployment({ containers: [{ name: "web", image: "web:1.0.0", securityContext: safeContext }] })), "container-security-context");
            assertPasses(await analyzer.analyze(deployment({ securityContext: { runAsUser: 1000 }, containers: [{ name: "web", image: "web:1.0.0" }] })), "container-security-context");
        });
        it("reports privileged, privilege escalation and root", async () => {
            const d = assertViolates(await analyzer.analyze(deployment({ securityContext: { runAsNonRoot: true }, containers: [{ name: "web", image: "web:1.0.0", securityContext: { privileged: true, allowPrivilegeEscalation: true, runAsUser: 0 } }] })), "container-security-context");
            for (const m of [/is privileged/, /allows privilege escalation/, /may run as root/]) {
                assert.match(d.message, m);
            }
            const pod = k8s({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "c:1.0.0" }] } });
            assertViolates(await analyzer.analyze(pod), "container-security-context", /spec\.containers\[0\] \(c\) may run as root/);
        });
    });
});
