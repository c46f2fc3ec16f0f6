/**
 * The components as wired by the program: ordering against Argo CD, audit metadata on every
 * resource, Applications and ApplicationSets as the platform promises, AWS resources, and the
 * component-level errors.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { chartTransforms, CRD_TYPE } from "../components/helm/chartTransforms";
import { oidcIssuer } from "../components/aws/serviceAccountRole";
import { ofType, PROJECT_ROOT, ProgramRun, runEveryStack, runProgram, TEST_COMMIT as COMMIT, withAuditCommit } from "./support/program";

const AUDIT_LABEL_KEYS = ["app.kubernetes.io/managed-by", "gitops.platform/stack", "gitops.platform/project", "gitops.platform/owner", "gitops.platform/git-commit"];
const AWS_TAG_KEYS = ["managed-by", "stack", "project", "owner", "git-commit"];
type Meta = { name: string; labels: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[] };

describe("platform components", function () {
    this.timeout(60000);
    let runs: Record<string, ProgramRun> = {};
    withAuditCommit();
    before(async () => {
        runs = await runEveryStack();
    });

    it("stamps the audit labels on every Kubernetes object and the audit tags on every AWS resource", () => {
        for (const [stack, run] of Object.entries(runs)) {
            for (const r of run.resources.filter((x) => x.custom && x.type.startsWith("kubernetes:") && !x.type.startsWith("kubernetes:helm"))) {
                const labels = (r.inputs.metadata as Meta).labels ?? {};
                for (const key of AUDIT_LABEL_KEYS) assert.ok(labels[key], `${stack} ${r.type} ${r.name} lacks label ${key}`);
                assert.strictEqual(labels["gitops.platform/git-commit"], COMMIT);
                assert.strictEqual(labels["gitops.platform/stack"], stack);
            }
            for (const r of run.resources.filter((x) => x.custom && x.type.startsWith("aws:") && "tags" in x.inputs)) {
                const tags = r.inputs.tags as Record<string, string>;
                for (const key of AWS_TAG_KEYS) assert.ok(tags[key], `${stack} ${r.type} ${r.name} lacks tag ${key}`);
            }
            for (const chart of ofType(run, "kubernetes:helm.sh/v4:Chart").filter((c) => c.name === "argocd")) {
                const values = chart.inputs.values as { global: { additionalLabels: Record<string, string> } };
                assert.strictEqual(values.global.additionalLabels["gitops.platform/git-commit"], COMMIT);
            }
        }
    });

    it("team resources name their team as owner", () => {
        const app = ofType(runs.staging, "kubernetes:argoproj.io/v1alpha1:Application")[0];
        assert.strictEqual((app.inputs.metadata as Meta).labels["gitops.platform/owner"], "hello-team");
    });

    it("creates AWS resources on cloud stacks only", () => {
        assert.strictEqual(runs.local.resources.filter((r) => r.type.startsWith("aws:") || r.type === "pulumi:providers:aws").length, 0);
        assert.ok(ofType(runs.dev, "aws:ecr/repository:Repository").length > 0);
    });

    it("orders custom resources after Argo CD (and therefore deletes them before it)", () => {
        for (const run of Object.values(runs)) {
            const chart = run.resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.name === "argocd")!;
            const crs = run.resources.filter((r) => r.type.startsWith("gitops:platform:") && ["TeamProject", "TeamApplication", "AddonApplicationSet", "ClusterRegistration"].some((t) => r.type.endsWith(t)));
            assert.ok(crs.length >= 4);
            for (const cr of crs) assert.ok(cr.options.dependsOn.includes(chart.urn), `${cr.type} ${cr.name} must depend on Argo CD`);
            // The custom resources themselves wait for the chart (a component's dependencies do not pass to its children by themselves).
            const customResources = run.resources.filter((r) => r.type.startsWith("kubernetes:argoproj.io/") || r.type.startsWith("kubernetes:external-secrets.io/") || r.name === "cluster-registration-secret");
            for (const cr of customResources) assert.ok(cr.options.dependsOn.includes(chart.urn), `${cr.type} ${cr.name} must depend on the argo-cd chart`);
            const apps = run.resources.filter((r) => r.type === "gitops:platform:TeamApplication");
            const projects = ofType(run, "kubernetes:argoproj.io/v1alpha1:AppProject");
            for (const app of apps) for (const p of projects) assert.ok(app.options.dependsOn.includes(p.urn), "applications after projects");
        }
    });

    it("Applications: automated prune+selfHeal, retry, CreateNamespace+ServerSideApply, wave, finalizer, never the default project", () => {
        for (const run of Object.values(runs)) {
            for (const app of ofType(run, "kubernetes:argoproj.io/v1alpha1:Application")) {
                const spec = app.inputs.spec as { project: string; syncPolicy: { automated: unknown; syncOptions: string[]; retry: { backoff: unknown } } };
                const meta = app.inputs.metadata as Meta;
                assert.notStrictEqual(spec.project, "default");
                assert.deepStrictEqual(spec.syncPolicy.automated, { prune: true, selfHeal: true });
                assert.deepStrictEqual(spec.syncPolicy.syncOptions, ["CreateNamespace=true", "ServerSideApply=true"]);
                assert.deepStrictEqual(spec.syncPolicy.retry.backoff, { duration: "5s", factor: 2, maxDuration: "3m" });
                assert.deepStrictEqual(meta.finalizers, ["resources-finalizer.argocd.argoproj.io"]);
                assert.strictEqual(meta.annotations!["argocd.argoproj.io/sync-wave"], "1");
            }
        }
    });

    it("staging and prod pin hello-service to the version in charts/hello-service/Chart.yaml, from ECR", () => {
        const chartVersion = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, "charts", "hello-service", "Chart.yaml"), "utf8")).version;
        for (const stack of ["staging", "prod"]) {
            const app = ofType(runs[stack], "kubernetes:argoproj.io/v1alpha1:Application").find((a) => (a.inputs.metadata as Meta).name === "hello-service")!;
            const source = (app.inputs.spec as { source: { repoURL: string; chart: string; targetRevision: string } }).source;
            assert.strictEqual(source.targetRevision, chartVersion, `${stack} pins the published chart version`);
            assert.match(source.repoURL, /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/charts$/);
        }
        const dev = ofType(runs.dev, "kubernetes:argoproj.io/v1alpha1:Application")[0];
        const devSource = (dev.inputs.spec as { source: { path: string; helm: { valueFiles: string[] } } }).source;
        assert.strictEqual(devSource.path, "charts/hello-service");
        assert.deepStrictEqual(devSource.helm.valueFiles, ["values-dev.yaml"]);
    });

    it("hello-service gets its environment's packaged values file and the audit values its chart labels with", () => {
        type Helm = { valueFiles?: string[]; valuesObject?: { audit?: Record<string, string> }; parameters?: { name: string; value: string }[] };
        for (const stack of ["dev", "staging", "prod"]) {
            const app = ofType(runs[stack], "kubernetes:argoproj.io/v1alpha1:Application").find((a) => (a.inputs.metadata as Meta).name === "hello-service")!;
            const helm = (app.inputs.spec as { source: { helm: Helm } }).source.helm;
            assert.deepStrictEqual(helm.valueFiles, [`values-${stack}.yaml`]);
            assert.deepStrictEqual(helm.valuesObject?.audit, { owner: "hello-team", environment: stack, project: "gitops-platform" });
            // From Git, Argo CD labels with the commit it deployed; a published chart carries the commit it was built from.
            const commit = helm.parameters?.find((p) => p.name === "audit.gitCommit")?.value;
            assert.strictEqual(commit, stack === "dev" ? "$ARGOCD_APP_REVISION" : undefined, stack);
        }
    });

    it("passes no audit values to a chart that did not ask for them", async () => {
        const run = await runProgram({
            stack: "staging",
            platform: { gitops: { applications: [{ name: "hello-service", project: "team-hello", source: { repository: "platform-charts", chart: "hello-service", version: "0.1.0" }, destination: { namespace: "hello" } }] } },
        });
        const app = ofType(run, "kubernetes:argoproj.io/v1alpha1:Application")[0];
        const helm = (app.inputs.spec as { source: { helm: Record<string, unknown> } }).source.helm;
        assert.deepStrictEqual(helm, { releaseName: "hello-service" });
    });

    it("AppProjects list exact repositories, destinations and kinds, never *", () => {
        for (const run of Object.values(runs)) {
            for (const p of ofType(run, "kubernetes:argoproj.io/v1alpha1:AppProject")) {
                const spec = p.inputs.spec as { sourceRepos: string[]; destinations: unknown[]; clusterResourceWhitelist: unknown[] };
                for (const key of ["sourceRepos", "destinations", "clusterResourceWhitelist"] as const) {
                    assert.ok(!JSON.stringify(spec[key]).includes("*"), `${p.name} has a wildcard in ${key}`);
                }
                assert.ok(spec.sourceRepos.length > 0);
            }
        }
    });

    it("team-hello: roles on its own applications bound to its groups, orphan warnings, and on prod a weekend deny window with manual sync", () => {
        for (const [stack, run] of Object.entries(runs)) {
            const project = ofType(run, "kubernetes:argoproj.io/v1alpha1:AppProject").find((p) => p.name === "team-hello")!;
            const spec = project.inputs.spec as { roles: { name: string; policies: string[]; groups: string[] }[]; orphanedResources: unknown; syncWindows?: unknown[] };
            const deployer = spec.roles.find((r) => r.name === "deployer")!;
            assert.deepStrictEqual(deployer.groups, ["hello-team"], stack);
            assert.deepStrictEqual(deployer.policies, [
                "p, proj:team-hello:deployer, applications, get, team-hello/*, allow",
                "p, proj:team-hello:deployer, applications, sync, team-hello/*, allow",
                "p, proj:team-hello:deployer, applications, action/apps/Deployment/restart, team-hello/*, allow",
                "p, proj:team-hello:deployer, logs, get, team-hello/*, allow",
            ]);
            assert.deepStrictEqual(spec.orphanedResources, { warn: true });
            const windows = stack === "prod" ? [{ kind: "deny", schedule: "0 0 * * 6", duration: "48h", applications: ["*"], manualSync: true }] : undefined;
            assert.deepStrictEqual(spec.syncWindows, windows, stack);
            const addons = ofType(run, "kubernetes:argoproj.io/v1alpha1:AppProject").find((p) => p.name === "platform-addons")!;
            assert.deepStrictEqual(Object.keys(addons.inputs.spec as object).filter((k) => ["roles", "syncWindows", "orphanedResources"].includes(k)), [], "none unless configured");
        }
    });

    it("ApplicationSets select clusters by enable label and environment, and template values from annotations", () => {
        const set = ofType(runs.dev, "kubernetes:argoproj.io/v1alpha1:ApplicationSet").find((s) => s.name === "addon-cert-manager")!;
        const spec = set.inputs.spec as { goTemplate: boolean; generators: { clusters: { selector: { matchLabels: Record<string, string> } } }[]; template: { spec: { source: { helm: { valuesObject: { serviceAccount: { annotations: Record<string, string> } } } } } } };
        assert.strictEqual(spec.goTemplate, true);
        assert.deepStrictEqual(spec.generators[0].clusters.selector.matchLabels, { environment: "dev", enable_cert_manager: "true" });
        assert.strictEqual(spec.template.spec.source.helm.valuesObject.serviceAccount.annotations["eks.amazonaws.com/role-arn"], "{{.metadata.annotations.cert_manager_iam_role_arn}}");
        const secret = ofType(runs.dev, "kubernetes:core/v1:Secret").find((s) => (s.inputs.metadata as Meta).labels["argocd.argoproj.io/secret-type"] === "cluster")!;
        const meta = secret.inputs.metadata as Meta;
        assert.strictEqual(meta.labels.enable_cert_manager, "true");
        assert.match(meta.annotations!.cert_manager_iam_role_arn, /^arn:aws:iam::\d{12}:role\//);
        // The Terraform output cluster_version, which the policy pack judges apiVersions against.
        assert.strictEqual(meta.annotations!.kubernetes_version, "1.33");
    });

    it("exposes Argo CD through a Gateway (TLS passthrough, HTTP redirect) on the cloud stacks, after the Gateway API CRDs; no Ingress anywhere", () => {
        for (const stack of ["dev", "staging", "prod"]) {
            const run = runs[stack];
            const crds = ofType(run, "kubernetes:helm.sh/v4:Chart").find((c) => c.name === "addon-gateway-api")!;
            assert.ok(crds, `${stack}: the Gateway API CRDs are installed by Pulumi`);
            const gateway = ofType(run, "kubernetes:gateway.networking.k8s.io/v1:Gateway")[0];
            const spec = gateway.inputs.spec as { gatewayClassName: string; infrastructure: { annotations: Record<string, string> }; listeners: { name: string; protocol: string; hostname: string; tls?: { mode: string } }[] };
            assert.strictEqual(spec.gatewayClassName, "envoy-gateway");
            assert.deepStrictEqual(spec.listeners.map((l) => [l.name, l.protocol, l.tls?.mode]), [["https", "TLS", "Passthrough"], ["http", "HTTP", undefined]]);
            assert.ok(spec.listeners.every((l) => l.hostname === `argocd.${stack}.gitops.example.com`));
            assert.strictEqual(spec.infrastructure.annotations["service.beta.kubernetes.io/aws-load-balancer-type"], "nlb");
            const tls = ofType(run, "kubernetes:gateway.networking.k8s.io/v1:TLSRoute")[0];
            assert.deepStrictEqual((tls.inputs.spec as { rules: unknown[] }).rules, [{ backendRefs: [{ name: "argocd-server", port: 443 }] }]);
            const redirect = ofType(run, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute")[0];
            assert.match(JSON.stringify(redirect.inputs.spec), /"requestRedirect":\{"scheme":"https","statusCode":301\}/);
            for (const r of [gateway, tls, redirect, ...ofType(run, "kubernetes:gateway.networking.k8s.io/v1:GatewayClass")]) {
                assert.ok(r.options.dependsOn.includes(crds.urn), `${stack} ${r.type} waits for the Gateway API CRDs`);
            }
        }
        assert.strictEqual(ofType(runs.local, "kubernetes:gateway.networking.k8s.io/v1:Gateway").length, 0, "local: no Gateway (no Gateway API CRDs offline)");
        for (const run of Object.values(runs)) {
            assert.deepStrictEqual(run.resources.filter((r) => /Ingress|ingress-nginx/.test(r.type + r.name)).map((r) => r.name), []);
            for (const set of ofType(run, "kubernetes:argoproj.io/v1alpha1:ApplicationSet")) assert.doesNotMatch(JSON.stringify(set.inputs), /ingress-nginx/);
        }
    });

    it("a public OCI registry gets a repository Secret with enableOCI and no credentials", () => {
        const secret = ofType(runs.prod, "kubernetes:core/v1:Secret").find((s) => (s.inputs.metadata as Meta).name === "repo-envoyproxy")!;
        assert.strictEqual((secret.inputs.metadata as Meta).labels["argocd.argoproj.io/secret-type"], "repository");
        assert.deepStrictEqual(secret.inputs.stringData, { name: "envoyproxy", url: "registry-1.docker.io/envoyproxy", type: "helm", enableOCI: "true" });
    });

    it("every External Secrets object uses an API ESO 1.3 serves (external-secrets.io/v1, generators v1alpha1)", () => {
        for (const run of Object.values(runs)) {
            const eso = run.resources.filter((r) => r.custom && /external-secrets\.io\//.test(r.type));
            for (const r of eso) assert.match(r.type, /^kubernetes:(external-secrets\.io\/v1|generators\.external-secrets\.io\/v1alpha1):/);
        }
        assert.ok(ofType(runs.prod, "kubernetes:generators.external-secrets.io/v1alpha1:Password").length === 1);
    });

    it("an add-on template naming an annotation the cluster Secret lacks is an error", async () => {
        await assert.rejects(
            runProgram({ stack: "local", platform: { addons: [{ name: "cert-manager", repository: "jetstack", chart: "cert-manager", version: "v1.21.2", namespace: "cert-manager", values: { x: "{{.metadata.annotations.no_such_key}}" } }] } }),
            /add-on "cert-manager": values refer to cluster annotations the cluster Secret does not carry: no_such_key/,
        );
    });

    it("External Secrets Operator is installed by Pulumi with its IRSA role filled in", () => {
        const eso = ofType(runs.prod, "kubernetes:helm.sh/v4:Chart").find((c) => c.name === "addon-external-secrets")!;
        assert.strictEqual(eso.inputs.version, "1.3.2");
        const role = (eso.inputs.values as { serviceAccount: { annotations: Record<string, string> } }).serviceAccount.annotations["eks.amazonaws.com/role-arn"];
        assert.ok(role && !role.includes("{{"), `template filled: ${role}`);
        const store = ofType(runs.prod, "kubernetes:external-secrets.io/v1:ClusterSecretStore")[0];
        const esoChart = ofType(runs.prod, "kubernetes:helm.sh/v4:Chart").find((c) => c.name === "addon-external-secrets")!;
        assert.ok(store.options.dependsOn.includes(esoChart.urn), "the store waits for the ESO CRDs");
    });

    it("repository credentials come from ExternalSecrets, never from values or state", () => {
        const externalSecrets = ofType(runs.staging, "kubernetes:external-secrets.io/v1:ExternalSecret");
        const repoCreds = externalSecrets.filter((e) => (e.inputs.metadata as Meta).name.startsWith("repo-"));
        assert.strictEqual(repoCreds.length, 2);
        for (const es of repoCreds) {
            const target = (es.inputs.spec as { target: { template: { metadata: { labels: Record<string, string> }; data: Record<string, string> } } }).target;
            assert.strictEqual(target.template.metadata.labels["argocd.argoproj.io/secret-type"], "repository");
            assert.strictEqual(target.template.data.password, "{{ .password }}");
        }
        const argocd = ofType(runs.staging, "kubernetes:helm.sh/v4:Chart").find((c) => c.name === "argocd")!;
        assert.strictEqual((argocd.inputs.values as { configs: { repositories?: unknown } }).configs.repositories, undefined);
        for (const s of ofType(runs.staging, "aws:secretsmanager/secret:Secret")) assert.ok(!("secretString" in s.inputs));
        assert.strictEqual(ofType(runs.staging, "aws:secretsmanager/secretVersion:SecretVersion").length, 0);
    });

    it("ECR: immutable tags, scan on push, lifecycle policy; IRSA roles trust the cluster's OIDC provider for one service account", () => {
        const repo = ofType(runs.prod, "aws:ecr/repository:Repository")[0];
        assert.strictEqual(repo.inputs.imageTagMutability, "IMMUTABLE");
        assert.deepStrictEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true });
        const lifecycle = JSON.parse(ofType(runs.prod, "aws:ecr/lifecyclePolicy:LifecyclePolicy")[0].inputs.policy as string);
        assert.strictEqual(lifecycle.rules.length, 2);
        const roles = ofType(runs.prod, "aws:iam/role:Role");
        const subjects = roles.map((r) => Object.values(JSON.parse(r.inputs.assumeRolePolicy as string).Statement[0].Condition.StringEquals)[0]).sort();
        assert.deepStrictEqual(subjects, ["system:serviceaccount:argocd:argocd-repo-server", "system:serviceaccount:external-secrets:external-secrets"]);
    });

    it("chart transforms label every object and retain CRDs only when asked", () => {
        const [transform] = chartTransforms({ labels: { a: "b" }, retainCrds: true });
        const crd = transform({ custom: true, type: CRD_TYPE, name: "x", props: { metadata: { labels: { c: "d" } } }, opts: {} }) as { props: { metadata: { labels: object } }; opts: { retainOnDelete?: boolean; protect?: boolean } };
        assert.deepStrictEqual(crd.props.metadata.labels, { c: "d", a: "b" });
        assert.deepStrictEqual([crd.opts.retainOnDelete, crd.opts.protect], [true, true]);
        const deploy = transform({ custom: true, type: "kubernetes:apps/v1:Deployment", name: "y", props: {}, opts: {} }) as { opts: { retainOnDelete?: boolean } };
        assert.strictEqual(deploy.opts.retainOnDelete, undefined);
        const [plain] = chartTransforms({ labels: {} });
        const crd2 = plain({ custom: true, type: CRD_TYPE, name: "x", props: {}, opts: {} }) as { opts: { retainOnDelete?: boolean } };
        assert.strictEqual(crd2.opts.retainOnDelete, undefined);
    });

    it("a malformed OIDC provider ARN is an error naming the output", () => {
        assert.strictEqual(oidcIssuer("arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"), "oidc.eks.eu-west-1.amazonaws.com/id/ABC");
        assert.throws(() => oidcIssuer("arn:aws:iam::1:role/x"), /oidc_provider_arn: expected/);
    });
});
