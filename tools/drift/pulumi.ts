/**
 * The Pulumi layer of the drift report: `pulumi refresh --preview-only --json` of the stack (the
 * engine's steps, each with its old and new state and the provider's `detailedDiff`), one item per
 * resource the refresh would update or delete, and who changed a Kubernetes object (its
 * `managedFields` managers other than Pulumi's). `--json` prints Pulumi secrets as `[secret]`, so no
 * secret value reaches this file; a Secret's `data`/`stringData` are reported without values anyway.
 * Where the stack file puts Argo CD's CRDs in the argocd-crds stack of the same name, that stack is
 * read and corrected with it: a CRD changed by hand is the platform's drift wherever its state is.
 */
import { ARGOCD_CRDS_PROJECT, argoCdCrdsCli, crdsFromCrdsStack } from "../engine/argocd-crds-stack";
import { type CliResult, runPulumi } from "../engine/pulumi-cli";
import type { DriftContext } from "./context";
import { isRecord, isSecret, type KubeObject, type ManagedFieldsEntry } from "./live-fields";
import { type DriftItem, type FieldChange, layerResult, type LayerResult } from "./model";

/** What the engine prints for a secret value under `--json` without `--show-secrets`. */
const SECRET_MASK = "[secret]";
/** The Kubernetes provider's field managers are `pulumi-kubernetes-<hash>`. */
const PULUMI_MANAGER = /^pulumi-kubernetes/;
/**
 * The cluster every Kubernetes resource of the stack is in: the program's one Kubernetes provider is
 * the hub's, which Argo CD names `in-cluster`. Enough while the program has no provider per fleet
 * cluster; then the provider's URN would map to the cluster's name.
 */
const HUB_CLUSTER = "in-cluster";

const ACTION = "pulumi up --refresh corrects it (dev does this with --remediate); or change the program/config if the change should stay";

/** One resource's state in a step of `pulumi refresh --json`. */
interface StepState {
    urn?: string;
    type?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    additionalSecretOutputs?: string[];
}

/** One step of `pulumi refresh --preview-only --json`. */
export interface RefreshStep {
    op: string;
    urn: string;
    provider?: string;
    oldState?: StepState;
    newState?: StepState;
    detailedDiff?: Record<string, { kind?: string; inputDiff?: boolean }> | null;
}

/** One Pulumi stack the layer reads: the platform stack, or its argocd-crds stack. */
interface LayerStack {
    /** How messages name it. */
    what: string;
    cli: (args: string[], options: Parameters<typeof runPulumi>[2]) => Promise<CliResult>;
}

/** The stacks of the layer, the CRDs' first (they are brought up first); throws when the stack file cannot be read. */
function layerStacks(ctx: DriftContext, pulumi: NonNullable<DriftContext["pulumi"]>): LayerStack[] {
    const platform: LayerStack = { what: `stack ${ctx.stack}`, cli: (args, options) => runPulumi(pulumi.workspace, args, options) };
    if (!crdsFromCrdsStack(ctx.projectRoot, ["--stack", ctx.stack, ...configFileArgs(ctx)])) return [platform];
    return [{ what: `the ${ARGOCD_CRDS_PROJECT} stack ${ctx.stack}`, cli: (args, options) => argoCdCrdsCli(pulumi.workspace, args, options) }, platform];
}

