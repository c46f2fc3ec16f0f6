/**
 * The lifecycle rules through the real analyzer: addon-not-end-of-life (charts past the end of life
 * the add-on catalogue records) and kubernetes-api-not-deprecated (apiVersions the cluster's
 * Kubernetes version deprecated or removed), each with passing and violating resources.
 */
import * as assert from "assert";
import { PolicyAnalyzer, PolicyPackConfig, startPolicyAnalyzer } from "../../tools/policy-analyzer";
import { apiRemovals, apiStatus } from "../rules/lib/api-removals";
import { assertPasses, assertViolates, k8s, packDir, resource } from "./support";

const EOL = "addon-not-end-of-life";
const API = "kubernetes-api-not-deprecated";

const bootstrap = (chart: string, version: string, repo: string) =>
    resource("gitops:platform:BootstrapAddon", chart, { chart, version, repositoryOpts: { repo }, namespace: chart, values: {} });
const addonSet = (chart: string, targetRevision: string, repoURL: string) =>
    k8s({
        apiVersion: "argoproj.io/v1alpha1",
        kind: "ApplicationSet",
        metadata: { name: `addon-${chart}`, namespace: "argocd" },
        spec: { generators: [], template: { metadata: { name: "{{.name}}" }, spec: { project: "platform-addons", source: { repoURL, chart, targetRevision }, destination: { name: "{{.name}}", namespace: chart } } } },
    });
const clusterSecret = (kubernetesVersion?: string) =>
    k8s({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "cluster-in-cluster", namespace: "argocd", labels: { "argocd.argoproj.io/secret-type": "cluster" }, annotations: kubernetesVersion ? { kubernetes_version: kubernetesVersion } : {} },
        stringData: { name: "in-cluster", server: "https://kubernetes.default.svc", config: "{}" },
    });
const cronJob = (apiVersion: string) => k8s({ apiVersion, kind: "CronJob", metadata: { name: "backup", namespace: "ops" }, spec: {} });
const flowSchema = (apiVersion: string) => k8s({ apiVersion, kind: "FlowSchema", metadata: { name: "fs" }, spec: {} });

