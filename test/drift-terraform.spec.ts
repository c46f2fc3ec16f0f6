/**
 * The Terraform layer of `npm run drift` (tools/drift/terraform.ts) with the pinned Pulumi CLI and
 * Terraform: the committed local state against what a stack's last update recorded (imported into a
 * file backend, as `pulumi up` leaves it), a copy re-applied with another environment (serial moved,
 * outputs changed, a secret one never shown), and the failures that make the layer `error`.
 * One real `pulumi up` of the TerraformOutputs component proves the recording itself.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TERRAFORM_OUTPUTS_TYPE, TERRAFORM_STATE_OUTPUT } from "../components/terraform/terraformOutputs";
import { readTerraformState, type StateSummary } from "../lib/terraform";
import type { DriftContext } from "../tools/drift/context";
import { recordedFoundation, terraformDrift } from "../tools/drift/terraform";
import { type EngineWorkspace, runPulumi } from "../tools/engine/pulumi-cli";
import { type TerraformWorkdir, terraformWorkdir } from "./support/terraform-cli";

const repo = path.join(__dirname, "..");
const localStackConfig = path.join(repo, "stacks", "local", "terraform");
const committedState = path.join(localStackConfig, "terraform.tfstate");
const SIG = "4dabf18193072939515e22adb298388d";

/** A Pulumi project of its own in a temporary directory, with the pinned CLI reached through `.tools`. */
function scratchProject(work: string, name: string, main?: string): EngineWorkspace {
    const dir = path.join(work, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.symlinkSync(path.join(repo, ".tools"), path.join(dir, ".tools"));
    fs.symlinkSync(path.join(repo, "node_modules"), path.join(dir, "node_modules"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${name}\nruntime: nodejs\n`);
    if (main) fs.writeFileSync(path.join(dir, "index.js"), main);
    return { projectRoot: dir, backendDir: path.join(work, `${name}-backend`), passphrase: "drift-test-only" };
}

async function cli(ws: EngineWorkspace, args: string[], input?: string): Promise<string> {
    const r = await runPulumi(ws, args, { input, timeoutMs: 300_000 });
    assert.equal(r.code, 0, `pulumi ${args.join(" ")} failed:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
    return r.stdout;
}

/**
 * A stack whose last update read `recorded` (as the component registers it: sensitive outputs as
 * secrets, `terraform:state` beside them), made by importing a deployment into the file backend.
 */
async function stackThatRead(ws: EngineWorkspace, stack: string, recorded: StateSummary, identity = true): Promise<void> {
    await cli(ws, ["stack", "init", stack, "--secrets-provider", "passphrase"]);
    const doc = JSON.parse(await cli(ws, ["stack", "export", "--stack", stack])) as { deployment: Record<string, unknown> };
    const project = path.basename(ws.projectRoot);
    const outputs: Record<string, unknown> = {};
    for (const [name, o] of Object.entries(recorded.outputs)) outputs[name] = o.sensitive ? { [SIG]: "1b47061264138c4ac30d75fd1eb44270", plaintext: JSON.stringify(o.value) } : o.value;
    if (identity) outputs[TERRAFORM_STATE_OUTPUT] = { lineage: recorded.lineage, serial: recorded.serial };
    const stackUrn = `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`;
    doc.deployment.resources = [
        { urn: stackUrn, custom: false, type: "pulumi:pulumi:Stack" },
        { urn: `urn:pulumi:${stack}::${project}::${TERRAFORM_OUTPUTS_TYPE}::foundation`, custom: false, type: TERRAFORM_OUTPUTS_TYPE, parent: stackUrn, outputs },
    ];
    const file = path.join(ws.projectRoot, `${stack}.import.json`);
    fs.writeFileSync(file, JSON.stringify(doc));
    await cli(ws, ["stack", "import", "--file", file, "--stack", stack]);
    fs.rmSync(file);
}

/** A stack file whose only config is the Terraform source. */
function stackFile(work: string, name: string, statePath: string): string {
    const file = path.join(work, `Pulumi.${name}.yaml`);
    fs.writeFileSync(file, `config:\n  gitops-platform:platform:\n    terraform:\n      source:\n        backend: local\n        path: ${JSON.stringify(statePath)}\n`);
    return file;
}

describe("drift: the Terraform layer", function () {
    this.timeout(300_000);
    let work: string;
    let ws: EngineWorkspace;
    let committed: StateSummary;
    const workdirs: TerraformWorkdir[] = [];
    const ctxFor = (stack: string, configFile: string, withPulumi = true): DriftContext => ({
        projectRoot: repo,
        stack,
        configFile,
        argocdNamespace: "argocd",
        pulumi: withPulumi ? { workspace: ws, description: `file backend ${ws.backendDir}` } : undefined,
    });

    before(async () => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "drift-terraform-"));
        ws = scratchProject(work, "drift-tf");
        committed = await readTerraformState({ backend: "local", path: committedState });
    });
    after(() => {
        workdirs.forEach((w) => w.remove());
        fs.rmSync(work, { recursive: true, force: true });
    });

    it("the committed state against a stack that read it: clean, and terraform plan -refresh-only has no changes", async () => {
        await stackThatRead(ws, "same", committed);
        const result = await terraformDrift(ctxFor("same", stackFile(work, "same", committedState)));
        assert.equal(result.status, "clean", JSON.stringify(result, null, 2));
        assert.deepEqual(result.items, []);
        assert.match(result.source, /^Terraform local state ".*terraform\.tfstate" \(serial \d+\)$/);
        assert.ok(result.notes.includes("terraform plan -refresh-only: no changes"), result.notes.join("\n"));
    });

    it("a state re-applied with another environment: serial moved, each changed output, secrets without values", async () => {
        const tf = terraformWorkdir(localStackConfig);
        workdirs.push(tf);
        fs.copyFileSync(committedState, path.join(tf.dir, "terraform.tfstate"));
        await tf.run(["init", "-input=false", "-no-color"]);
        await tf.run(["apply", "-auto-approve", "-input=false", "-no-color", "-var=environment=drifted"]);
        const now = await readTerraformState({ backend: "local", path: path.join(tf.dir, "terraform.tfstate") });
        assert.equal(now.lineage, committed.lineage);

        await stackThatRead(ws, "moved", committed);
        const result = await terraformDrift(ctxFor("moved", stackFile(work, "moved", path.join(tf.dir, "terraform.tfstate"))));
        assert.equal(result.status, "drift");
        const state = result.items.find((i) => i.kind === "state");
        assert.deepEqual(state?.fields, [{ path: "serial", expected: String(committed.serial), actual: String(now.serial) }]);
        assert.match(state!.action, new RegExp(`state moved from serial ${committed.serial} to ${now.serial}`));

        const name = result.items.find((i) => i.object === "output cluster_name");
        assert.deepEqual(name, {
            layer: "terraform",
            object: "output cluster_name",
            kind: "changed",
            fields: [{ path: "cluster_name", expected: '"gitops-local"', actual: '"gitops-drifted"' }],
            action: "run pulumi up --refresh (or let the nightly drift run on dev) so the platform uses the new value",
        });
        assert.ok(!result.items.some((i) => i.object === "output region"), "an unchanged output is no drift");
        for (const secret of ["argocd_admin_password", "grafana_admin_password"]) {
            const item = result.items.find((i) => i.object === `output ${secret}`);
            assert.deepEqual(item?.fields, [{ path: secret, secret: true }]);
        }
        // Neither the old nor the new secret value is anywhere in the result.
        const text = JSON.stringify(result);
        for (const summary of [committed, now]) {
            for (const o of Object.values(summary.outputs).filter((o) => o.sensitive)) assert.ok(!text.includes(String(o.value)), "a secret value is in the result");
        }
        assert.ok(result.notes.some((n) => /^terraform plan -refresh-only: /.test(n)), result.notes.join("\n"));
    });

    it("another lineage is a state item naming both; a stack deployed before recording is compared on its outputs only", async () => {
        await stackThatRead(ws, "other-lineage", { ...committed, lineage: "00000000-0000-0000-0000-000000000000" });
        const other = await terraformDrift(ctxFor("other-lineage", stackFile(work, "other-lineage", committedState)));
        assert.equal(other.status, "drift");
        assert.deepEqual(other.items.map((i) => [i.kind, i.fields[0].path]), [["state", "lineage"]]);
        assert.match(other.items[0].action, /lineage 00000000-0000-0000-0000-000000000000 then, .* now/);

        await stackThatRead(ws, "unrecorded", committed, false);
        const old = await terraformDrift(ctxFor("unrecorded", stackFile(work, "unrecorded", committedState)));
        assert.equal(old.status, "clean");
        assert.ok(old.notes.some((n) => /recorded no Terraform lineage or serial/.test(n)), old.notes.join("\n"));
    });

    it("an output Terraform dropped is missing, one it added is changed", async () => {
        const recorded: StateSummary = { ...committed, outputs: { ...committed.outputs, legacy_output: { value: "x", sensitive: false, type: "string" } } };
        delete recorded.outputs.domain_name;
        await stackThatRead(ws, "outputs-moved", recorded);
        const result = await terraformDrift(ctxFor("outputs-moved", stackFile(work, "outputs-moved", committedState)));
        const byObject = Object.fromEntries(result.items.map((i) => [i.object, i]));
        assert.equal(byObject["output legacy_output"].kind, "missing");
        assert.deepEqual(byObject["output legacy_output"].fields, [{ path: "legacy_output", expected: '"x"', actual: undefined }]);
        assert.equal(byObject["output domain_name"].kind, "changed");
        assert.equal(byObject["output domain_name"].fields[0].actual, '"local.gitops.example.com"');
    });

    it("cannot read: never deployed, no Pulumi workspace, an unreadable state, no stack file: an error naming the source, never a throw", async () => {
        await cli(ws, ["stack", "init", "empty", "--secrets-provider", "passphrase"]);
        const empty = await terraformDrift(ctxFor("empty", stackFile(work, "empty", committedState)));
        assert.equal(empty.status, "error");
        assert.match(empty.error!, /Pulumi state of stack empty \(file backend .*\): has no resources: the stack was never deployed/);

        const noStack = await terraformDrift(ctxFor("nosuch", stackFile(work, "nosuch", committedState)));
        assert.equal(noStack.status, "error");
        assert.match(noStack.error!, /Pulumi state of stack nosuch .*pulumi stack export failed: .*no stack named 'nosuch'/);

        const noWorkspace = await terraformDrift(ctxFor("same", stackFile(work, "same", committedState), false));
        assert.equal(noWorkspace.status, "error");
        assert.match(noWorkspace.error!, /no Pulumi workspace for stack same/);

        const missing = path.join(work, "no-such.tfstate");
        const unreadable = await terraformDrift(ctxFor("same", stackFile(work, "unreadable", missing)));
        assert.equal(unreadable.status, "error");
        assert.ok(unreadable.error!.startsWith(`local state ${JSON.stringify(missing)}`), unreadable.error);

        const noFile = await terraformDrift(ctxFor("same", path.join(work, "Pulumi.absent.yaml")));
        assert.equal(noFile.status, "error");
        assert.match(noFile.error!, /stack config .*Pulumi\.absent\.yaml/);
    });

    it("a secret the export kept encrypted is not compared; a bad export names its source", () => {
        const doc = { deployment: { resources: [{ urn: `x::${TERRAFORM_OUTPUTS_TYPE}::foundation`, type: TERRAFORM_OUTPUTS_TYPE, outputs: { pw: { [SIG]: "x", ciphertext: "v1:abc" }, n: 1 } }] } };
        assert.deepEqual(recordedFoundation(JSON.stringify(doc), "export"), { outputs: { pw: { secret: true }, n: { value: 1, secret: false } }, state: undefined });
        assert.throws(() => recordedFoundation("{", "Pulumi state of stack s"), /^Error: Pulumi state of stack s: the export is not JSON/);
        assert.throws(() => recordedFoundation(JSON.stringify({ deployment: { resources: [{ type: "pulumi:pulumi:Stack" }] } }), "S"), /S: has no gitops:terraform:TerraformOutputs resource/);
    });

    it("a real pulumi up of the TerraformOutputs component records the state's lineage and serial", async () => {
        const program = [
            `require("ts-node").register({ transpileOnly: true, project: ${JSON.stringify(path.join(repo, "tsconfig.json"))} });`,
            `const pulumi = require("@pulumi/pulumi");`,
            `const { readTerraformState } = require(${JSON.stringify(path.join(repo, "lib", "terraform"))});`,
            `const { TerraformOutputs } = require(${JSON.stringify(path.join(repo, "components", "terraform", "terraformOutputs"))});`,
            `module.exports = readTerraformState({ backend: "local", path: new pulumi.Config().require("tfstate") }).then((s) => {`,
            `    new TerraformOutputs("foundation", { source: "local state", outputs: s.outputs, state: { lineage: s.lineage, serial: s.serial } });`,
            `});`,
        ].join("\n");
        const real = scratchProject(work, "drift-tf-real", program);
        await cli(real, ["stack", "init", "real", "--secrets-provider", "passphrase"]);
        await cli(real, ["config", "set", "tfstate", committedState, "--stack", "real"]);
        await cli(real, ["up", "--yes", "--skip-preview", "--stack", "real"]);
        const plain = await cli(real, ["stack", "export", "--stack", "real"]);
        const recorded = recordedFoundation(plain, "export");
        assert.deepEqual(recorded.state, { lineage: committed.lineage, serial: committed.serial });
        assert.deepEqual(recorded.outputs.argocd_admin_password, { secret: true }, "a sensitive output is a Pulumi secret in the state");
        const result = await terraformDrift({ projectRoot: repo, stack: "real", configFile: stackFile(work, "real", committedState), argocdNamespace: "argocd", pulumi: { workspace: real, description: "file backend" } });
        assert.equal(result.status, "clean", JSON.stringify(result, null, 2));
    });
});