export async function pulumiDrift(ctx: DriftContext): Promise<LayerResult> {
    const started = Date.now();
    if (!ctx.pulumi) return layerResult("pulumi", `stack ${ctx.stack}`, started, { error: `no Pulumi workspace for stack ${ctx.stack}: its state cannot be read` });
    let stacks: LayerStack[];
    try {
        stacks = layerStacks(ctx, ctx.pulumi);
    } catch (e) {
        return layerResult("pulumi", `stack config of ${ctx.stack}`, started, { error: (e as Error).message });
    }
    const crds = stacks.length > 1 ? ` and ${stacks[0].what}` : "";
    const source = `pulumi refresh --preview-only of stack ${ctx.stack}${crds} (${ctx.pulumi.description})`;
    const args = ["refresh", "--preview-only", "--json", "--stack", ctx.stack, ...configFileArgs(ctx)];
    const { env } = ctx.pulumi;
    let perStack: RefreshStep[][];
    try {
        perStack = await Promise.all(
            stacks.map(async (s) => {
                const r = await s.cli(args, { env, timeoutMs: 15 * 60_000 });
                // The platform stack's errors read as before; the CRDs' stack is named.
                const crdsStack = s !== stacks[stacks.length - 1];
                if (r.code !== 0) throw new Error(`${source}: ${crdsStack ? `${s.what}: ` : ""}${cliError(r.stdout, r.stderr) || `exit ${r.code}`}`);
                const steps = parseRefresh(r.stdout, source);
                if (steps.length === 0) throw new Error(`${source}: ${crdsStack ? s.what : "the stack"} has no resources: it was never deployed (pulumi up)`);
                return steps;
            }),
        );
    } catch (e) {
        return layerResult("pulumi", source, started, { error: (e as Error).message });
    }
    const steps = perStack.flat();
    const drifted = refreshDrift(steps);
    await Promise.all(drifted.map(({ item, step }) => addChangedBy(ctx, step, item)));
    const items = drifted.map(({ item }) => withoutEmptyChangedBy(item));
    const ofCrds = perStack.length > 1 ? ` (${perStack[0].length} of ${stacks[0].what})` : "";
    return layerResult("pulumi", source, started, { items, notes: [`${steps.length} resources refreshed${ofCrds}, ${items.length} changed out of band`] });
}

/** The steps of `pulumi refresh --json` output; `source` names it in errors. */
export function parseRefresh(stdout: string, source: string): RefreshStep[] {
    let doc: { steps?: RefreshStep[] };
    try {
        doc = JSON.parse(stdout) as typeof doc;
    } catch (e) {
        throw new Error(`${source}: the engine's JSON output could not be parsed (${(e as Error).message})`);
    }
    return Array.isArray(doc.steps) ? doc.steps : [];
}

/** One item per resource the refresh would update (`changed`) or delete (`missing`). */
export function refreshDriftItems(steps: RefreshStep[]): DriftItem[] {
    return refreshDrift(steps).map(({ item }) => withoutEmptyChangedBy(item));
}

/** The items with the step each came from (to read its object in the cluster afterwards). */
function refreshDrift(steps: RefreshStep[]): { item: DriftItem; step: RefreshStep }[] {
    const items: { item: DriftItem; step: RefreshStep }[] = [];
    for (const step of steps) {
        if (step.op !== "update" && step.op !== "delete") continue;
        const before = step.oldState?.outputs ?? {};
        const after = step.newState?.outputs ?? {};
        const kubernetes = isKubernetesType(step.oldState?.type ?? urnType(step.urn));
        const item: DriftItem = {
            layer: "pulumi",
            cluster: kubernetes ? HUB_CLUSTER : undefined,
            object: objectName(step.urn, step.newState?.outputs ?? step.oldState?.outputs, kubernetes),
            kind: step.op === "delete" ? "missing" : "changed",
            fields: step.op === "delete" ? [] : fieldChanges(step, before, after),
            action: ACTION,
        };
        // Who changed it, from the refreshed object until the live one is read (addChangedBy).
        if (kubernetes) item.changedBy = otherManagers((after.metadata as KubeObject["metadata"])?.managedFields);
        items.push({ item, step });
    }
    // The engine's order varies from run to run; the report's should not.
    return items.sort((a, b) => a.item.object.localeCompare(b.item.object));
}

/** The live object's managers other than Pulumi's, where the cluster can be read; else those the refresh saw. */
async function addChangedBy(ctx: DriftContext, step: RefreshStep, item: DriftItem): Promise<void> {
    if (!ctx.kubectl || item.cluster === undefined || item.kind === "missing") return;
    const obj = step.newState?.outputs as KubeObject | undefined;
    const name = obj?.metadata?.name;
    if (!obj?.kind || !obj.apiVersion || !name) return;
    const [group, version] = obj.apiVersion.includes("/") ? obj.apiVersion.split("/") : ["", obj.apiVersion];
    const resource = group ? `${obj.kind}.${version}.${group}` : obj.kind;
    try {
        // kubectl leaves managedFields out of -o json unless asked.
        const live = await ctx.kubectl.get<KubeObject>([resource, name, "--show-managed-fields", ...(obj.metadata?.namespace ? ["-n", obj.metadata.namespace] : [])]);
        if (live) item.changedBy = otherManagers(live.metadata?.managedFields);
    } catch {
        // The cluster could not be asked: the managers the refresh read stay.
    }
}

