/**
 * Property: a credential of any shape the secret rules know (and a URL with user info), placed
 * anywhere in a resource's inputs (Helm values objects, a Helm values YAML string, ConfigMap data,
 * annotations, env vars, at any depth, under any key), is reported by no-secret-literals and never
 * reaches what the plan writes: manifests, resources.json, the JSON and SARIF reports, or a
 * console line. Run through the real policy pack (the analyzer gRPC server) and the plan's writers.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as fc from "fast-check";
import * as YAML from "yaml";
import { jsonReport, PolicyAnalyzer, sarifReport, startPolicyAnalyzer } from "../../tools/policy-analyzer";
import { writeManifests } from "../../tools/plan/manifests";
import { redactResources, Redactor } from "../../tools/plan/redaction";
import { toResourceRecords } from "../../tools/plan/resources-file";
import { RegisteredResource } from "../../tools/plan/run-program";
import { formatSummary } from "../../tools/plan/summary";
import { packDir } from "../../policies/test/support";
import { check } from "./property";

/** One canary per credential shape, built from parts so this file holds no literal a scanner would flag. */
const r = (n: number) => "Q7x".repeat(Math.ceil(n / 3)).slice(0, n);
const SHAPES: Record<string, (tag: string) => string> = {
    github: (t) => `ghp_${t}${r(36 - t.length)}`,
    gitlab: (t) => `glpat-${t}${r(20 - t.length)}`,
    slack: (t) => `xoxb-123456789012-1234567890123-${t}${r(24 - t.length)}`,
    npm: (t) => `npm_${t}${r(36 - t.length)}`,
    "aws-access-key-id": (t) => `AKIA${t.toUpperCase().replace(/[^A-Z0-9]/g, "X")}${"7QZ3".repeat(4)}`.slice(0, 20),
    jwt: (t) => `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOi${t}In0.${r(43)}`,
    stripe: (t) => `sk_live_${t}${r(24)}`,
    "private-key": (t) => `-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC${t}\n-----END PRIVATE KEY-----`,
    "azure-storage-key": (t) => `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${t}${r(60)}==;EndpointSuffix=core.windows.net`,
    "vault-token": (t) => `hvs.${t}${r(24)}`,
    "docker-pat": (t) => `dckr_pat_${t}${r(24)}`,
    sendgrid: (t) => `SG.${t}${r(18)}.${r(43)}`,
    "basic-auth-url": (t) => `https://deploy:${t}${r(12)}@git.example.com/org/repo.git`,
    "database-url": (t) => `postgres://app:${t}${r(12)}@db.example.com:5432/app`,
};

/** Where a canary goes: the resource and the path (the last key is chosen by the property). */
const PLACES = ["application-values", "applicationset-values-string", "configmap-data", "annotation", "env"] as const;

function resourceWith(place: (typeof PLACES)[number], nesting: string[], key: string, canary: string): RegisteredResource {
    const nested = nesting.reduceRight<unknown>((inner, k) => ({ [k]: inner }), { [key]: canary }) as Record<string, unknown>;
    const meta = { name: "case", namespace: "argocd" };
    const byPlace: Record<(typeof PLACES)[number], [string, Record<string, unknown>]> = {
        "application-values": ["kubernetes:argoproj.io/v1alpha1:Application", { apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: meta, spec: { project: "team", source: { repoURL: "https://github.com/acme-platform/charts", chart: "x", targetRevision: "1.0.0", helm: { valuesObject: nested } } } }],
        "applicationset-values-string": ["kubernetes:argoproj.io/v1alpha1:ApplicationSet", { apiVersion: "argoproj.io/v1alpha1", kind: "ApplicationSet", metadata: meta, spec: { template: { spec: { source: { repoURL: "https://charts.jetstack.io", chart: "cert-manager", targetRevision: "v1.0.0", helm: { values: YAML.stringify(nested) } } } } } }],
        "configmap-data": ["kubernetes:core/v1:ConfigMap", { apiVersion: "v1", kind: "ConfigMap", metadata: meta, data: { [key]: canary, config: JSON.stringify(nested) } }],
        annotation: ["kubernetes:core/v1:ConfigMap", { apiVersion: "v1", kind: "ConfigMap", metadata: { ...meta, annotations: { [`example.com/${key.replace(/[^\w.-]/g, "") || "k"}`]: canary } } }],
        env: ["kubernetes:apps/v1:Deployment", { apiVersion: "apps/v1", kind: "Deployment", metadata: meta, spec: { template: { spec: { containers: [{ name: "app", image: "app:1.0.0", env: [{ name: key.replace(/\W/g, "_") || "VALUE", value: canary }] }] } } } }],
    };
    const [type, properties] = byPlace[place];
    return {
        urn: `urn:pulumi:dev::gitops-platform::${type}::case`,
        type,
        name: "case",
        custom: true,
        remote: false,
        properties,
        inputs: properties,
        options: { protect: false, retainOnDelete: false, dependsOn: [], additionalSecretOutputs: [], ignoreChanges: [], deleteBeforeReplace: false },
    };
}

