/**
 * The drift report's forms and exit codes (tools/drift/report.ts, model.ts), and who may remediate
 * (`drift.remediation`, stacks/schema/drift.ts): what a schedule and a person rely on.
 */
import * as assert from "assert";
import { type DriftReport, exitCode, layerResult } from "../tools/drift/model";
import { render } from "../tools/drift/report";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { PlatformConfigSchema } from "../stacks/schema";
import { PROJECT_ROOT } from "./support/program";

function loadStackFile(stack: string): Record<string, unknown> {
    return YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8")).config["gitops-platform:platform"];
}

const started = Date.now();
const drifted: DriftReport = {
    stack: "dev",
    generatedAt: "2026-12-03T10:00:00.000Z",
    layers: [
        layerResult("terraform", "local state stacks/local/terraform/terraform.tfstate", started, {
            items: [{ layer: "terraform", object: "output cluster_version", kind: "changed", fields: [{ path: "cluster_version", expected: '"1.33"', actual: '"1.34"' }], action: "pulumi up --refresh" }],
        }),
        layerResult("pulumi", "the local loop's backend", started, {
            items: [
                { layer: "pulumi", cluster: "in-cluster", object: "Secret argocd/repo-envoyproxy", kind: "changed", fields: [{ path: "data.name", secret: true }], changedBy: [{ manager: "kubectl-patch", time: "2026-12-03T09:59:00Z" }], action: "pulumi up --refresh corrects it" },
            ],
        }),
        layerResult("argocd", "Applications in argocd", started, {
            items: [
                { layer: "argocd", cluster: "in-cluster", application: "hello-service", object: "Deployment hello/hello-service", kind: "changed", fields: [{ path: "spec.replicas", expected: "1", actual: "3" }], selfHeals: false, action: "sync | the Application" },
                { layer: "argocd", cluster: "fleet-01", application: "hello-fleet-01", object: "ConfigMap hello/left", kind: "orphaned", fields: [], action: "delete it" },
            ],
        }),
    ],
};

describe("the drift report", () => {
    it("exits 1 on drift, 2 when a layer could not be read and nothing drifted, 0 when all is clean", () => {
        assert.strictEqual(exitCode(drifted), 1);
        const unread = layerResult("pulumi", "backend", started, { error: "the backend is unreachable" });
        const clean = (l: "terraform" | "argocd") => layerResult(l, "x", started, { items: [] });
        assert.strictEqual(exitCode({ ...drifted, layers: [clean("terraform"), unread, clean("argocd")] }), 2);
        assert.strictEqual(exitCode({ ...drifted, layers: [clean("terraform"), clean("argocd")] }), 0);
        // Drift seen in one layer is drift, even where another could not be read.
        assert.strictEqual(exitCode({ ...drifted, layers: [drifted.layers[0], unread] }), 1);
    });

    it("JSON carries each layer's status for a schedule acting on one layer, and the exit code", () => {
        const json = JSON.parse(render(drifted, "json")) as DriftReport & { exitCode: number };
        assert.deepStrictEqual(json.layers.map((l) => [l.layer, l.status]), [["terraform", "drift"], ["pulumi", "drift"], ["argocd", "drift"]]);
        assert.strictEqual(json.exitCode, 1);
    });

    it("text and Markdown group by layer then cluster, say what to do, and show a secret only as changed", () => {
        for (const format of ["text", "md"] as const) {
            const out = render(drifted, format);
            const [terraform, pulumi, argocd] = ["Terraform (", "Pulumi (", "Argo CD ("].map((t) => out.indexOf(t));
            assert.ok(terraform >= 0 && terraform < pulumi && pulumi < argocd, `${format}: layers out of order`);
            assert.ok(argocd < out.indexOf("in-cluster", argocd) && out.indexOf("in-cluster", argocd) < out.indexOf("fleet-01", argocd), `${format}: clusters out of order`);
            assert.match(out, /data\.name: changed \(secret\)/);
            assert.match(out, /spec\.replicas: 1 -> 3/);
            assert.match(out, /what to do: /);
        }
        // A value with a pipe cannot break the Markdown table or list.
        assert.ok(!render(drifted, "md").includes("sync | the"), "an unescaped pipe");
    });

    it("SARIF: one warning per item with a stable fingerprint, a failed layer as an error notification", () => {
        const log = JSON.parse(render({ ...drifted, layers: [...drifted.layers, layerResult("pulumi", "b", started, { error: "no credentials" })] }, "sarif"));
        const run = log.runs[0];
        assert.strictEqual(run.results.length, 4);
        assert.ok(run.results.every((r: { level: string; partialFingerprints: Record<string, string> }) => r.level === "warning" && r.partialFingerprints["drift/v1"]));
        assert.strictEqual(run.invocations[0].executionSuccessful, false);
        assert.match(run.invocations[0].toolExecutionNotifications[0].message.text, /no credentials/);
    });
});

describe("drift.remediation: who corrects its own drift", () => {
    it("local and dev may correct; staging and prod report, a config error naming the key otherwise", () => {
        for (const stack of ["local", "dev"]) {
            const platform = PlatformConfigSchema.parse(loadStackFile(stack));
            assert.strictEqual(platform.drift.remediation, "correct", stack);
        }
        for (const stack of ["staging", "prod"]) {
            const raw = loadStackFile(stack) as Record<string, unknown>;
            assert.strictEqual(PlatformConfigSchema.parse(raw).drift.remediation, "report");
            const refused = PlatformConfigSchema.safeParse({ ...raw, drift: { remediation: "correct" } });
            assert.ok(!refused.success, `${stack} accepted remediation: correct`);
            assert.ok(refused.error.issues.some((i) => i.path.join(".") === "drift.remediation" && /only a stack nobody depends on/.test(i.message)));
        }
    });
});
