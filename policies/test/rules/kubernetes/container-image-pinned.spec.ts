/** container-image-pinned (policies/rules/kubernetes/container-image-pinned.ts): passing and violating resources, through the analyzer gRPC server. */
import { PolicyAnalyzer } from "../../../../tools/policy-analyzer";
import { assertPasses, assertViolates, configure, deployment, k8s, sharedAnalyzer } from "../../support";

describe("container-image-pinned", function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    before(async () => {
        analyzer = await sharedAnalyzer();
    });
    beforeEach(() => configure());

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
