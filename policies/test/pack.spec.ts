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
import { configure, packDir, sharedAnalyzer } from "./support";

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

describe("one spec per rule", () => {
    it("every rule of the pack has its own spec, test/rules/<area>/<rule-file>.spec.ts, naming it", async () => {
        const fileOf = new Map<unknown, string>();
        for (const file of importedRuleFiles()) {
            const exports = (await import(path.join(rulesDir, file))) as Record<string, unknown>;
            for (const value of Object.values(exports)) fileOf.set(value, file);
        }
        assert.ok(policies.length >= 21, `only ${policies.length} rules in rules/index.ts`);
        const missing: string[] = [];
        for (const rule of policies) {
            const file = fileOf.get(rule);
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
