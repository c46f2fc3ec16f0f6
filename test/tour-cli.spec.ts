/**
 * `npm run tour`'s command line: a bad flag is refused before anything starts (no loop, nothing in
 * out/tour), and --help says how to run it straight through. The tour itself runs in `.ci/run`.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");

function tour(args: string[]): { code: number | null; stderr: string; stdout: string } {
    const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "tools/tour/cli.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe("npm run tour: the command line", function () {
    this.timeout(90_000);

    it("an unknown flag: exit 2 with the usage, nothing started", () => {
        const r = tour(["--fast"]);
        assert.strictEqual(r.code, 2, r.stderr);
        assert.match(r.stderr, /tour: .*--fast/);
        assert.match(r.stderr, /usage: npm run tour \[-- --yes\]/);
        assert.strictEqual(r.stdout, "", "the tour began");
    });

    it("--help: the usage on stdout, exit 0", () => {
        const r = tour(["--help"]);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.match(r.stdout, /--yes: no pause between steps, as in CI/);
    });
});