function withoutEmptyChangedBy(item: DriftItem): DriftItem {
    if (item.changedBy && item.changedBy.length === 0) delete item.changedBy;
    return item;
}

/** Field managers other than Pulumi's and the status writers, oldest first. */
function otherManagers(entries: ManagedFieldsEntry[] | undefined): { manager: string; operation?: string; time?: string }[] {
    return (entries ?? [])
        .filter((e) => e.manager && !PULUMI_MANAGER.test(e.manager) && e.subresource !== "status")
        .map((e) => ({ manager: e.manager!, operation: e.operation, time: e.time }))
        .sort((a, b) => (a.time ?? "").localeCompare(b.time ?? ""));
}

/** The fields the provider reports as differing, with state (expected) and live (actual) values. */
function fieldChanges(step: RefreshStep, before: Record<string, unknown>, after: Record<string, unknown>): FieldChange[] {
    const paths = Object.keys(step.detailedDiff ?? {});
    // No detailed diff from the provider: compare the outputs, leaving out what the server maintains.
    const fieldPaths = paths.length > 0 ? paths : leafDifferences(before, after, "");
    const kubeSecret = isSecret(after as KubeObject) || isSecret(before as KubeObject);
    const secretOutputs = new Set([...(step.oldState?.additionalSecretOutputs ?? []), ...(step.newState?.additionalSecretOutputs ?? [])]);
    return fieldPaths.sort().map((p) => {
        const segments = parsePropertyPath(p);
        const expected = valueAt(before, segments);
        const actual = valueAt(after, segments);
        const top = String(segments[0] ?? "");
        const secret =
            secretOutputs.has(top) || (kubeSecret && (top === "data" || top === "stringData")) || containsMask(expected) || containsMask(actual) || containsMask(valueAt(after, segments.slice(0, 1)));
        if (secret) return { path: p, secret: true };
        return { path: p, expected: expected === undefined ? undefined : JSON.stringify(expected), actual: actual === undefined ? undefined : JSON.stringify(actual) };
    });
}

