/**
 * Property: any mutation of a real Terraform state or `terraform output -json` file is read correctly
 * or refused with one TerraformSourceError naming the source; a sensitive value never appears in a
 * message. States come from Terraform's own tests (../shared/reference/terraform-state), this repo's
 * fixtures and the local stack's state; each gets a nested sensitive output holding a canary. The
 * streaming reader (local backend) reads every state the whole-text reader (http, s3, remote) reads, the same.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as fc from "fast-check";
import { TerraformSourceError } from "../../lib/terraform";
import { readOutputJson } from "../../lib/terraform/sources/json";
import { stateFromDocument, stateFromText } from "../../lib/terraform/state";
import { readStateHead } from "../../lib/terraform/stateHeadReader";
import { PROJECT_ROOT } from "../support/program";
import { check } from "./property";

const CANARY = "sk9QmZ7vW2xCANARY4hT8";
/** Every 6-character window of the canary: a parser may quote a fragment of the text around an error. */
const CANARY_FRAGMENTS = Array.from({ length: CANARY.length - 5 }, (_, i) => CANARY.slice(i, i + 6));
const REFERENCE = path.join(PROJECT_ROOT, "..", "shared", "reference", "terraform-state");
const stateFiles = [
    ...fs.readdirSync(REFERENCE).filter((f) => f.endsWith(".tfstate")).map((f) => path.join(REFERENCE, f)),
    path.join(PROJECT_ROOT, "stacks", "local", "terraform", "terraform.tfstate"),
    path.join(PROJECT_ROOT, "test", "fixtures", "terraform", "states", "typed-outputs.tfstate"),
];
const outputFiles = ["dev", "staging", "prod"].map((s) => path.join(PROJECT_ROOT, "test", "fixtures", "terraform", `${s}.outputs.json`));

/** A document with one more output, sensitive, whose canary sits deep inside an object. */
function withSensitiveOutput(doc: Record<string, unknown>, isState: boolean): Record<string, unknown> {
    const output = { sensitive: true, type: ["object", { db: ["object", { password: "string" }] }], value: { db: { password: CANARY } } };
    if (!isState) return { ...doc, secret_db: output };
    return { ...doc, outputs: { ...((doc.outputs as object) ?? {}), secret_db: output } };
}

const seeds = [
    ...stateFiles.map((f) => ({ file: f, isState: true, doc: JSON.parse(fs.readFileSync(f, "utf8")) as Record<string, unknown> })),
    ...outputFiles.map((f) => ({ file: f, isState: false, doc: JSON.parse(fs.readFileSync(f, "utf8")) as Record<string, unknown> })),
].map((s) => ({ ...s, doc: s.doc.version === 4 || !s.isState ? withSensitiveOutput(s.doc, s.isState) : s.doc }));

const swapValue = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}), fc.constantFrom(3, 4, 5, "4", -1, 4.5));

/** Every path to a value inside `root`. */
function paths(root: unknown, at: (string | number)[] = []): (string | number)[][] {
    const out = [at];
    if (Array.isArray(root)) root.forEach((v, i) => out.push(...paths(v, [...at, i])));
    else if (typeof root === "object" && root !== null) Object.entries(root).forEach(([k, v]) => out.push(...paths(v, [...at, k])));
    return out;
}

function setAt(root: unknown, at: (string | number)[], value: unknown): unknown {
    if (at.length === 0) return value;
    const copy = structuredClone(root);
    const parent = at.slice(0, -1).reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], copy) as Record<string | number, unknown>;
    parent[at[at.length - 1]] = value;
    return copy;
}

