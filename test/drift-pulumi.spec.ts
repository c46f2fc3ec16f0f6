/**
 * The Pulumi layer of `npm run drift` (tools/drift/pulumi.ts) for real: a tiny program (a ConfigMap,
 * a Secret holding a canary, a ConfigMap to delete) deployed with the pinned CLI to a local control
 * plane, changed with kubectl, then `pulumi refresh --preview-only` read back as drift items with the
 * fields, who changed them, and no secret value; `remediatePulumi` brings it back. Then the same stack
 * file puts its CRDs in an argocd-crds stack (a second tiny program, a CRD): both stacks are read and
 * corrected. Also the recorded engine output of such a run (test/fixtures/drift/pulumi-refresh-preview.json)
 * and the failures.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { DriftContext } from "../tools/drift/context";
import { parsePropertyPath, parseRefresh, pulumiDrift, refreshDriftItems, remediatePulumi } from "../tools/drift/pulumi";
import { argoCdCrdsCli } from "../tools/engine/argocd-crds-stack";
import { type EngineWorkspace, runPulumi } from "../tools/engine/pulumi-cli";
import { type ControlPlane, startControlPlane } from "../tools/local-cluster/control-plane";
import { isAlive } from "../tools/local-cluster/managed-process";

const repo = path.join(__dirname, "..");
const ACTION = "pulumi up --refresh corrects it (dev does this with --remediate); or change the program/config if the change should stay";

/** The program: plain JavaScript, so the engine starts it without compiling anything. */
const PROGRAM = `
const k8s = require("@pulumi/kubernetes");
const pulumi = require("@pulumi/pulumi");
const config = new pulumi.Config();
const provider = new k8s.Provider("hub", { kubeconfig: config.requireSecret("kubeconfig") });
const ns = new k8s.core.v1.Namespace("probe", { metadata: { name: "probe" } }, { provider });
const opts = { provider, dependsOn: [ns] };
new k8s.core.v1.ConfigMap("settings", { metadata: { name: "settings", namespace: "probe" }, data: { mode: "strict", replicas: "2" } }, opts);
new k8s.core.v1.Secret("token", { metadata: { name: "token", namespace: "probe" }, stringData: { token: config.requireSecret("token") } }, opts);
new k8s.core.v1.ConfigMap("doomed", { metadata: { name: "doomed", namespace: "probe" }, data: { a: "b" } }, opts);
`;

/** The CRDs' program (argocd-crds/ beside it, the same stack file): one small CRD with an audit label. */
const CRDS_PROGRAM = `
const k8s = require("@pulumi/kubernetes");
const pulumi = require("@pulumi/pulumi");
const provider = new k8s.Provider("hub", { kubeconfig: new pulumi.Config("drift-probe").requireSecret("kubeconfig") });
new k8s.apiextensions.v1.CustomResourceDefinition("probes", {
    metadata: { name: "probes.drift.example", labels: { "gitops.platform/owner": "platform" } },
    spec: {
        group: "drift.example", scope: "Namespaced",
        names: { plural: "probes", singular: "probe", kind: "Probe" },
        versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
    },
}, { provider });
`;

