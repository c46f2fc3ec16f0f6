/**
 * kubernetes-api-not-deprecated (policies/rules/kubernetes/api-not-deprecated.ts): apiVersions the cluster's Kubernetes
 * version deprecated or removed, with passing and violating stacks, through the analyzer gRPC server; and the table of APIs.
 */
import * as assert from "assert";
import { PolicyAnalyzer } from "../../../../tools/policy-analyzer";
import { apiRemovals, apiStatus } from "../../../rules/lib/api-removals";
import { assertPasses, assertViolates, configure, k8s, sharedAnalyzer } from "../../support";

const API = "kubernetes-api-not-deprecated";

const clusterSecret = (kubernetesVersion?: string) =>
    k8s({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "cluster-in-cluster", namespace: "argocd", labels: { "argocd.argoproj.io/secret-type": "cluster" }, annotations: kubernetesVersion ? { kubernetes_version: kubernetesVersion } : {} },
        stringData: { name: "in-cluster", server: "https://kubernetes.default.svc", config: "{}" },
    });
const cronJob = (apiVersion: string) => k8s({ apiVersion, kind: "CronJob", metadata: { name: "backup", namespace: "ops" }, spec: {} });
const flowSchema = (apiVersion: string) => k8s({ apiVersion, kind: "FlowSchema", metadata: { name: "fs" }, spec: {} });

describe(API, function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    before(async () => {
        analyzer = await sharedAnalyzer();
    });
    beforeEach(() => configure());

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
