/**
 * The Terraform layer of the drift report: the foundation's outputs as Terraform holds them now
 * against those the last `pulumi up` used (the `TerraformOutputs` component's registered outputs in
 * Pulumi's state), and the state's lineage and serial against the ones recorded there. Where the
 * configuration is at hand (a `local` state beside its `.tf` files), also what
 * `terraform plan -refresh-only` says. Secret values are compared in memory and never leave this file.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import { TERRAFORM_OUTPUTS_TYPE, TERRAFORM_STATE_OUTPUT, type TerraformStateIdentity } from "../../components/terraform/terraformOutputs";
import { describeSource, readTerraformState, type StateSummary, type TerraformSource } from "../../lib/terraform";
import { stackTerraformSource } from "../audit/terraform-state";
import { runPulumi } from "../engine/pulumi-cli";
import type { DriftContext } from "./context";
import { type DriftItem, type FieldChange, layerResult, type LayerResult } from "./model";

/** Pulumi's marker of a secret value in a state export (`pulumi stack export`). */
const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";

const OUTPUT_ACTION = "run pulumi up --refresh (or let the nightly drift run on dev) so the platform uses the new value";

/** One output as the last `pulumi up` registered it. `value` is unset for a secret the export kept encrypted. */
export interface RecordedOutput {
    value?: unknown;
    secret: boolean;
}

/** What the last `pulumi up` read from Terraform: its outputs and, since drift recording, the state's lineage and serial. */
export interface RecordedFoundation {
    outputs: Record<string, RecordedOutput>;
    state?: TerraformStateIdentity;
}

export async function terraformDrift(ctx: DriftContext): Promise<LayerResult> {
    const started = Date.now();
    let source: TerraformSource;
    try {
        source = stackTerraformSource(ctx.projectRoot, ctx.stack, ctx.configFile);
    } catch (e) {
        return layerResult("terraform", `stack config of ${ctx.stack}`, started, { error: (e as Error).message });
    }
    const resolved = source.backend === "local" ? { ...source, path: path.resolve(ctx.projectRoot, source.path) } : source;
    let description = `Terraform ${describeSource(source)}`;
    let current: StateSummary;
    try {
        // Credentials from the environment (TF_HTTP_PASSWORD, TF_TOKEN_<host>), as tools/tf-outputs.ts reads them.
        current = await readTerraformState(resolved);
    } catch (e) {
        return layerResult("terraform", description, started, { error: (e as Error).message });
    }
    if (current.serial !== undefined) description += ` (serial ${current.serial})`;
    if (!ctx.pulumi) {
        return layerResult("terraform", description, started, {
            error: `no Pulumi workspace for stack ${ctx.stack}: the outputs the last pulumi up used are in its state and cannot be read`,
        });
    }
    let recorded: RecordedFoundation;
    try {
        recorded = await readRecordedFoundation(ctx);
    } catch (e) {
        return layerResult("terraform", description, started, { error: (e as Error).message });
    }
    const items = [...stateItems(describeSource(source), recorded.state, current), ...outputItems(recorded.outputs, current)];
    const notes: string[] = [];
    if (current.serial === undefined && current.lineage === undefined) notes.push(`${describeSource(source)} has no lineage or serial: only the outputs are compared`);
    else if (!recorded.state) notes.push("the last pulumi up recorded no Terraform lineage or serial (deployed before drift recording): only the outputs are compared");
    if (source.backend === "local") {
        const planNote = await refreshOnlyPlan(ctx.projectRoot, path.resolve(ctx.projectRoot, source.path));
        if (planNote) notes.push(planNote);
    }
    return layerResult("terraform", description, started, { items, notes });
}

