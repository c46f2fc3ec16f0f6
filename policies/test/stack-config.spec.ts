/**
 * The per-stack policy configs: accepted by the pack's schemas, and the enforcement they set is what each stack
 * gets (local/dev advisory except secret rules, staging/prod mandatory), with config-dependent behaviour.
 */
import * as assert from "assert";
import * as path from "path";
import { PolicyAnalyzer, readPolicyConfigFile } from "../../tools/policy-analyzer";
import { auditLabels, k8s, packDir, resource, sharedAnalyzer } from "./support";

const stacks = ["local", "dev", "staging", "prod"] as const;
const configOf = (stack: string) => readPolicyConfigFile(path.join(packDir, "config", `${stack}.json`));

/** A compliant slice of what the program declares: Argo CD chart, namespace, project, application. */
function compliantResources(stack: string) {
    const labels = { ...auditLabels, "gitops.platform/stack": stack };
    const withStack = (r: ReturnType<typeof k8s>) => ({ ...r, properties: { ...r.properties, metadata: { ...(r.properties.metadata as object), labels } } });
    return [
        resource("gitops:platform:ArgoCd", "argocd", {
            chart: "argo-cd", version: "10.1.1", namespace: "argocd", repositoryOpts: { repo: "https://argoproj.github.io/argo-helm" },
            values: {
                configs: { cm: { "admin.enabled": false, "exec.enabled": false }, params: { "server.insecure": false }, rbac: { "policy.default": "role:readonly" } },
                notifications: { enabled: true, notifiers: { "service.webhook.audit": "url: https://audit.example.com" } },
            },
        }, { options: { protect: true } }),
        withStack(k8s({ apiVersion: "v1", kind: "Namespace", metadata: { name: "argocd" } }, { options: { protect: true } })),
        withStack(k8s({ apiVersion: "argoproj.io/v1alpha1", kind: "AppProject", metadata: { name: "platform" }, spec: { sourceRepos: ["https://github.com/acme-platform/*"], destinations: [{ server: "https://kubernetes.default.svc", namespace: "apps" }], clusterResourceBlacklist: [{ group: "*", kind: "*" }] } })),
        withStack(k8s({ apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name: "web" }, spec: { project: "platform", source: { repoURL: "https://github.com/acme-platform/gitops-platform.git", path: "charts/web", targetRevision: "v1.0.0" }, destination: { server: "https://kubernetes.default.svc", namespace: "apps" }, syncPolicy: { automated: { prune: true, selfHeal: true } } } })),
    ];
}

describe("per-stack policy config", function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    // Each case sends the config it judges with (a stack's file), so none sees an earlier spec's.
    before(async () => {
        analyzer = await sharedAnalyzer();
    });

    for (const stack of stacks) {
        it(`${stack}: config is accepted and a compliant stack has no violations`, async () => {
            await analyzer.configure(configOf(stack), `policies/config/${stack}.json`);
            for (const r of compliantResources(stack)) {
                assert.deepStrictEqual((await analyzer.analyze(r)).map(d => `${d.policyName}: ${d.message}`), []);
            }
        });
    }

    it("a pinning violation is advisory on local/dev and mandatory on staging/prod; secret rules are mandatory everywhere", async () => {
        const floating = resource("gitops:platform:BootstrapAddon", "x", { chart: "cert-manager", version: "*", repositoryOpts: { repo: "https://charts.jetstack.io" } });
        const leaky = k8s({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { GITHUB_TOKEN: "ghp_" + "Zq3canary0TOKEN0value0for0tests0x1Y2" } });
        for (const stack of stacks) {
            await analyzer.configure(configOf(stack), stack);
            const pin = (await analyzer.analyze(floating)).find(d => d.policyName === "helm-chart-pinned-version");
            assert.strictEqual(pin?.enforcementLevel, stack === "local" || stack === "dev" ? "advisory" : "mandatory", stack);
            const secret = (await analyzer.analyze(leaky)).find(d => d.policyName === "no-secret-literals");
            assert.strictEqual(secret?.enforcementLevel, "mandatory", stack);
        }
    });

    it("branch tracking only on dev, admin only on local, protection only on prod", async () => {
        const branchApp = k8s({ apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name: "w" }, spec: { project: "p", source: { repoURL: "https://github.com/acme-platform/x", path: "p", targetRevision: "main" }, destination: { name: "in-cluster" } } });
        const adminChart = resource("gitops:platform:ArgoCd", "argocd", { chart: "argo-cd", version: "10.1.1", repositoryOpts: { repo: "https://argoproj.github.io/argo-helm" }, values: { notifications: { notifiers: { "service.slack": "token: $t" } } } });
        const ns = k8s({ apiVersion: "v1", kind: "Namespace", metadata: { name: "argocd" } });
        const flagged = async (r: Parameters<PolicyAnalyzer["analyze"]>[0], policy: string) => (await analyzer.analyze(r)).some(d => d.policyName === policy);
        const seen: Record<string, boolean[]> = { branch: [], admin: [], protect: [] };
        for (const stack of stacks) {
            await analyzer.configure(configOf(stack), stack);
            seen.branch.push(await flagged(branchApp, "argocd-source-pinned"));
            seen.admin.push(await flagged(adminChart, "argocd-install-hardened"));
            seen.protect.push(await flagged(ns, "argocd-protected-on-delete"));
        }
        assert.deepStrictEqual(seen, { branch: [false, false, true, true], admin: [false, true, true, true], protect: [false, false, false, true] });
    });

    it("bad config is one error naming the source and every key path", async () => {
        await assert.rejects(
            analyzer.configure({ all: "sometimes", "argocd-source-pinned": { allowBranchTracking: "yes", tracking: true }, "no-such-rule": "advisory" }, "policies/config/broken.json"),
            (e: Error) => {
                for (const m of [/^policies\/config\/broken\.json: invalid policy config/, /all\.enforcementLevel: "sometimes"/, /argocd-source-pinned\.allowBranchTracking: must be boolean/, /argocd-source-pinned\.tracking: unknown setting/, /no-such-rule: no such policy/]) {
                    assert.match(e.message, m);
                }
                return true;
            },
        );
    });
});