/** A seed document damaged: a value swapped for another type (version fields included), a stray character, then cut at any offset class. */
const damaged = fc
    .tuple(
        fc.nat({ max: seeds.length - 1 }),
        fc.option(fc.tuple(fc.nat(), swapValue)),
        fc.option(fc.oneof(fc.nat(), fc.constantFrom(0, 1, 2))),
        fc.boolean(),
        fc.option(fc.tuple(fc.nat(), fc.constantFrom("x", "}", ",", '"', "\\", "\u0000", "ü"))),
    )
    .map(([i, swap, cut, pretty, stray]) => {
        const seed = seeds[i];
        let doc: unknown = seed.doc;
        if (swap) {
            const all = paths(doc);
            doc = setAt(doc, all[swap[0] % all.length], swap[1]);
        }
        let text = JSON.stringify(doc, null, pretty ? 2 : undefined);
        if (stray !== null) {
            // Near the canary half of the time: a parser's error may quote the text around the damage.
            const canaryAt = text.indexOf(CANARY);
            const at = canaryAt >= 0 && stray[0] % 2 === 0 ? Math.max(0, canaryAt - 12 + (stray[0] % (CANARY.length + 24))) : stray[0] % (text.length + 1);
            text = text.slice(0, at) + stray[1] + text.slice(at);
        }
        if (cut !== null) text = text.slice(0, cut % (text.length + 1));
        return { seed, text };
    });

function assertRefusal(e: unknown, source: string): void {
    assert.ok(e instanceof TerraformSourceError, `a TerraformSourceError, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
    assert.ok(e.message.startsWith(`${source}: `), `names the source: ${e.message.slice(0, 120)}`);
    const leaked = CANARY_FRAGMENTS.find((f) => e.message.includes(f));
    assert.ok(leaked === undefined, `part of a sensitive value (${leaked}) in the message: ${e.message}`);
    assert.doesNotMatch(e.message, /\n\s+at /);
}

describe("property: Terraform outputs are read correctly or refused clearly", function () {
    this.timeout(120000);
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "tf-property-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("states: both readers read a valid state the same, and refuse damage with the source named", async () => {
        const source = "local backend case.tfstate";
        await check(
            fc.asyncProperty(damaged.filter((d) => d.seed.isState), async ({ text }) => {
                const file = path.join(dir, "case.tfstate");
                fs.writeFileSync(file, text);
                const whole = (() => {
                    try {
                        return { outputs: stateFromText(text, source).outputs };
                    } catch (e) {
                        assertRefusal(e, source);
                        return { error: e as TerraformSourceError };
                    }
                })();
                let streamed: { outputs?: unknown; error?: TerraformSourceError };
                try {
                    streamed = { outputs: stateFromDocument((await readStateHead(file, source, { chunkSize: 97 })).header, source).outputs };
                } catch (e) {
                    assertRefusal(e, source);
                    streamed = { error: e as TerraformSourceError };
                }
                // A valid state is read by both, the same; damage past the header may only stop the whole-text reader.
                if (!whole.error) {
                    assert.ok(!streamed.error, `the streaming reader refused a valid state: ${streamed.error?.message}`);
                    assert.deepStrictEqual(streamed.outputs, whole.outputs);
                    // Read correctly: what was read is what the text says.
                    const doc = JSON.parse(text) as { outputs?: Record<string, { value: unknown }> };
                    for (const [name, o] of Object.entries(doc.outputs ?? {})) {
                        assert.deepStrictEqual((whole.outputs as Record<string, { value: unknown }>)[name].value, o.value);
                    }
                }
            }),
            1000,
        );
    });

    it("terraform output -json files: read as written or refused with the source named", async () => {
        await check(
            fc.asyncProperty(damaged.filter((d) => !d.seed.isState), async ({ text }) => {
                const file = path.join(dir, "case.outputs.json");
                fs.writeFileSync(file, text);
                const source = `json file ${file}`;
                try {
                    const outputs = await readOutputJson({ backend: "json", path: file } as never, { description: source } as never);
                    const doc = JSON.parse(text) as Record<string, { value: unknown; sensitive?: boolean }>;
                    for (const [name, o] of Object.entries(doc)) {
                        assert.deepStrictEqual(outputs[name].value, o.value);
                        assert.strictEqual(outputs[name].sensitive, o.sensitive ?? false);
                    }
                } catch (e) {
                    assertRefusal(e, source);
                }
            }),
            1000,
        );
    });
});