/** `pulumi stack export --show-secrets`: the foundation's outputs as the last update registered them (kept in memory). */
async function readRecordedFoundation(ctx: DriftContext): Promise<RecordedFoundation> {
    const pulumi = ctx.pulumi!;
    const source = `Pulumi state of stack ${ctx.stack} (${pulumi.description})`;
    const r = await runPulumi(pulumi.workspace, ["stack", "export", "--show-secrets", "--stack", ctx.stack], { env: pulumi.env, timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`${source}: pulumi stack export failed: ${firstLine(r.stderr) || `exit ${r.code}`}`);
    return recordedFoundation(r.stdout, source);
}

/** The `TerraformOutputs` component's outputs in an export; `source` names the export in errors. */
export function recordedFoundation(exportText: string, source: string): RecordedFoundation {
    let doc: { deployment?: { resources?: { urn?: string; type?: string; outputs?: Record<string, unknown> }[] } };
    try {
        doc = JSON.parse(exportText) as typeof doc;
    } catch (e) {
        throw new Error(`${source}: the export is not JSON (${(e as Error).message})`);
    }
    const resources = doc.deployment?.resources ?? [];
    const components = resources.filter((r) => r.type === TERRAFORM_OUTPUTS_TYPE);
    if (components.length === 0) {
        const what = resources.length === 0 ? "has no resources: the stack was never deployed (pulumi up)" : `has no ${TERRAFORM_OUTPUTS_TYPE} resource: the last pulumi up read no Terraform outputs`;
        throw new Error(`${source}: ${what}`);
    }
    // The program's one component is "foundation"; a fleet's states are not compared here.
    const component = components.find((r) => r.urn?.endsWith("::foundation")) ?? components[0];
    const outputs: Record<string, RecordedOutput> = {};
    let state: TerraformStateIdentity | undefined;
    for (const [name, raw] of Object.entries(component.outputs ?? {})) {
        if (name === TERRAFORM_STATE_OUTPUT) {
            state = raw as TerraformStateIdentity;
            continue;
        }
        outputs[name] = decodeOutput(raw);
    }
    return { outputs, state };
}

/** A Pulumi secret in an export is `{<signature>: ..., plaintext: "<JSON>"}` (or `ciphertext` without --show-secrets). */
function decodeOutput(raw: unknown): RecordedOutput {
    if (raw !== null && typeof raw === "object" && SECRET_SIGNATURE in raw) {
        const plaintext = (raw as { plaintext?: unknown }).plaintext;
        if (typeof plaintext !== "string") return { secret: true };
        try {
            return { value: JSON.parse(plaintext) as unknown, secret: true };
        } catch {
            return { value: plaintext, secret: true };
        }
    }
    return { value: raw, secret: false };
}

/** A lineage or serial that moved: the state the platform reads is not the one the last up read. */
function stateItems(sourceText: string, recorded: TerraformStateIdentity | undefined, current: StateSummary): DriftItem[] {
    if (!recorded) return [];
    const object = `state ${sourceText}`;
    if (recorded.lineage !== undefined && current.lineage !== undefined && recorded.lineage !== current.lineage) {
        return [
            {
                layer: "terraform",
                object,
                kind: "state",
                fields: [{ path: "lineage", expected: JSON.stringify(recorded.lineage), actual: JSON.stringify(current.lineage) }],
                action: `the state is another one (lineage ${recorded.lineage} then, ${current.lineage} now): check that platform.terraform.source names the right state, then run pulumi up --refresh`,
            },
        ];
    }
    if (recorded.serial !== undefined && current.serial !== undefined && recorded.serial !== current.serial) {
        return [
            {
                layer: "terraform",
                object,
                kind: "state",
                fields: [{ path: "serial", expected: String(recorded.serial), actual: String(current.serial) }],
                action: `state moved from serial ${recorded.serial} to ${current.serial} since the last pulumi up: ${OUTPUT_ACTION}`,
            },
        ];
    }
    return [];
}

/** Each output added, removed or changed since the last up; a secret one without its values. */
export function outputItems(recorded: Record<string, RecordedOutput>, current: StateSummary): DriftItem[] {
    const names = [...new Set([...Object.keys(current.outputs), ...Object.keys(recorded)])].sort();
    const items: DriftItem[] = [];
    for (const name of names) {
        const before = recorded[name];
        const now = current.outputs[name];
        const secret = (before?.secret ?? false) || (now?.sensitive ?? false);
        // An encrypted recorded secret cannot be compared: it counts as changed only if Terraform's is gone.
        if (before && now && before.value === undefined && before.secret) continue;
        if (before && now && isDeepStrictEqual(before.value, now.value)) continue;
        const field: FieldChange = secret
            ? { path: name, secret: true }
            : { path: name, expected: before ? JSON.stringify(before.value) : undefined, actual: now ? JSON.stringify(now.value) : undefined };
        items.push({
            layer: "terraform",
            object: `output ${name}`,
            kind: now ? "changed" : "missing",
            fields: [field],
            action: now ? OUTPUT_ACTION : `Terraform no longer has this output: run pulumi up --refresh (a required output missing fails it, naming the output)`,
        });
    }
    return items;
}

/**
 * `terraform plan -refresh-only -detailed-exitcode` of the configuration beside a local state, in a
 * temporary copy (the repository is never written), as one note; undefined when there is no
 * configuration there.
 */
async function refreshOnlyPlan(projectRoot: string, stateFile: string): Promise<string | undefined> {
    const configDir = path.dirname(stateFile);
    if (!fs.existsSync(configDir)) return undefined;
    const tfFiles = fs.readdirSync(configDir).filter((f) => f.endsWith(".tf"));
    if (tfFiles.length === 0) return undefined;
    const terraform = path.join(projectRoot, ".tools", "bin", "terraform");
    if (!fs.existsSync(terraform)) return `terraform plan -refresh-only: not run (${terraform} is not installed: bash tools/install.sh terraform)`;
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "drift-tf-"));
    try {
        for (const f of [...tfFiles, ".terraform.lock.hcl"]) {
            if (fs.existsSync(path.join(configDir, f))) fs.copyFileSync(path.join(configDir, f), path.join(work, f));
        }
        fs.copyFileSync(stateFile, path.join(work, "terraform.tfstate"));
        const rc = path.join(work, ".empty.tfrc");
        fs.writeFileSync(rc, "");
        const env: NodeJS.ProcessEnv = { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: rc, TF_DATA_DIR: path.join(work, ".terraform") };
        // The caller's variables and workspace would make another plan than the state's.
        for (const key of Object.keys(env)) if (/^TF_(VAR_|WORKSPACE)/.test(key)) delete env[key];
        const init = await runTerraform(terraform, ["init", "-input=false", "-no-color", "-backend=false"], work, env);
        if (init.code !== 0) return `terraform plan -refresh-only: error: terraform init failed: ${firstLine(init.stderr) || firstLine(init.stdout)}`;
        const plan = await runTerraform(terraform, ["plan", "-refresh-only", "-detailed-exitcode", "-input=false", "-lock=false", "-no-color", "-json"], work, env);
        if (plan.code === 0) return "terraform plan -refresh-only: no changes";
        if (plan.code === 2) return `terraform plan -refresh-only: changes: ${planChanges(plan.stdout).join(", ") || "see terraform plan -refresh-only"}`;
        return `terraform plan -refresh-only: error: ${planError(plan.stdout) ?? (firstLine(plan.stderr) || `exit ${plan.code}`)}`;
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}