describe("lifecycle rules (through the analyzer gRPC server)", function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    const configure = (config: PolicyPackConfig = {}) => analyzer.configure({ all: "mandatory", [EOL]: { today: "2026-12-02" }, ...config }, "test config");

    before(async () => {
        analyzer = await startPolicyAnalyzer(packDir);
    });
    after(async () => analyzer?.close());
    beforeEach(() => configure());

    describe(EOL, () => {
        it("passes the catalogue's current pins and charts it does not know", async () => {
            assertPasses(await analyzer.analyze(addonSet("cert-manager", "v1.21.2", "https://charts.jetstack.io")), EOL);
            assertPasses(await analyzer.analyze(addonSet("gateway-helm", "v1.9.1", "registry-1.docker.io/envoyproxy")), EOL);
            assertPasses(await analyzer.analyze(bootstrap("gateway-crds-helm", "v1.9.1", "oci://registry-1.docker.io/envoyproxy")), EOL);
            assertPasses(await analyzer.analyze(addonSet("something-else", "0.0.1", "https://charts.example.com")), EOL);
        });

        it("reports a retired project at any version, and a release line past its end of life", async () => {
            assertViolates(await analyzer.analyze(addonSet("ingress-nginx", "4.11.3", "https://kubernetes.github.io/ingress-nginx")), EOL, /spec\.template\.spec\.source: ingress-nginx 4\.11\.3 is retired upstream since 2026-03-24 \(https:\/\/kubernetes\.io\/blog/);
            assertViolates(await analyzer.analyze(addonSet("cert-manager", "v1.16.2", "https://charts.jetstack.io")), EOL, /cert-manager v1\.16\.2 is past its end of life since 2026-07-08/);
            assertViolates(await analyzer.analyze(bootstrap("external-secrets", "0.10.7", "https://charts.external-secrets.io")), EOL, /^chart: external-secrets 0\.10\.7 is past its end of life since 2026-02-06/m);
        });

        it("judges on the given day: before the end of life there is nothing to report", async () => {
            await configure({ [EOL]: { today: "2026-01-31" } });
            assertPasses(await analyzer.analyze(bootstrap("external-secrets", "1.3.2", "https://charts.external-secrets.io")), EOL);
            await configure({ [EOL]: { today: "2026-02-06" } });
            assertViolates(await analyzer.analyze(bootstrap("external-secrets", "1.3.2", "https://charts.external-secrets.io")), EOL, /since 2026-02-06/);
        });

        it("honours a reviewed exception until its last day, for that version only", async () => {
            const exceptions = [{ chart: "external-secrets", version: "1.3.2", until: "2027-01-31", reason: "test" }];
            await configure({ [EOL]: { today: "2027-01-31", exceptions } });
            assertPasses(await analyzer.analyze(bootstrap("external-secrets", "1.3.2", "https://charts.external-secrets.io")), EOL);
            assertViolates(await analyzer.analyze(bootstrap("external-secrets", "1.3.1", "https://charts.external-secrets.io")), EOL);
            await configure({ [EOL]: { today: "2027-02-01", exceptions } });
            assertViolates(await analyzer.analyze(bootstrap("external-secrets", "1.3.2", "https://charts.external-secrets.io")), EOL);
        });
    });

    describe(API, () => {
        it("passes current APIs, and APIs deprecated only after the cluster's version", async () => {
            assertPasses(await analyzer.analyzeStack([clusterSecret("1.33"), cronJob("batch/v1"), flowSchema("flowcontrol.apiserver.k8s.io/v1")]), API);
            // flowcontrol v1beta3 was deprecated in 1.29: a 1.28 cluster is fine with it.
            assertPasses(await analyzer.analyzeStack([clusterSecret("1.28"), flowSchema("flowcontrol.apiserver.k8s.io/v1beta3")]), API);
        });

        it("reports a removed API and a deprecated one, with the version that did it and the replacement", async () => {
            const removed = await analyzer.analyzeStack([clusterSecret("1.33"), cronJob("batch/v1beta1")]);
            const d = assertViolates(removed, API, /^batch\/v1beta1 CronJob is removed in Kubernetes 1\.25 \(cluster 1\.33\): use batch\/v1$/m);
            assert.match(d.urn ?? "", /CronJob::backup$/);
            assertViolates(await analyzer.analyzeStack([clusterSecret("1.30"), flowSchema("flowcontrol.apiserver.k8s.io/v1beta3")]), API, /deprecated in Kubernetes 1\.29, removed in 1\.32 \(cluster 1\.30\)/);
        });

        it("takes the cluster's version from the newest cluster Secret, or from the knob", async () => {
            assertViolates(await analyzer.analyzeStack([clusterSecret("1.24"), clusterSecret("1.26"), cronJob("batch/v1beta1")]), API, /cluster 1\.26/);
            assertPasses(await analyzer.analyzeStack([clusterSecret(), cronJob("batch/v1beta1")]), API);
            await configure({ [API]: { kubernetesVersion: "1.25" } });
            assertViolates(await analyzer.analyzeStack([cronJob("batch/v1beta1")]), API, /cluster 1\.25/);
        });
    });

    it("the API table is well formed and deprecation precedes removal", () => {
        const apis = apiRemovals();
        assert.ok(apis.length > 30);
        const keys = apis.map((a) => `${a.apiVersion} ${a.kind}`);
        assert.strictEqual(new Set(keys).size, keys.length, "one entry per apiVersion and kind");
        for (const a of apis) {
            if (a.removedIn) assert.ok(Number(a.deprecatedIn.split(".")[1]) < Number(a.removedIn.split(".")[1]), `${a.apiVersion} ${a.kind}`);
        }
        assert.strictEqual(apiStatus("networking.k8s.io/v1beta1", "Ingress", 22)?.state, "removed");
        assert.strictEqual(apiStatus("networking.k8s.io/v1beta1", "Ingress", 21)?.state, "deprecated");
        assert.strictEqual(apiStatus("networking.k8s.io/v1", "Ingress", 37), undefined);
    });
});
