/**
 * Imports point down (README "Layout", docs/adr-0005-validation-layers.md). From the bottom:
 * `policies/` (a package that ships alone: nothing outside itself) and `lib/` (the Terraform state
 * reader, the config error, zod issue text) -> `stacks/` (the config's keys, schema and loader) ->
 * `components/` -> `index.ts` and `argocd-crds/` (the two programs) -> `tools/`, `bench/`, `test/`. What the pack shares is imported by its
 * package name, `gitops-platform-policies/shared`, never by a path into its folders. Every import,
 * `export ... from`, `require()` and `import()` of every TypeScript file is read with the compiler's
 * own pre-processor, so a new file or a dynamic import cannot slip past.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..");
const PACK = "gitops-platform-policies";
const PACK_SHARED = `${PACK}/shared`;

/** The top-level place a repository path belongs to: a folder, or `index.ts`. */
type Place = string;

/** One import of one file: a package (`yaml`, `gitops-platform-policies/shared`) or a repository path. */
export interface Import {
    /** The importing file, relative to the repository root, `/`-separated. */
    from: string;
    /** The specifier as written. */
    specifier: string;
    /** For a relative specifier, the path it names, relative to the repository root. */
    target?: string;
}

/** Places each production layer must not import (by relative path). */
const FORBIDDEN: Record<Place, Place[]> = {
    lib: ["stacks", "components", "index.ts", "argocd-crds", "tools", "bench", "test", "deployments", "policies"],
    stacks: ["components", "index.ts", "argocd-crds", "tools", "bench", "test", "deployments", "policies"],
    components: ["index.ts", "argocd-crds", "tools", "bench", "test", "deployments", "policies"],
    "index.ts": ["argocd-crds", "tools", "bench", "test", "deployments", "policies"],
    "argocd-crds": ["index.ts", "tools", "bench", "test", "deployments", "policies"],
};

const placeOf = (repoPath: string): Place => (repoPath === "index.ts" || repoPath === "index" ? "index.ts" : repoPath.split("/")[0]);

/**
 * The layer of an importing file. The pack's own specs (`policies/test/`) are not shipped (package.json
 * `files`) and drive the pack through `tools/policy-analyzer` as the engine does: they sit with the tests.
 */
const layerOf = (file: string): Place => (file.startsWith("policies/test/") ? "test" : placeOf(file));

/** Why an import points the wrong way, or undefined when it is fine. */
export function violation(imp: Import): string | undefined {
    const from = layerOf(imp.from);
    if (imp.target !== undefined) {
        const to = placeOf(imp.target);
        if (from === "policies") {
            return to === "policies" ? undefined : `the policy pack ships alone: ${imp.specifier} leaves policies/`;
        }
        if (to === "policies" && from !== "test") return `${imp.specifier} reaches into the policy pack's folders; import ${PACK_SHARED}`;
        if (FORBIDDEN[from]?.includes(to)) return `${from}/ sits below ${to === "index.ts" ? "index.ts" : `${to}/`}: ${imp.specifier}`;
        return undefined;
    }
    if ((imp.specifier === PACK || imp.specifier.startsWith(`${PACK}/`)) && imp.specifier !== PACK_SHARED && from !== "policies" && from !== "test") {
        return `${imp.specifier}: the pack shares what it shares through ${PACK_SHARED} only`;
    }
    return undefined;
}

/** The imports of one TypeScript source text. */
export function importsOf(file: string, text: string): Import[] {
    const info = ts.preProcessFile(text, true, true);
    return info.importedFiles.map(({ fileName: specifier }) => {
        if (!specifier.startsWith(".")) return { from: file, specifier };
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
        return { from: file, specifier, target };
    });
}

/** Every TypeScript file of the repository's own code (not dependencies, compiled output or fixtures). */
function sourceFiles(dir = ""): string[] {
    const skip = new Set(["node_modules", "bin", "out", ".tools", ".git", "fixtures", "charts"]);
    const files: string[] = [];
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
        const rel = dir ? `${dir}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
            if (!skip.has(entry.name) && !entry.name.startsWith(".")) files.push(...sourceFiles(rel));
        } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
            files.push(rel);
        }
    }
    return files;
}

describe("layers: imports point down", () => {
    const files = sourceFiles();
    const imports = files.flatMap((f) => importsOf(f, fs.readFileSync(path.join(ROOT, f), "utf8")));

    it("reads every layer", () => {
        for (const place of ["lib", "stacks", "components", "index.ts", "argocd-crds", "policies", "tools"]) {
            assert.ok(files.some((f) => placeOf(f) === place), `no TypeScript file under ${place}`);
        }
    });

    for (const [layer, rule] of [
        ["policies", "the policy pack imports nothing outside policies/ (its specs aside, which it does not ship)"],
        ["lib", "the libraries import neither stacks/ nor components/ (nor anything above)"],
        ["stacks", "stacks/ imports neither components/ nor the pack's folders (only gitops-platform-policies/shared)"],
        ["components", "components/ imports no tools/, bench/, test/ or index.ts"],
        ["index.ts", "index.ts imports no tools/, bench/ or test/"],
        ["argocd-crds", "argocd-crds/, the other program, imports no tools/, bench/, test/ or index.ts"],
    ] as const) {
        it(rule, () => {
            const wrong = imports.filter((i) => layerOf(i.from) === layer).flatMap((i) => {
                const why = violation(i);
                return why ? [`${i.from}: ${why}`] : [];
            });
            assert.deepStrictEqual(wrong, []);
        });
    }

    it("outside the pack and its tests, the pack is imported by its package name and only as /shared", () => {
        const wrong = imports
            .filter((i) => !["policies", "test", ...Object.keys(FORBIDDEN)].includes(layerOf(i.from)))
            .flatMap((i) => {
                const why = violation(i);
                return why ? [`${i.from}: ${why}`] : [];
            });
        assert.deepStrictEqual(wrong, []);
    });

    it("the check itself refuses an import that points up", () => {
        const up = (from: string, text: string) => importsOf(from, text).map(violation);
        assert.match(up("stacks/load.ts", 'import { x } from "../components/platform/fleet";')[0] ?? "", /stacks\/ sits below components\//);
        assert.match(up("stacks/schema/common.ts", 'import { y } from "../../policies/rules/lib/secrets";')[0] ?? "", /reaches into the policy pack/);
        assert.match(up("stacks/schema/common.ts", 'import { y } from "gitops-platform-policies/rules/lib/secrets";')[0] ?? "", /only/);
        assert.match(up("lib/terraform/state.ts", 'const s = require("../../stacks/load");')[0] ?? "", /lib\/ sits below stacks\//);
        assert.match(up("components/platform/fleet.ts", 'const t = await import("../../tools/plan/stack-file");')[0] ?? "", /components\/ sits below tools\//);
        assert.match(up("policies/rules/lib/types.ts", 'import { z } from "../../../lib/zodIssues";')[0] ?? "", /ships alone/);
        assert.deepStrictEqual(up("components/platform/fleet.ts", 'import { a } from "../../lib/terraform";\nimport { b } from "../../stacks/schema";\nimport { c } from "gitops-platform-policies/shared";'), [undefined, undefined, undefined]);
    });
});
