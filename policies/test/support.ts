/** Builders shared by the policy specs: resources in the shape the analyzer client sends. */
import * as assert from "assert";
import * as path from "path";
import { PolicyDiagnostic, PolicyResource } from "../../tools/policy-analyzer";

/** The pack directory. */
export const packDir = path.resolve(__dirname, "..");

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