describe("drift: the Pulumi layer", () => {
    it("reads the engine's recorded refresh preview: updates and deletes, Kubernetes names, secrets without values", () => {
        const text = fs.readFileSync(path.join(__dirname, "fixtures", "drift", "pulumi-refresh-preview.json"), "utf8");
        const steps = parseRefresh(text, "fixture");
        assert.equal(steps.length, 6);
        const items = refreshDriftItems(steps);
        assert.deepEqual(
            items.map((i) => [i.object, i.kind, i.cluster]),
            [
                ["ConfigMap probe/doomed", "missing", "in-cluster"],
                ["ConfigMap probe/settings", "changed", "in-cluster"],
                ["Secret probe/token", "changed", "in-cluster"],
            ],
        );
        assert.deepEqual(items[2].fields, [{ path: "data.token", secret: true }]);
        assert.deepEqual(items[1].fields, [{ path: "data.mode", expected: '"strict"', actual: '"lenient"' }]);
        // Who changed it, as the refresh read the object (no cluster at hand here).
        assert.deepEqual(items[1].changedBy?.map((c) => [c.manager, c.operation]), [["kubectl-patch", "Update"]]);
        assert.ok(items.every((i) => i.action === ACTION && i.layer === "pulumi"));
        assert.throws(() => parseRefresh("not json", "pulumi refresh of stack s"), /^Error: pulumi refresh of stack s: the engine's JSON output could not be parsed/);
    });

    it("parses Pulumi property paths", () => {
        assert.deepEqual(parsePropertyPath("data.mode"), ["data", "mode"]);
        assert.deepEqual(parsePropertyPath('spec.template.spec.containers[0].image'), ["spec", "template", "spec", "containers", 0, "image"]);
        assert.deepEqual(parsePropertyPath('metadata.annotations["argocd.argoproj.io/sync-wave"]'), ["metadata", "annotations", "argocd.argoproj.io/sync-wave"]);
    });

    it("without a Pulumi workspace the layer is an error, and remediation refuses", async () => {
        const ctx: DriftContext = { projectRoot: repo, stack: "local", argocdNamespace: "argocd" };
        const result = await pulumiDrift(ctx);
        assert.equal(result.status, "error");
        assert.match(result.error!, /no Pulumi workspace for stack local/);
        assert.deepEqual(await remediatePulumi(ctx, []), { ok: false, detail: "no Pulumi workspace for stack local" });
    });

    describe("against a local control plane", function () {
        this.timeout(600_000);
        let work: string;
        let cp: ControlPlane | undefined;
        let ws: EngineWorkspace;
        let ctx: DriftContext;
        const canary = { original: `drift-canary-${process.pid}-original-Pw1`, changed: `drift-canary-${process.pid}-changed-Pw2` };

        const cli = async (args: string[], input?: string) => {
            const r = await runPulumi(ws, args, { input, timeoutMs: 300_000 });
            assert.equal(r.code, 0, `pulumi ${args.join(" ")} failed:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
            return r;
        };

        before(async () => {
            work = fs.mkdtempSync(path.join(os.tmpdir(), "drift-pulumi-"));
            cp = await startControlPlane({ binDir: path.join(repo, ".tools", "bin"), dataDir: path.join(work, "cluster") });
            const project = path.join(work, "program");
            fs.mkdirSync(project);
            // The pinned CLI is found under the project root; the SDK and provider package through node_modules.
            fs.symlinkSync(path.join(repo, ".tools"), path.join(project, ".tools"));
            fs.symlinkSync(path.join(repo, "node_modules"), path.join(project, "node_modules"));
            // Stack files under stacks/, as the platform's: the layer reads the stack file for where the CRDs are.
            fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: drift-probe\nruntime: nodejs\nstackConfigDir: stacks\n");
            fs.writeFileSync(path.join(project, "index.js"), PROGRAM);
            fs.mkdirSync(path.join(project, "argocd-crds"));
            fs.writeFileSync(path.join(project, "argocd-crds", "Pulumi.yaml"), "name: drift-probe-crds\nruntime: nodejs\nstackConfigDir: ../stacks\n");
            fs.writeFileSync(path.join(project, "argocd-crds", "index.js"), CRDS_PROGRAM);
            ws = { projectRoot: project, backendDir: path.join(work, "backend"), passphrase: "drift-test-only" };
            await cli(["stack", "init", "probe", "--secrets-provider", "passphrase"]);
            await cli(["config", "set", "--secret", "kubeconfig", "--stack", "probe"], fs.readFileSync(cp.kubeconfigPath, "utf8"));
            await cli(["config", "set", "--secret", "token", "--stack", "probe"], canary.original);
            await cli(["up", "--yes", "--skip-preview", "--stack", "probe"]);
            ctx = { projectRoot: project, stack: "probe", argocdNamespace: "argocd", kubectl: cp.kubectl, pulumi: { workspace: ws, description: `file backend ${ws.backendDir}` } };
        });

        after(async () => {
            const processes = cp?.processes ?? [];
            await Promise.all(processes.map((p) => p.stop()));
            assert.deepEqual(processes.filter((p) => isAlive(p.pid)).map((p) => p.name), []);
            fs.rmSync(work, { recursive: true, force: true });
        });

        it("just deployed: clean", async () => {
            const result = await pulumiDrift(ctx);
            assert.equal(result.status, "clean", JSON.stringify(result, null, 2));
            assert.match(result.source, /^pulumi refresh --preview-only of stack probe \(file backend .*\)$/);
        });

        it("changed with kubectl: each object with its fields and who changed it; the canary is nowhere", async () => {
            const kubectl = cp!.kubectl;
            await kubectl.run(["-n", "probe", "patch", "configmap", "settings", "--type", "merge", "-p", JSON.stringify({ data: { mode: "lenient" } })]);
            // The new value goes on stdin, never on a command line.
            await kubectl.run(["-n", "probe", "apply", "--server-side", "--force-conflicts", "--field-manager=hand-edit", "-f", "-"], {
                input: JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name: "token", namespace: "probe" }, stringData: { token: canary.changed } }),
            });
            await kubectl.run(["-n", "probe", "delete", "configmap", "doomed"]);

            const result = await pulumiDrift(ctx);
            assert.equal(result.status, "drift");
            const byObject = Object.fromEntries(result.items.map((i) => [i.object, i]));
            assert.deepEqual(Object.keys(byObject).sort(), ["ConfigMap probe/doomed", "ConfigMap probe/settings", "Secret probe/token"]);
            assert.deepEqual(byObject["ConfigMap probe/settings"].fields, [{ path: "data.mode", expected: '"strict"', actual: '"lenient"' }]);
            assert.equal(byObject["ConfigMap probe/settings"].cluster, "in-cluster");
            assert.deepEqual(byObject["ConfigMap probe/settings"].changedBy?.map((c) => [c.manager, c.operation]), [["kubectl-patch", "Update"]]);
            assert.match(byObject["ConfigMap probe/settings"].changedBy![0].time ?? "", /^\d{4}-\d\d-\d\dT/);
            assert.equal(byObject["Secret probe/token"].kind, "changed");
            assert.ok(byObject["Secret probe/token"].fields.length > 0 && byObject["Secret probe/token"].fields.every((f) => f.secret && f.expected === undefined && f.actual === undefined));
            assert.deepEqual(byObject["Secret probe/token"].changedBy?.map((c) => c.manager), ["hand-edit"]);
            assert.equal(byObject["ConfigMap probe/doomed"].kind, "missing");
            const text = JSON.stringify(result);
            for (const value of [canary.original, canary.changed]) {
                assert.ok(!text.includes(value) && !text.includes(Buffer.from(value).toString("base64")), "a secret value is in the result");
            }
        });

        it("remediatePulumi brings it back, and the next read is clean", async () => {
            const fixed = await remediatePulumi(ctx, []);
            assert.equal(fixed.ok, true, fixed.detail);
            assert.match(fixed.detail, /^pulumi up --refresh: [1-9]\d* resources changed \(\d+ s\)$/);
            assert.ok(!fixed.detail.includes(canary.changed));
            const after = await pulumiDrift(ctx);
            assert.equal(after.status, "clean", JSON.stringify(after, null, 2));
            const secret = await cp!.kubectl.get<{ data: Record<string, string> }>(["secret", "token", "-n", "probe"]);
            assert.equal(Buffer.from(secret!.data.token, "base64").toString(), canary.original);
        });

        it("a stack never deployed, one without a stack file and one that does not exist: an error naming the source", async () => {
            await cli(["stack", "init", "empty", "--secrets-provider", "passphrase"]);
            const empty = await pulumiDrift({ ...ctx, stack: "empty" });
            assert.equal(empty.status, "error");
            assert.match(empty.error!, /^pulumi refresh --preview-only of stack empty \(file backend .*\): the stack has no resources: it was never deployed/);
            // Where the CRDs are is in the stack file: without one the layer cannot tell what to read.
            const noFile = await pulumiDrift({ ...ctx, stack: "nosuch" });
            assert.equal(noFile.status, "error");
            assert.match(noFile.error!, /^stacks\/Pulumi\.nosuch\.yaml: no such stack file/);
            assert.match((await remediatePulumi({ ...ctx, stack: "nosuch" }, [])).detail, /^pulumi up --refresh not run: stacks\/Pulumi\.nosuch\.yaml: no such stack file/);
            fs.writeFileSync(path.join(ws.projectRoot, "stacks", "Pulumi.nosuch.yaml"), "config: {}\n");
            const none = await pulumiDrift({ ...ctx, stack: "nosuch" });
            assert.equal(none.status, "error");
            assert.match(none.error!, /^pulumi refresh --preview-only of stack nosuch .*: .*no stack named 'nosuch'/);
            const failed = await remediatePulumi({ ...ctx, stack: "nosuch" }, []);
            assert.equal(failed.ok, false);
            assert.match(failed.detail, /^pulumi up --refresh failed \(exit \d+, \d+ s\): .*no stack named 'nosuch'/);
        });

        it("with its CRDs in an argocd-crds stack (the stack file says so): both stacks read, a CRD changed by hand named, both corrected", async () => {
            const crdsCli = async (args: string[]) => {
                const r = await argoCdCrdsCli(ws, args, { timeoutMs: 300_000 });
                assert.equal(r.code, 0, `pulumi ${args.join(" ")} (argocd-crds) failed:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
            };
            await cli(["config", "set", "--path", "gitops-platform:platform.argocd.crds.installedBy", "crds-stack", "--stack", "probe"]);
            await crdsCli(["stack", "init", "probe", "--secrets-provider", "passphrase"]);
            const undeployed = await pulumiDrift(ctx);
            assert.equal(undeployed.status, "error");
            assert.match(undeployed.error!, /^pulumi refresh --preview-only of stack probe and the argocd-crds stack probe \(file backend .*\): the argocd-crds stack probe has no resources: it was never deployed/);
            await crdsCli(["up", "--yes", "--skip-preview", "--stack", "probe"]);

            const clean = await pulumiDrift(ctx);
            assert.equal(clean.status, "clean", JSON.stringify(clean, null, 2));
            // The CRDs' stack has 3: the stack, its provider and the CRD.
            assert.match(clean.notes[0], /^\d+ resources refreshed \(3 of the argocd-crds stack probe\), 0 changed out of band$/);

            await cp!.kubectl.run(["label", "crd", "probes.drift.example", "gitops.platform/owner=someone-else", "--overwrite"]);
            const drifted = await pulumiDrift(ctx);
            assert.equal(drifted.status, "drift");
            assert.deepEqual(drifted.items.map((i) => i.object), ["CustomResourceDefinition probes.drift.example"]);
            const label = drifted.items[0].fields.find((f) => f.path.includes("gitops.platform/owner"));
            assert.deepEqual(label && [label.expected, label.actual], ['"platform"', '"someone-else"'], JSON.stringify(drifted.items[0].fields));
            assert.deepEqual(drifted.items[0].changedBy?.map((c) => c.manager), ["kubectl-label"]);

            const fixed = await remediatePulumi(ctx, []);
            assert.equal(fixed.ok, true, fixed.detail);
            assert.match(fixed.detail, /^pulumi up --refresh: 1 resources changed, 1 of them in the argocd-crds stack probe \(\d+ s\)$/);
            const crd = await cp!.kubectl.get<{ metadata: { labels: Record<string, string> } }>(["crd", "probes.drift.example"]);
            assert.equal(crd!.metadata.labels["gitops.platform/owner"], "platform");
            assert.equal((await pulumiDrift(ctx)).status, "clean");
        });
    });
});