const innocentKey = fc.constantFrom("note", "url", "endpoint", "value", "data", "x", "config", "connection");
const caseArb = fc.record({
    shape: fc.constantFrom(...Object.keys(SHAPES)),
    tag: fc.stringMatching(/^[A-Za-z0-9]{4,8}$/),
    place: fc.constantFrom(...PLACES),
    nesting: fc.array(fc.constantFrom("config", "app", "extra", "a", "b"), { maxLength: 4 }),
    key: innocentKey,
});

describe("property: a credential anywhere is reported and never written or printed", function () {
    this.timeout(180000);
    let analyzer: PolicyAnalyzer;
    let dir: string;
    before(async () => {
        analyzer = await startPolicyAnalyzer(packDir);
        await analyzer.configure({ all: "disabled", "no-secret-literals": "mandatory" }, "test config");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "secrets-property-"));
    });
    after(async () => {
        await analyzer?.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("every shape, every place: no-secret-literals names it, no output carries it", async () => {
        await check(
            fc.asyncProperty(caseArb, async ({ shape, tag, place, nesting, key }) => {
                const canary = SHAPES[shape](tag);
                const resource = resourceWith(place, nesting, key, canary);
                const diagnostics = await analyzer.analyze({ urn: resource.urn, type: resource.type, name: resource.name, properties: resource.properties });
                assert.ok(diagnostics.some((d) => d.policyName === "no-secret-literals"), `no-secret-literals did not report ${shape} in ${place}`);

                // What the plan writes and prints for that resource.
                const redactor = new Redactor();
                const safe = await redactResources([resource], redactor);
                const scrubbed = safe.map((s) => ({ ...s, properties: redactor.scrubValue(s.properties) }));
                const out = fs.mkdtempSync(path.join(dir, "case-"));
                writeManifests(path.join(out, "manifests"), scrubbed);
                const info = await analyzer.getAnalyzerInfo();
                const safeDiagnostics = redactor.scrubValue(diagnostics);
                const texts = [
                    JSON.stringify(toResourceRecords(scrubbed)),
                    JSON.stringify(jsonReport(safeDiagnostics, info, "dev")),
                    JSON.stringify(sarifReport(safeDiagnostics, info, { stack: "dev", artifactUri: "stacks/Pulumi.dev.yaml" })),
                    redactor.scrub(formatSummary("dev", out, scrubbed, 1, safeDiagnostics)),
                    ...fs.readdirSync(path.join(out, "manifests")).map((f) => fs.readFileSync(path.join(out, "manifests", f), "utf8")),
                ];
                fs.rmSync(out, { recursive: true, force: true });
                const secretPart = canary.includes("@") ? canary.slice(canary.indexOf(":", 10) + 1, canary.indexOf("@")) : canary;
                for (const text of texts) {
                    assert.ok(!text.includes(secretPart) && !text.includes(JSON.stringify(secretPart).slice(1, -1)), `${shape} in ${place} leaked into: ${text.slice(0, 300)}`);
                }
            }),
            300,
        );
    });
});
