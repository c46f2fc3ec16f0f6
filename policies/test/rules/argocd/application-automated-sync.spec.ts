/** argocd-automated-sync (policies/rules/argocd/application-automated-sync.ts): passing and violating resources, through the analyzer gRPC server. */
import { PolicyAnalyzer } from "../../../../tools/policy-analyzer";
import { app, appSet, assertPasses, assertViolates, configure, dest, gitSource, sharedAnalyzer } from "../../support";

describe("argocd-automated-sync", function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    before(async () => {
        analyzer = await sharedAnalyzer();
    });
    beforeEach(() => configure());

    it("is quiet unless required, then requires automated prune and selfHeal", async () => {
        const manual = app({ project: "platform", source: gitSource("v1.0.0"), destination: dest });
        assertPasses(await analyzer.analyze(manual), "argocd-automated-sync");
        await configure({ "argocd-automated-sync": { requireAutomatedSync: true } });
        assertViolates(await analyzer.analyze(manual), "argocd-automated-sync", /automated is not set/);
        assertViolates(await analyzer.analyze(app({ project: "platform", source: gitSource("v1.0.0"), destination: dest, syncPolicy: { automated: { prune: true } } })), "argocd-automated-sync", /selfHeal is not true/);
        assertPasses(await analyzer.analyze(app({ project: "platform", source: gitSource("v1.0.0"), destination: dest, syncPolicy: { automated: { prune: true, selfHeal: true } } })), "argocd-automated-sync");
    });

    it("takes an ApplicationSet that rolls out in waves as synced by its controller, and only one with steps", async () => {
        await configure({ "argocd-automated-sync": { requireAutomatedSync: true } });
        const manual = { project: "platform", source: gitSource("v1.0.0"), destination: dest };
        const steps = [{ matchExpressions: [{ key: "gitops.platform/rollout-wave", operator: "In", values: ["canary"] }] }];
        const rolling = appSet(manual);
        (rolling.properties.spec as Record<string, unknown>).strategy = { type: "RollingSync", rollingSync: { steps } };
        assertPasses(await analyzer.analyze(rolling), "argocd-automated-sync");
        const noSteps = appSet(manual);
        (noSteps.properties.spec as Record<string, unknown>).strategy = { type: "RollingSync", rollingSync: { steps: [] } };
        assertViolates(await analyzer.analyze(noSteps), "argocd-automated-sync", /automated is not set/);
        assertViolates(await analyzer.analyze(appSet(manual)), "argocd-automated-sync", /automated is not set/);
    });
});
