/**
 * Property: any stack file either loads or is refused with one error that names the file and a key
 * path; never another exception, a stack trace, or a resource registered. The documents are random
 * YAML structures and mutations of the real stack files (values swapped for any JSON, keys dropped
 * or added, unicode and huge strings, text cut short, lines repeated as duplicate keys, aliases).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { StackConfigError } from "../../lib/stackConfigError";
import { SECRET_KEYS } from "../../stacks/configKeys";
import { loadStackConfig } from "../../stacks/load";
import { PlanMocks } from "../../tools/plan/mocks";
import { readStackConfig, StackFileError } from "../../tools/plan/stack-file";
import { runProgram } from "../../tools/plan/run-program";
import { PROJECT_ROOT } from "../support/program";
import { check } from "./property";

const STACKS = ["local", "dev", "staging", "prod"];
const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const realPlatforms = STACKS.map((s) => YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, "stacks", `Pulumi.${s}.yaml`), "utf8")).config["gitops-platform:platform"]);

/** The plan's mocks, counting what the program registers. */
class CountingMocks extends PlanMocks {
    registered = 0;
    newResource(args: pulumi.runtime.MockResourceArgs) {
        this.registered++;
        return super.newResource(args);
    }
}

type Outcome = { ok: true } | { ok: false; error: Error };

/** Loads a stack file's text the way the plan and the program do, up to the validated config. */
function load(dir: string, text: string): Outcome {
    const file = path.join(dir, "Pulumi.case.yaml");
    fs.writeFileSync(file, text);
    try {
        const stackConfig = readStackConfig(PROJECT_ROOT, "dev", file);
        pulumi.runtime.setAllConfig(stackConfig.config, stackConfig.secretKeys);
        loadStackConfig({ env: { GITHUB_SHA: COMMIT } });
        return { ok: true };
    } catch (error) {
        return { ok: false, error: error as Error };
    }
}

/** The refusal names its source and key paths, and carries no stack trace. */
function assertClearRefusal(outcome: Outcome, file: string): void {
    if (outcome.ok) return;
    const { error } = outcome;
    assert.ok(error instanceof StackFileError || error instanceof StackConfigError, `unexpected ${error.name}: ${error.message}`);
    assert.doesNotMatch(error.message, /\n\s+at /, "no stack trace in the message");
    if (error instanceof StackFileError) {
        assert.ok(error.message.startsWith(`${file}: `), `names the file: ${error.message.slice(0, 200)}`);
    } else {
        assert.ok(error.message.startsWith(`${error.file}: `), "names the stack file");
        assert.ok(error.problems.length > 0);
        const known = new Set(["platform", "GITHUB_SHA", ...SECRET_KEYS]);
        for (const p of error.problems) {
            assert.ok(p.path.length > 0 && p.message.length > 0, "every problem has a key path and a message");
            // An unknown top-level key is named by its own name; every other path starts at a key the program reads.
            assert.ok(known.has(p.path.split(/[.[]/)[0]) || p.message.startsWith("unknown config key"), `a key path: ${p.path}`);
        }
    }
}

const scalar = fc.oneof(
    fc.string(),
    fc.string({ unit: "grapheme", maxLength: 30 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom("latest", "^1.2", "v1.16.2", "https://example.com", "oci://r/x", "../../etc", "main", "", " "),
    fc.string({ minLength: 5000, maxLength: 20000 }),
);
const anyValue = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: "small" }, scalar, fc.array(tie("value"), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 12 }), tie("value"), { maxKeys: 4 })),
})).value;

/** Every path to a value inside `root`. */
function paths(root: unknown, at: (string | number)[] = []): (string | number)[][] {
    const out = [at];
    if (Array.isArray(root)) root.forEach((v, i) => out.push(...paths(v, [...at, i])));
    else if (typeof root === "object" && root !== null) Object.entries(root).forEach(([k, v]) => out.push(...paths(v, [...at, k])));
    return out;
}

type Mutation = { kind: "set"; value: unknown } | { kind: "delete" } | { kind: "add"; key: string; value: unknown };

