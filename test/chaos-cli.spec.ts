/**
 * `npm run chaos`'s command line is refused before the loop starts (no work directory, no process,
 * nothing written), and the fault catalogue says what `npm run e2e`'s short version runs.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { FAULTS } from "../tools/chaos/faults";

const ROOT = path.resolve(__dirname, "..");

function chaos(args: string[]): { code: number | null; stderr: string; stdout: string } {
    const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "test/e2e/run.ts", "--phase", "chaos", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe("npm run chaos: the command line", function () {
    this.timeout(90_000);

    it("--only matching no fault: exit 2, the faults listed, nothing started", () => {
        const r = chaos(["--only", "cosmic rays"]);
        assert.strictEqual(r.code, 2, r.stderr);
        assert.match(r.stderr, /--only cosmic rays: no fault's description contains it/);
        for (const f of FAULTS) assert.ok(r.stderr.includes(f.proves), `not listed: ${f.proves}`);
        assert.strictEqual(r.stdout, "", "the loop began");
    });

    for (const rounds of ["0", "two", "1.5"]) {
        it(`--rounds ${rounds}: exit 2 naming the flag`, () => {
            const r = chaos(["--rounds", rounds]);
            assert.strictEqual(r.code, 2);
            assert.match(r.stderr, new RegExp(`--rounds ${rounds.replace(".", "\\.")}: expected a whole number of rounds, at least 1`));
        });
    }

    it("the short version (npm run e2e) and the whole (npm run chaos): each layer's faults in the whole, at least one short one per layer the issue names", () => {
        const short = FAULTS.filter((f) => f.short).map((f) => f.proves);
        for (const layer of [/application controller/, /kube-apiserver/, /force-push/, /pulumi up killed/]) assert.ok(short.some((p) => layer.test(p)), `no short fault for ${layer}`);
        for (const layer of [/repo server/, /Redis/, /ApplicationSet controller/, /etcd/, /Git server down/, /Git server hung/, /two pulumi up/]) assert.ok(FAULTS.some((f) => layer.test(f.proves)), `no fault for ${layer}`);
        assert.strictEqual(new Set(FAULTS.map((f) => f.proves)).size, FAULTS.length, "two faults described alike: their steps would share a name");
    });
});