/** Resources changed outside Terraform and outputs that would change, by name (`-json` carries no output values). */
export function planChanges(jsonLines: string): string[] {
    const changes: string[] = [];
    for (const line of jsonLines.split("\n")) {
        if (!line.trim()) continue;
        let message: { type?: string; change?: { resource?: { addr?: string }; action?: string }; outputs?: Record<string, { action?: string }> };
        try {
            message = JSON.parse(line) as typeof message;
        } catch {
            continue;
        }
        if (message.type === "resource_drift" && message.change?.resource?.addr) changes.push(`${message.change.resource.addr} ${message.change.action ?? "changed"}`);
        if (message.type === "outputs") {
            for (const [name, o] of Object.entries(message.outputs ?? {})) if (o.action && o.action !== "noop") changes.push(`output ${name} ${o.action}`);
        }
    }
    return changes;
}

function planError(jsonLines: string): string | undefined {
    for (const line of jsonLines.split("\n")) {
        try {
            const m = JSON.parse(line) as { type?: string; diagnostic?: { severity?: string; summary?: string } };
            if (m.type === "diagnostic" && m.diagnostic?.severity === "error") return m.diagnostic.summary;
        } catch {
            // not a JSON line
        }
    }
    return undefined;
}

function runTerraform(bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile(bin, args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => {
            const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
            // A binary that could not start has no stderr: its error says why.
            resolve({ code, stdout, stderr: stderr || (err && !stdout ? err.message : "") });
        });
    });
}

function firstLine(text: string): string {
    return (
        text
            .split("\n")
            .map((l) => l.trim())
            .find((l) => l.length > 0) ?? ""
    );
}
