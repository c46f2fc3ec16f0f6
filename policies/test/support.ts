/**
 * What the policy specs share: the pack, started once for the whole mocha run, and builders of resources in the
 * shape the analyzer client sends. One spec per rule lives under test/rules/<area>/<rule-file>.spec.ts, beside
 * rules/<area>/<rule-file>.ts.
 */
import * as assert from "assert";
import * as path from "path";
import { PolicyAnalyzer, PolicyDiagnostic, PolicyPackConfig, PolicyResource, startPolicyAnalyzer } from "../../tools/policy-analyzer";

/** The pack directory. */
export const packDir = path.resolve(__dirname, "..");

let shared: Promise<PolicyAnalyzer> | undefined;

/**
 * The pack, started the way the Pulumi CLI starts it on first use and then shared by every spec of the run (starting
 * it takes seconds). Closed once the run is over by the root hook in ./hooks.ts (.mocharc.json `require`).
 */
export function sharedAnalyzer(): Promise<PolicyAnalyzer> {
    shared ??= startPolicyAnalyzer(packDir);
    return shared;
}

/** Stops the shared pack if it was started; the next {@link sharedAnalyzer} starts a new one. */
export async function closeSharedAnalyzer(): Promise<void> {
    const started = shared;
    shared = undefined;
    const analyzer = await started?.catch(() => undefined);
    await analyzer?.close();
}

/**
 * Sends the specs' config to the shared pack: every rule mandatory, plus `config`. The config is the pack's state,
 * shared by every spec: a spec calls this before each case (`beforeEach(() => configure())`) so no case sees what an
 * earlier one, in this file or another, configured.
 */
export async function configure(config: PolicyPackConfig = {}): Promise<void> {
    await (await sharedAnalyzer()).configure({ all: "mandatory", ...config }, "test config");
}

/** A valid 40-hex commit for audit labels. */
export const commit = "0123456789abcdef0123456789abcdef01234567";

/** Audit labels that satisfy audit-metadata-required. */
export const auditLabels = {
    "app.kubernetes.io/managed-by": "pulumi",
    "gitops.platform/stack": "prod",
    "gitops.platform/project": "gitops-platform",
    "gitops.platform/owner": "platform-team",
    "gitops.platform/git-commit": commit,
};

/** Builds a resource of `type` named `name` with `properties`. */
export function resource(type: string, name: string, properties: Record<string, unknown>, extra: Partial<PolicyResource> = {}): PolicyResource {
    return { urn: `urn:pulumi:test::gitops-platform::${type}::${name}`, type, name, properties, ...extra };
}

/** Builds a Kubernetes object resource from a manifest (type token from apiVersion and kind), labelled for audit. */
export function k8s(manifest: Record<string, unknown>, extra: Partial<PolicyResource> = {}): PolicyResource {
    const apiVersion = String(manifest.apiVersion);
    const group = apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`;
    const metadata = (manifest.metadata ?? {}) as Record<string, unknown>;
    const withLabels = { ...manifest, metadata: { ...metadata, labels: { ...auditLabels, ...((metadata.labels as object) ?? {}) } } };
    return resource(`kubernetes:${group}:${String(manifest.kind)}`, String(metadata.name ?? "unnamed"), withLabels, extra);
}

/** Diagnostics of one policy. */
export function of(diags: PolicyDiagnostic[], policy: string): PolicyDiagnostic[] {
    return diags.filter(d => d.policyName === policy);
}

/** Asserts that `policy` reported a violation whose message matches `reason`. */
export function assertViolates(diags: PolicyDiagnostic[], policy: string, reason?: RegExp): PolicyDiagnostic {
    const found = of(diags, policy);
    assert.ok(found.length > 0, `expected ${policy} to be violated; got ${JSON.stringify(diags.map(d => d.policyName))}`);
    if (reason) {
        assert.ok(found.some(d => reason.test(d.message)), `expected ${policy} message to match ${reason}; got ${found.map(d => d.message).join(" | ")}`);
    }
    return found[0];
}

/** Asserts that `policy` reported nothing. */
export function assertPasses(diags: PolicyDiagnostic[], policy: string): void {
    const found = of(diags, policy);
    assert.deepStrictEqual(found.map(d => d.message), [], `expected ${policy} to pass`);
}

/** An Argo CD Application in the argocd namespace with `spec`. */
export const app = (spec: Record<string, unknown>, name = "app") =>
    k8s({ apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name, namespace: "argocd" }, spec });
/** An Argo CD ApplicationSet whose template has `spec`. */
export const appSet = (spec: Record<string, unknown>) =>
    k8s({ apiVersion: "argoproj.io/v1alpha1", kind: "ApplicationSet", metadata: { name: "addons", namespace: "argocd" }, spec: { generators: [], template: { metadata: { name: "{{name}}" }, spec } } });
/** An in-cluster destination. */
export const dest = { server: "https://kubernetes.default.svc", namespace: "apps" };
/** A Git source of the platform's repository at `targetRevision`. */
export const gitSource = (targetRevision?: string) => ({ repoURL: "https://github.com/acme-platform/gitops-platform.git", path: "charts/web", targetRevision });
/** A Helm chart source (cert-manager) at `targetRevision`. */
export const chartSource = (targetRevision: string) => ({ repoURL: "https://charts.jetstack.io", chart: "cert-manager", targetRevision });
/** A Deployment with `podSpec`. */
export const deployment = (podSpec: Record<string, unknown>) =>
    k8s({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "apps" }, spec: { template: { spec: podSpec } } });
/** A container security context that passes container-security-context. */
export const safeContext = { runAsNonRoot: true, allowPrivilegeEscalation: false };
/** A chart as the component that owns it shows it (a helm v4 Chart shows the engine no inputs): ArgoCd for argo-cd, else BootstrapAddon. */
export const chart = (props: Record<string, unknown>, extra = {}) =>
    resource(props.chart === "argo-cd" ? "gitops:platform:ArgoCd" : "gitops:platform:BootstrapAddon", String(props.chart ?? "chart"), { namespace: "argocd", ...props }, extra);
/** argo-cd chart values that pass argocd-install-hardened. */
export const hardenedArgoValues = {
    configs: {
        cm: { "admin.enabled": false, "exec.enabled": false, "users.anonymous.enabled": false },
        params: { "server.insecure": false },
        rbac: { "policy.default": "role:readonly" },
    },
    notifications: { enabled: true, notifiers: { "service.slack": "token: $slack-token" } },
};
/** The argo-cd chart (on its ArgoCd component) with `values`. */
export const argoChart = (values: Record<string, unknown>, extra = {}) =>
    chart({ chart: "argo-cd", version: "10.1.1", repositoryOpts: { repo: "https://argoproj.github.io/argo-helm" }, values }, extra);