/** Top-level keys and metadata the API server or the provider keeps up to date: never drift by themselves. */
const MAINTAINED = /^(__|status(\.|$)|metadata\.(managedFields|resourceVersion|generation|creationTimestamp|uid)(\.|\[|$))/;

function leafDifferences(a: unknown, b: unknown, prefix: string): string[] {
    if (MAINTAINED.test(prefix)) return [];
    if (isRecord(a) && isRecord(b)) {
        const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
        return keys.flatMap((k) => leafDifferences(a[k], b[k], prefix ? `${prefix}${/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`}` : k));
    }
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
}

/** `a.b[0]["c.d"]` → `["a", "b", 0, "c.d"]` (Pulumi's property paths, as in `detailedDiff`). */
export function parsePropertyPath(p: string): (string | number)[] {
    const segments: (string | number)[] = [];
    const re = /\.?([^.[\]"]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/gy;
    let m: RegExpExecArray | null;
    while (re.lastIndex < p.length && (m = re.exec(p)) !== null) {
        if (m[1] !== undefined) segments.push(m[1]);
        else if (m[2] !== undefined) segments.push(Number(m[2]));
        else segments.push(JSON.parse(`"${m[3]}"`) as string);
    }
    return segments;
}

function valueAt(root: unknown, segments: (string | number)[]): unknown {
    let v = root;
    for (const s of segments) {
        if (v === SECRET_MASK) return v;
        if (Array.isArray(v) && typeof s === "number") v = v[s];
        else if (isRecord(v)) v = v[String(s)];
        else return undefined;
    }
    return v;
}

function containsMask(v: unknown): boolean {
    return v !== undefined && JSON.stringify(v).includes(`"${SECRET_MASK}"`);
}

function isKubernetesType(type: string): boolean {
    return type.startsWith("kubernetes:");
}

/** `urn:pulumi:stack::project::parent$type::name` → `type`. */
function urnType(urn: string): string {
    const parts = urn.split("::");
    const types = parts.length >= 3 ? parts[2] : "";
    return types.split("$").pop() ?? "";
}

/** `ConfigMap argocd/argocd-cm` for a Kubernetes object, else the URN's type and name. */
function objectName(urn: string, outputs: Record<string, unknown> | undefined, kubernetes: boolean): string {
    const obj = outputs as KubeObject | undefined;
    if (kubernetes && obj?.kind && obj.metadata?.name) return `${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ""}${obj.metadata.name}`;
    return `${urnType(urn)} ${urn.split("::").pop()}`;
}

function configFileArgs(ctx: DriftContext): string[] {
    return ctx.configFile ? ["--config-file", ctx.configFile] : [];
}

/** The CLI's error: under `--json` it may be on stdout as `{"error": ...}` or diagnostics; else stderr's first error line. */
function cliError(stdout: string, stderr: string): string {
    const line = stderr.split("\n").find((l) => /error/i.test(l)) ?? stderr.split("\n").find((l) => l.trim());
    if (line) return line.trim();
    try {
        const doc = JSON.parse(stdout) as { error?: string; diagnostics?: { severity?: string; message?: string }[] };
        return doc.error ?? doc.diagnostics?.find((d) => d.severity === "error")?.message?.trim() ?? "";
    } catch {
        return stdout.trim().split("\n")[0] ?? "";
    }
}

/**
 * `pulumi up --refresh --yes --skip-preview` with the policy pack (`policyArgs`) of each stack of
 * the layer, the CRDs' first: brings the resources back to the program and takes Terraform's new
 * outputs. Reports whether it succeeded and, in one line, how many resources it changed (or why it
 * failed; a failed CRD update leaves the platform stack alone, as `npm run up` would).
 */
export async function remediatePulumi(ctx: DriftContext, policyArgs: string[]): Promise<{ ok: boolean; detail: string }> {
    if (!ctx.pulumi) return { ok: false, detail: `no Pulumi workspace for stack ${ctx.stack}` };
    let stacks: LayerStack[];
    try {
        stacks = layerStacks(ctx, ctx.pulumi);
    } catch (e) {
        return { ok: false, detail: `pulumi up --refresh not run: ${(e as Error).message}` };
    }
    const args = ["up", "--refresh", "--yes", "--skip-preview", "--stack", ctx.stack, ...configFileArgs(ctx), ...policyArgs];
    const changed: number[] = [];
    let seconds = 0;
    for (const s of stacks) {
        const of = s === stacks[stacks.length - 1] ? "" : ` of ${s.what}`;
        let r: CliResult;
        try {
            // Correcting drift means the program's values win: a field an out-of-band edit took over (its
            // manager is now kubectl's) is a server-side apply conflict, which the provider forces back only so.
            r = await s.cli(args, { env: { ...ctx.pulumi.env, PULUMI_K8S_ENABLE_PATCH_FORCE: "true" }, timeoutMs: 30 * 60_000 });
        } catch (e) {
            return { ok: false, detail: `pulumi up --refresh${of} could not run: ${(e as Error).message}` };
        }
        seconds += r.seconds;
        if (r.code !== 0) {
            const why = cliError("", r.stderr) || lastErrorLine(r.stdout) || "see the CLI's output";
            return { ok: false, detail: `pulumi up --refresh${of} failed (exit ${r.code}, ${Math.round(r.seconds)} s): ${why}${of ? `; stack ${ctx.stack} was not updated` : ""}` };
        }
        changed.push(changedResources(r.stdout));
    }
    const total = changed.reduce((a, b) => a + b, 0);
    const ofCrds = stacks.length > 1 && total > 0 ? `, ${changed[0]} of them in ${stacks[0].what}` : "";
    return { ok: true, detail: `pulumi up --refresh: ${total > 0 ? `${total} resources changed${ofCrds}` : "no resources changed"} (${Math.round(seconds)} s)` };
}

/** How many resources an update changed: its summary ends "2 changes. 87 unchanged" after "+ 1 created", "~ 1 updated", ... */
function changedResources(stdout: string): number {
    const summary = resourcesSection(stdout);
    const total = /(\d+) changes?\b/.exec(summary);
    return total ? Number(total[1]) : [...summary.matchAll(/(\d+) (?:created|updated|deleted|replaced)\b/g)].reduce((n, m) => n + Number(m[1]), 0);
}

/** The `Resources:` summary at the end of `pulumi up`'s output. */
function resourcesSection(stdout: string): string {
    const at = stdout.lastIndexOf("Resources:");
    return at < 0 ? "" : stdout.slice(at, stdout.indexOf("Duration:", at) < 0 ? undefined : stdout.indexOf("Duration:", at));
}

function lastErrorLine(stdout: string): string {
    return (
        stdout
            .split("\n")
            .reverse()
            .find((l) => /error:/.test(l))
            ?.trim() ?? ""
    );
}
