/**
 * Rendered chart objects through the CrossGuard policy pack (policies/, prod config), as the
 * engine would hand them over: the real environments raise no mandatory violation, and values
 * that render a `latest` image, a privileged container or credentials in the ConfigMap raise the
 * named one (the values schema is skipped there to show the pack holds on its own).
 */
import { strict as assert } from "assert";
import * as path from "path";
import { PolicyAnalyzer, PolicyDiagnostic, PolicyResource, readPolicyConfigFile, startPolicyAnalyzer } from "../tools/policy-analyzer";
import { findTool, helmTemplate, KubernetesObject, repoRoot, TemplateOptions } from "./support/helm";

const chartDir = path.join(repoRoot, "charts", "hello-service");
const badValues = (file: string): string => path.join(repoRoot, "test", "fixtures", "charts", "hello-service", file);
/** What Argo CD (Git path) or the publish workflow (OCI) supplies. */
const GIT_COMMIT = "0123456789abcdef0123456789abcdef01234567";

/** A rendered object as a resource of the Kubernetes provider: `kubernetes:<group>/<version>:<Kind>`, core → `core/v1`. */
function asPolicyResource(obj: KubernetesObject, stack: string): PolicyResource {
    const [group, version] = obj.apiVersion.includes("/") ? obj.apiVersion.split("/") : ["core", obj.apiVersion];
    const type = `kubernetes:${group}/${version}:${obj.kind}`;
    const name = `${obj.kind.toLowerCase()}-${obj.metadata.name}`;
    return { urn: `urn:pulumi:${stack}::gitops-platform::${type}::${name}`, type, name, properties: obj as unknown as Record<string, unknown> };
}

describe("charts/ through the policy pack (prod config)", function () {
    this.timeout(300_000);
    let analyzer: PolicyAnalyzer;

    before(async () => {
        findTool("helm");
        analyzer = await startPolicyAnalyzer(path.join(repoRoot, "policies"));
        const configFile = path.join(repoRoot, "policies", "config", "prod.json");
        // readPolicyConfigFile returns plain JSON; configure validates it against the pack's schemas.
        await analyzer.configure(readPolicyConfigFile(configFile), configFile);
    });
    after(async () => {
        await analyzer?.close();
    });

    async function diagnostics(options: TemplateOptions): Promise<{ resource: PolicyResource; diagnostic: PolicyDiagnostic }[]> {
        const objects = helmTemplate(chartDir, { releaseName: "hello", namespace: "apps", ...options });
        const found: { resource: PolicyResource; diagnostic: PolicyDiagnostic }[] = [];
        for (const obj of objects) {
            const resource = asPolicyResource(obj, "prod");
            for (const diagnostic of await analyzer.analyze(resource)) found.push({ resource, diagnostic });
        }
        return found;
    }
    const describeAll = (found: { resource: PolicyResource; diagnostic: PolicyDiagnostic }[]): string =>
        found.map(({ resource, diagnostic }) => `${resource.type} ${resource.name}: [${diagnostic.enforcementLevel}] ${diagnostic.policyName}: ${diagnostic.message}`).join("\n");

    for (const env of ["dev", "staging", "prod"]) {
        it(`passes every mandatory rule for values-${env}.yaml`, async () => {
            const found = await diagnostics({ valuesFiles: [path.join(chartDir, `values-${env}.yaml`)], set: [`audit.gitCommit=${GIT_COMMIT}`] });
            const mandatory = found.filter((f) => f.diagnostic.enforcementLevel === "mandatory");
            assert.deepEqual(describeAll(mandatory), "", "mandatory violations");
        });
    }

    it("rejects objects without a real Git commit label (the chart's `unknown` default)", async () => {
        const found = await diagnostics({ valuesFiles: [path.join(chartDir, "values-prod.yaml")] });
        const audit = found.filter((f) => f.diagnostic.policyName === "audit-metadata-required");
        assert.ok(audit.length > 0, `no audit-metadata-required violation:\n${describeAll(found)}`);
        assert.match(audit[0].diagnostic.message, /gitops\.platform\/git-commit.*"unknown", expected a 40-hex Git commit/);
    });

    const cases: { file: string; policy: string; kind: string; message: RegExp; schema: boolean }[] = [
        { file: "schema-latest-tag.yaml", policy: "container-image-pinned", kind: "Deployment", message: /podinfo:latest" uses the latest tag/, schema: true },
        { file: "schema-privileged.yaml", policy: "container-security-context", kind: "Deployment", message: /containers\[0\] \(hello-service\) is privileged/, schema: true },
        { file: "policy-secret-in-config.yaml", policy: "no-secret-literals", kind: "ConfigMap", message: /data\.AWS_SECRET_ACCESS_KEY \(secretlint aws\).*data\.DATABASE_PASSWORD/, schema: false },
    ];
    for (const c of cases) {
        it(`reports ${c.policy} on the ${c.kind} for ${c.file}`, async () => {
            const found = await diagnostics({
                valuesFiles: [path.join(chartDir, "values-prod.yaml"), badValues(c.file)],
                set: [`audit.gitCommit=${GIT_COMMIT}`],
                skipSchemaValidation: c.schema,
            });
            const hit = found.filter((f) => f.diagnostic.policyName === c.policy && f.resource.type.endsWith(`:${c.kind}`));
            assert.equal(hit.length, 1, `expected one ${c.policy} violation on the ${c.kind}:\n${describeAll(found)}`);
            assert.equal(hit[0].diagnostic.enforcementLevel, "mandatory");
            assert.match(hit[0].diagnostic.message, c.message);
        });
    }

    it("never repeats the credentials it found", async () => {
        const found = await diagnostics({ valuesFiles: [badValues("policy-secret-in-config.yaml")], set: [`audit.gitCommit=${GIT_COMMIT}`] });
        const text = describeAll(found);
        assert.match(text, /no-secret-literals/);
        for (const canary of ["AKIAQZ4XVCANARY7HELO", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYCANARYKEY9", "canary-Pa55w0rd-hello-service", "CANARY"]) {
            assert.ok(!text.includes(canary), `a diagnostic repeats the canary ${canary}`);
        }
    });
});