function mutate(root: unknown, at: (string | number)[], m: Mutation): unknown {
    const copy = structuredClone(root);
    if (at.length === 0) return m.kind === "set" ? m.value : copy;
    const parent = at.slice(0, -1).reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], copy) as Record<string | number, unknown>;
    const key = at[at.length - 1];
    if (m.kind === "set") parent[key] = m.value;
    else if (m.kind === "delete" && Array.isArray(parent)) parent.splice(Number(key), 1);
    else if (m.kind === "delete") delete parent[key];
    else if (typeof parent[key] === "object" && parent[key] !== null && !Array.isArray(parent[key])) (parent[key] as Record<string, unknown>)[m.key] = m.value;
    return copy;
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    anyValue.map((value) => ({ kind: "set" as const, value })),
    fc.constant({ kind: "delete" as const }),
    fc.tuple(fc.string({ minLength: 1, maxLength: 20 }), anyValue).map(([key, value]) => ({ kind: "add" as const, key, value })),
);

/** A real stack's platform config with one to three mutations. */
const mutatedRealPlatform = fc
    .tuple(fc.nat({ max: STACKS.length - 1 }), fc.array(fc.tuple(fc.nat(), mutation), { minLength: 1, maxLength: 3 }))
    .map(([i, steps]) => steps.reduce<unknown>((root, [n, m]) => {
        const all = paths(root);
        return mutate(root, all[n % all.length], m);
    }, realPlatforms[i]));

const stackText = (platform: unknown, extra: Record<string, unknown> = {}) => YAML.stringify({ config: { "gitops-platform:platform": platform, ...extra } });

/** Text-level damage: cut short, a line repeated (duplicate keys), an alias to itself or a bomb, a stray character. */
const damagedText = fc
    .tuple(fc.nat({ max: STACKS.length - 1 }), fc.nat(), fc.constantFrom("truncate", "duplicate", "self-alias", "alias-bomb", "insert"), fc.string({ minLength: 1, maxLength: 3 }))
    .map(([i, n, how, chars]) => {
        const text = fs.readFileSync(path.join(PROJECT_ROOT, "stacks", `Pulumi.${STACKS[i]}.yaml`), "utf8");
        const lines = text.split("\n");
        const at = n % text.length;
        switch (how) {
            case "truncate":
                return text.slice(0, at);
            case "duplicate": {
                const l = n % lines.length;
                return [...lines.slice(0, l + 1), lines[l], ...lines.slice(l + 1)].join("\n");
            }
            case "self-alias":
                return text.replace("gitops-platform:platform:", "gitops-platform:platform: &top\n    self: *top\n   ");
            case "alias-bomb":
                return `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\nconfig:\n  gitops-platform:platform: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n`;
            default:
                return text.slice(0, at) + chars + text.slice(at);
        }
    });

describe("property: a stack file loads or is refused clearly", function () {
    this.timeout(120000);
    let dir: string;
    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-config-property-"));
        await pulumi.runtime.setMocks(new PlanMocks(), "gitops-platform", "dev", false);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const file = () => path.join(dir, "Pulumi.case.yaml");

    it("random YAML structures as the platform config", async () => {
        await check(fc.property(anyValue, (platform) => assertClearRefusal(load(dir, stackText(platform)), file())), 1000);
    });

    it("mutations of the real stack files", async () => {
        await check(fc.property(mutatedRealPlatform, (platform) => assertClearRefusal(load(dir, stackText(platform)), file())), 1000);
    });

    it("unknown and secret top-level keys beside a real platform config", async () => {
        const extra = fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), anyValue, { minKeys: 1, maxKeys: 3 });
        await check(fc.property(extra, (keys) => assertClearRefusal(load(dir, stackText(realPlatforms[1], keys)), file())), 1000);
    });

    it("damaged text: truncated, duplicate keys, recursive aliases, alias bombs, stray characters", async () => {
        await check(fc.property(damagedText, (text) => assertClearRefusal(load(dir, text), file())), 1000);
    });

    it("a refused config registers no resource (the whole program, a sample of cases)", async () => {
        const refused = mutatedRealPlatform.filter((p) => !load(dir, stackText(p)).ok);
        await check(
            fc.asyncProperty(refused, async (platform) => {
                fs.writeFileSync(file(), stackText(platform));
                const stackConfig = readStackConfig(PROJECT_ROOT, "dev", file());
                const mocks = new CountingMocks();
                process.env.GITHUB_SHA = COMMIT;
                try {
                    await assert.rejects(runProgram({ projectRoot: PROJECT_ROOT, stackConfig, mocks }), { name: "StackConfigError" });
                } finally {
                    delete process.env.GITHUB_SHA;
                }
                assert.strictEqual(mocks.registered, 0, "no resource registered");
            }),
            30,
        );
    });
});
