/**
 * Component props read like aws-cdk-lib's: every optional field of an interface a component takes
 * (its args and the shapes inside them) says its default in an `@default` tag, so the doc comment is
 * the one place to look. Read with the TypeScript compiler, so a new optional field without one fails.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..");
/** Not props: the composition's own steps, and the inputs a component registers for the policy pack. */
const NOT_PROPS = [/^components\/platform\//, /^components\/helm\/chartInputs\.ts$/];

function componentFiles(dir = "components"): string[] {
    return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
        const rel = `${dir}/${e.name}`;
        if (e.isDirectory()) return componentFiles(rel);
        return e.name.endsWith(".ts") && !NOT_PROPS.some((re) => re.test(rel)) ? [rel] : [];
    });
}

/** `Interface.field` of every optional field without an `@default` tag. */
export function optionalWithoutDefault(file: string, text: string): string[] {
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    const missing: string[] = [];
    const visit = (node: ts.Node) => {
        if (ts.isInterfaceDeclaration(node)) {
            for (const member of node.members) {
                if (!ts.isPropertySignature(member) || !member.questionToken) continue;
                if (!ts.getJSDocTags(member).some((tag) => tag.tagName.text === "default")) missing.push(`${file}: ${node.name.text}.${member.name.getText(source)}`);
            }
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    return missing;
}

describe("component props", () => {
    it("every optional prop says its default in an @default tag", () => {
        const files = componentFiles();
        assert.ok(files.length > 10);
        const missing = files.flatMap((f) => optionalWithoutDefault(f, fs.readFileSync(path.join(ROOT, f), "utf8")));
        assert.deepStrictEqual(missing, []);
    });

    it("the check finds an optional prop without one", () => {
        const text = "interface A {\n    /** With. @default 1 */\n    a?: number;\n    /** Without. Default 2. */\n    b?: number;\n    /** Required. */\n    c: number;\n}";
        assert.deepStrictEqual(optionalWithoutDefault("x.ts", text), ["x.ts: A.b"]);
    });
});
