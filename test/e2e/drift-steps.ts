/**
 * Drift across Terraform, Pulumi and Argo CD in one report (issue 25), on the loop: drift is made by
 * hand at each layer (the foundation re-applied with a changed output, Argo CD's argocd-cm edited, an
 * audit label of an Argo CD CRD changed (the argocd-crds stack's), an Application's self-heal turned
 * off and its Deployment scaled, an object no Application owns, a
 * Secret's value changed to a canary), `npm run drift` names each with its layer, object and fields (the Secret's
 * value nowhere), `--remediate` (the loop's stack corrects, like dev) brings Pulumi and Argo CD back,
 * and a second run reports no drift.
 */
import * as assert from "assert";
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { Kubectl } from "../../tools/local-cluster/kubectl";
import { pollUntil } from "../../tools/local-cluster/managed-process";
import type { DriftItem, DriftReport } from "../../tools/drift/model";
import { AUDIT_LABELS } from "../../lib/auditLabels";
import { findCanary, newCanary } from "./canary";
import { E2eRun, roundSeconds as round } from "./e2e-run";

/** The Argo CD CRD whose audit label is changed by hand, and the owner it is given. */
const CRD = "applications.argoproj.io";
const CRD_OWNER_BY_HAND = "edited-by-hand";

export interface DriftSummary {
    /** Items per layer in the first report, and its exit code. */
    found: Record<string, number> | null;
    exitCodes: { first: number | null; afterRemediation: number | null };
    seconds: { report: number | null; remediate: number | null };
}

export interface DriftStepsContext {
    kubectl: () => Kubectl;
    /** The folder holding the foundation's copy (main.tf and the state the stack file reads). */
    terraformDir: string;
    configFile: string;
    kubeconfig: () => string;
    namespace: string;
    app: string;
    appNamespace: string;
}

interface CliRun {
    code: number;
    stdout: string;
    stderr: string;
    seconds: number;
}

