/**
 * The pack as a whole: what it serves (through the analyzer gRPC server), and one spec per rule, beside it:
 * every rule of `policies` (rules/index.ts), defined in rules/<area>/<rule-file>.ts, has its passing and violating
 * cases in test/rules/<area>/<rule-file>.spec.ts, which names the rule.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PolicyAnalyzer } from "../../tools/policy-analyzer";
import { policies } from "../rules";
import { assertViolates, configure, deployment, packDir, sharedAnalyzer } from "./support";

const rulesDir = path.join(packDir, "rules");
const specsDir = path.join(packDir, "test", "rules");

/** The rule files rules/index.ts imports (`./<area>/<rule-file>`), without extension. */
function importedRuleFiles(): string[] {
    const index = fs.readFileSync(path.join(rulesDir, "index.ts"), "utf8");
    return [...index.matchAll(/^import \{[^}]*\} from "\.\/([\w-]+\/[\w-]+)";$/gm)].map(m => m[1]);
}

/** Spec files under test/rules, as `<area>/<rule-file>`. */
function specFiles(dir = specsDir, prefix = ""): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e =>
        e.isDirectory() ? specFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : e.name.endsWith(".spec.ts") ? [`${prefix}${e.name.slice(0, -".spec.ts".length)}`] : [],
    );
}

describe("policy pack", function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    before(async () => {
        analyzer = await sharedAnalyzer();
    });
    beforeEach(() => configure());

    it("serves every rule with a unique kebab-case name, a description, severity and remediation steps", async () => {
        const info = await analyzer.getAnalyzerInfo();
        assert.strictEqual(info.name, "gitops-platform-policies");
        const names = info.policies.map(p => p.name);
        assert.strictEqual(new Set(names).size, names.length);
        assert.ok(names.length >= 17);
        for (const p of info.policies) {
            assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
            assert.ok(p.description && p.severity && p.remediationSteps && p.url, `${p.name} lacks metadata`);
        }
    });
});

describe("findings on rendered objects", function () {
    this.timeout(240_000);
    beforeEach(() => configure());
    it("name the object and what rendered it (a Chart, a ConfigGroup, an Argo CD Application), for every rule", async () => {
        const analyzer = await sharedAnalyzer();
        const root = deployment({ containers: [{ name: "web", image: "web:1.0.0", securityContext: { privileged: true } }] });
        for (const [parent, by] of [["urn:pulumi:s::p::kubernetes:helm.sh/v4:Chart::web", 'Chart "web"'], ["urn:pulumi:s::p::kubernetes:yaml/v2:ConfigGroup::web", 'ConfigGroup "web"'], ["urn:pulumi:s::p::gitops:manifests:Application::web@hub", 'Application "web@hub"']]) {
            const d = assertViolates(await analyzer.analyze({ ...root, parent }), "container-security-context");
            assert.ok(d.message.trim().endsWith(` — in Deployment apps/web, rendered by ${by}`), d.message);
        }
        // An object the program declares itself is named by its URN alone, as before.
        assert.doesNotMatch(assertViolates(await analyzer.analyze(root), "container-security-context").message, / — in /);
    });
});

describe("one spec per rule", () => {
    it("every rule of the pack has its own spec, test/rules/<area>/<rule-file>.spec.ts, naming it", async () => {
        // By name: the list holds the rules as rules/index.ts wraps them (lib/provenance.ts), not the exported objects.
        const fileOf = new Map<string, string>();
        for (const file of importedRuleFiles()) {
            const exports = (await import(path.join(rulesDir, file))) as Record<string, { name?: unknown }>;
            for (const value of Object.values(exports)) if (typeof value?.name === "string") fileOf.set(value.name, file);
        }
        assert.ok(policies.length >= 21, `only ${policies.length} rules in rules/index.ts`);
        const missing: string[] = [];
        for (const rule of policies) {
            const file = fileOf.get(rule.name);
            assert.ok(file, `${rule.name} is not exported by a rules/<area>/<rule-file>.ts that rules/index.ts imports`);
            const spec = path.join(specsDir, `${file}.spec.ts`);
            if (!fs.existsSync(spec)) {
                missing.push(`${rule.name}: no ${path.relative(packDir, spec)}`);
            } else if (!fs.readFileSync(spec, "utf8").includes(JSON.stringify(rule.name))) {
                missing.push(`${rule.name}: ${path.relative(packDir, spec)} never names the rule`);
            }
        }
        assert.deepStrictEqual(missing, []);
    });

    it("every spec under test/rules belongs to a rule file of the pack", () => {
        const ruleFiles = new Set(importedRuleFiles());
        assert.deepStrictEqual(specFiles().filter(f => !ruleFiles.has(f)), []);
    });
});
