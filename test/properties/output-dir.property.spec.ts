/**
 * Property: a plan refused for any reason (a damaged or invalid stack file, a bad --out) leaves the
 * previous `<out>/<stack>` byte for byte as it was and nothing half-written beside it. (Interrupts
 * and the policy pack's process are covered through the CLI in test/plan-bad-input.spec.ts.)
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as fc from "fast-check";
import * as YAML from "yaml";
import { plan } from "../../tools/plan/plan";
import { PROJECT_ROOT } from "../support/program";
import { check } from "./property";

const localText = fs.readFileSync(path.join(PROJECT_ROOT, "stacks", "Pulumi.local.yaml"), "utf8");
const localPlatform = YAML.parse(localText).config["gitops-platform:platform"] as Record<string, unknown>;

/** Stack files the plan must refuse: cut short, or one setting broken. */
const refusedStackFile = fc.oneof(
    fc.nat({ max: localText.length - 1 }).map((n) => localText.slice(0, Math.max(1, n)) + "\n  : [\n"),
    fc.constantFrom<[string, unknown]>(
        ["argocd", { chart: { version: "latest" } }],
        ["environment", 42],
        ["gitops", "not a mapping"],
        ["audit", { owner: "" }],
        ["unknownSetting", true],
    ).map(([key, value]) => YAML.stringify({ config: { "gitops-platform:platform": { ...localPlatform, [key]: value } } })),
);

describe("property: a refused plan leaves the previous output as it was", function () {
    this.timeout(180000);
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "output-dir-property-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("damaged and invalid stack files", async () => {
        const out = path.join(dir, "out");
        const previous = path.join(out, "local");
        fs.mkdirSync(path.join(previous, "manifests"), { recursive: true });
        fs.writeFileSync(path.join(previous, "resources.json"), "[]\n");
        fs.writeFileSync(path.join(previous, "manifests", "namespace_cluster_argocd.yaml"), "kind: Namespace\n");
        const configFile = path.join(dir, "Pulumi.case.yaml");
        await check(
            fc.asyncProperty(refusedStackFile, async (text) => {
                fs.writeFileSync(configFile, text);
                await assert.rejects(plan({ projectRoot: PROJECT_ROOT, stack: "local", outDir: out, configFile }));
                assert.deepStrictEqual(fs.readdirSync(out), ["local"], "nothing staged is left beside it");
                assert.deepStrictEqual(fs.readdirSync(previous).sort(), ["manifests", "resources.json"]);
                assert.strictEqual(fs.readFileSync(path.join(previous, "resources.json"), "utf8"), "[]\n");
                assert.deepStrictEqual(fs.readdirSync(path.join(previous, "manifests")), ["namespace_cluster_argocd.yaml"]);
            }),
            60,
        );
    });
});