export async function driftSteps(run: E2eRun, ctx: DriftStepsContext): Promise<DriftSummary> {
    const summary: DriftSummary = { found: null, exitCodes: { first: null, afterRemediation: null }, seconds: { report: null, remediate: null } };
    const kubectl = () => ctx.kubectl();
    const canary = newCanary();
    const orphan = "left-by-hand";
    /** `npm run drift` as a user runs it, against the loop's backend, kubeconfig and stack file. */
    const drift = (extra: string[]): Promise<CliRun> =>
        new Promise((resolve) => {
            const started = Date.now();
            const args = ["--transpile-only", path.join(run.projectRoot, "tools", "drift", "cli.ts"), "--stack", "local", "--config-file", ctx.configFile, "--kubeconfig", ctx.kubeconfig(), "--namespace", ctx.namespace, ...extra];
            const env = { ...process.env, PULUMI_BACKEND_URL: `file://${run.ws.backendDir}`, PULUMI_CONFIG_PASSPHRASE: run.ws.passphrase };
            execFile(path.join(run.projectRoot, "node_modules", ".bin", "ts-node"), args, { cwd: run.projectRoot, env, maxBuffer: 64 * 1024 * 1024, timeout: 900_000 }, (error, stdout, stderr) => {
                run.record(`npm run drift ${extra.join(" ")}`, `${stdout}\n${stderr}`);
                resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr, seconds: round((Date.now() - started) / 1000) });
            });
        });
    const report = (r: CliRun) => {
        try {
            return JSON.parse(r.stdout) as DriftReport;
        } catch {
            throw new Error(`npm run drift printed no JSON (exit ${r.code}):\n${r.stderr.slice(-3000)}`);
        }
    };
    const find = (r: DriftReport, layer: string, match: (i: DriftItem) => boolean) => r.layers.find((l) => l.layer === layer)?.items.find(match);

    await run.step("drift made by hand at each layer: the foundation re-applied with a changed output, argocd-cm edited, an Argo CD CRD's owner label changed, self-heal off and a Deployment scaled, an object no Application owns, a Secret's value changed", async () => {
        const terraform = path.join(run.projectRoot, ".tools", "bin", "terraform");
        // Offline: only Terraform's builtin provider, an empty CLI configuration (stacks/local/terraform/regenerate.sh).
        fs.writeFileSync(path.join(ctx.terraformDir, "empty.tfrc"), "");
        const env = { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: path.join(ctx.terraformDir, "empty.tfrc") };
        for (const args of [["init", "-input=false", "-no-color"], ["apply", "-auto-approve", "-input=false", "-no-color", "-var", "kubernetes_version=1.34"]]) {
            execFileSync(terraform, args, { cwd: ctx.terraformDir, env, stdio: "pipe" });
        }
        await kubectl().run(["patch", "configmap", "argocd-cm", "-n", ctx.namespace, "--type=merge", "-p", JSON.stringify({ data: { "exec.enabled": "true" } })]);
        // The CRDs are the argocd-crds stack's (the local stack file says so): the Pulumi layer reads that stack too.
        await kubectl().run(["label", "crd", CRD, `${AUDIT_LABELS.owner}=${CRD_OWNER_BY_HAND}`, "--overwrite"]);
        await kubectl().run(["patch", "applications.argoproj.io", ctx.app, "-n", ctx.namespace, "--type=merge", "-p", JSON.stringify({ spec: { syncPolicy: { automated: { selfHeal: false } } } })]);
        await kubectl().run(["scale", `deployment/${ctx.app}`, "-n", ctx.appNamespace, "--replicas=3"]);
        await kubectl().run(["create", "configmap", orphan, "-n", ctx.appNamespace, "--from-literal=note=made-by-hand"]);
        await kubectl().run(["patch", "secret", "repo-envoyproxy", "-n", ctx.namespace, "--type=merge", "-p", JSON.stringify({ stringData: { name: canary } })]);
        // Argo CD compares on its own (no refresh asked): the scaled Deployment shows OutOfSync.
        await pollUntil(
            async () => (await kubectl().get<{ status?: { sync?: { status?: string } } }>(["applications.argoproj.io", ctx.app, "-n", ctx.namespace]))?.status?.sync?.status === "OutOfSync",
            180_000,
            `${ctx.app} to be OutOfSync`,
        );
        return "terraform apply -var kubernetes_version=1.34; argocd-cm exec.enabled; applications.argoproj.io owner label; hello-service selfHeal false, replicas 3; ConfigMap hello/left-by-hand; Secret argocd/repo-envoyproxy name";
    });

    let first: DriftReport | undefined;
    await run.step("npm run drift names each drift with its layer, object and fields, and the Secret's value nowhere (exit 1)", async () => {
        // One run writes every form (drift.txt, .md, .json, .sarif): the JSON is checked, all for the canary.
        const out = path.join(run.work, "drift-report");
        const r = await drift(["--out", out]);
        const files = ["drift.txt", "drift.md", "drift.json", "drift.sarif"].map((f) => path.join(out, f));
        const missing = files.filter((f) => !fs.existsSync(f));
        assert.deepStrictEqual(missing, [], `npm run drift --out wrote no ${missing.join(", ")} (exit ${r.code}):\n${r.stderr.slice(-3000)}`);
        first = report({ ...r, stdout: fs.readFileSync(files[2], "utf8") });
        summary.exitCodes.first = r.code;
        summary.seconds.report = r.seconds;
        summary.found = Object.fromEntries(first.layers.map((l) => [l.layer, l.status === "error" ? -1 : l.items.length]));
        for (const l of first.layers) assert.notStrictEqual(l.status, "error", `the ${l.layer} layer could not be read: ${l.error}`);
        assert.strictEqual(r.code, 1, `exit ${r.code}, expected 1 (drift)`);
        const output = find(first, "terraform", (i) => i.object.includes("cluster_version"));
        assert.ok(output, "the Terraform layer misses output cluster_version");
        assert.ok(output.fields.some((f) => f.actual?.includes("1.34")), `cluster_version: ${JSON.stringify(output.fields)}`);
        const cm = find(first, "pulumi", (i) => i.object.includes("argocd-cm"));
        assert.ok(cm?.fields.some((f) => f.path.includes("exec.enabled")), `argocd-cm: ${JSON.stringify(cm)}`);
        const crd = find(first, "pulumi", (i) => i.object === `CustomResourceDefinition ${CRD}`);
        assert.ok(crd?.fields.some((f) => f.path.includes(AUDIT_LABELS.owner) && f.actual === JSON.stringify(CRD_OWNER_BY_HAND)), `the CRD's label: ${JSON.stringify(crd)}`);
        assert.match(first.layers.find((l) => l.layer === "pulumi")!.source, /and the argocd-crds stack local/);
        const app = find(first, "pulumi", (i) => i.object.includes(ctx.app) && /Application/.test(i.object));
        assert.ok(app?.fields.some((f) => f.path.includes("selfHeal")), `the Application's self-heal: ${JSON.stringify(app)}`);
        const secret = find(first, "pulumi", (i) => i.object.includes("repo-envoyproxy"));
        assert.ok(secret?.fields.some((f) => f.secret), `Secret repo-envoyproxy: ${JSON.stringify(secret)}`);
        const deployment = find(first, "argocd", (i) => i.object.includes(`Deployment ${ctx.appNamespace}/${ctx.app}`));
        assert.ok(deployment, "the Argo CD layer misses the scaled Deployment");
        assert.strictEqual(deployment.selfHeals, false);
        assert.ok(deployment.fields.some((f) => f.path === "spec.replicas" && f.actual === "3"), `the Deployment's fields: ${JSON.stringify(deployment.fields)}`);
        assert.ok(find(first, "argocd", (i) => i.kind === "orphaned" && i.object.includes(orphan)), "the orphan is not reported");
        assert.deepStrictEqual(findCanary(canary, { files, texts: { output: r.stdout + r.stderr } }), [], "the Secret's value in a report or the output");
        return `${JSON.stringify(summary.found)} in ${r.seconds} s`;
    });

    await run.step("npm run drift --remediate (the stack corrects, like dev) brings Pulumi and Argo CD back; with the orphan removed by hand a second run reports no drift (exit 0)", async () => {
        const r = await drift(["--format", "json", "--remediate"]);
        summary.seconds.remediate = r.seconds;
        const fixed = report(r);
        const failed = (fixed.remediation ?? []).filter((s) => !s.ok);
        assert.deepStrictEqual(failed, [], "remediation steps failed");
        const up = fixed.remediation?.find((s) => s.action.startsWith("pulumi up"));
        assert.ok(up, "pulumi up --refresh did not run");
        assert.match(up.detail, /[1-9]\d* of them in the argocd-crds stack local/, "the CRDs' stack was not corrected");
        // Orphans are reported, never deleted by the remediation: a person decides.
        assert.ok(await kubectl().get(["configmap", orphan, "-n", ctx.appNamespace]), "the remediation deleted the orphan");
        await kubectl().run(["delete", "configmap", orphan, "-n", ctx.appNamespace]);
        await pollUntil(
            async () => (await kubectl().get<{ spec: { replicas: number } }>(["deployment", ctx.app, "-n", ctx.appNamespace]))?.spec.replicas !== 3,
            180_000,
            "the sync to scale the Deployment back",
        );
        let last: CliRun | undefined;
        await pollUntil(
            async () => {
                last = await drift(["--format", "json"]);
                return last.code === 0;
            },
            240_000,
            "a report without drift",
            () => (last ? `exit ${last.code}: ${last.stdout.slice(0, 3000)}` : ""),
        );
        summary.exitCodes.afterRemediation = last!.code;
        return `remediation in ${r.seconds} s: ${(fixed.remediation ?? []).map((s) => s.action).join(", ")}; then no drift`;
    });
    return summary;
}
