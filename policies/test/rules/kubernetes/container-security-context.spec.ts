/** container-security-context (policies/rules/kubernetes/container-security-context.ts): passing and violating resources, through the analyzer gRPC server. */
import * as assert from "assert";
import { PolicyAnalyzer } from "../../../../tools/policy-analyzer";
import { assertPasses, assertViolates, configure, deployment, k8s, safeContext, sharedAnalyzer } from "../../support";

describe("container-security-context", function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    before(async () => {
        analyzer = await sharedAnalyzer();
    });
    beforeEach(() => configure());

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
