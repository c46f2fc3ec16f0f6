/**
 * The offline plan loads the program exactly as Pulumi's Node.js runner does: a CommonJS module's
 * export is called only when it is itself a function. A default export is not called (the first
 * real run of this project registered nothing but the Stack because of that).
 */
import * as assert from "assert";
import * as path from "path";
import { loadProgram } from "../tools/plan/run-program";
import { PROJECT_ROOT } from "./support/program";

const fixture = (name: string) => path.join(__dirname, "fixtures", "programs", name);

describe("program entry point, as the engine loads it", () => {
    it("calls a module that is a function and returns its result", async () => {
        assert.deepStrictEqual(await loadProgram(fixture("function-export"))(), { called: true });
    });

    it("does not call a default export: the exports object is the outputs", async () => {
        const outputs = (await loadProgram(fixture("default-export"))()) as Record<string, unknown>;
        assert.strictEqual(outputs.named, "an output");
        assert.strictEqual(typeof outputs.default, "function");
    });

    it("index.ts is itself the program function", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        assert.strictEqual(typeof require(path.join(PROJECT_ROOT, "index.ts")), "function");
    });
});
