/**
 * What `npm run up` and `npm run down` print (tools/local-cluster/progress.ts): a line per step with
 * its time, a failed step named with how long it ran, the steps' own messages in the log file only.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Progress } from "../tools/local-cluster/progress";

describe("npm run up/down progress", () => {
    let dir: string;
    let printed: string[];
    let progress: Progress;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "progress-"));
        printed = [];
        progress = new Progress("up", path.join(dir, "logs", "up.log"), (line) => printed.push(line));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("prints one line per step with its seconds, and keeps the step's messages in the log only", async () => {
        const value = await progress.step("control plane", async () => {
            progress.log("control plane: etcd :4001");
            await new Promise((r) => setTimeout(r, 30));
            return 42;
        });
        assert.strictEqual(value, 42);
        assert.strictEqual(printed.length, 1);
        assert.match(printed[0], /^up: control plane \((\d+\.\d) s\)$/);
        assert.ok(Number(/\((\d+\.\d) s\)/.exec(printed[0])![1]) >= 0, printed[0]);
        assert.strictEqual(progress.steps.length, 1);
        assert.ok(progress.steps[0].seconds >= 0.02, `${progress.steps[0].seconds}`);
        const log = fs.readFileSync(progress.logFile, "utf8");
        assert.match(log, /== control plane\ncontrol plane: etcd :4001\n/);
    });

    it("names the step that failed and passes its error on, recording no time for it", async () => {
        await assert.rejects(
            progress.step("pulumi up", async () => {
                throw new Error("pulumi up failed (exit 255)");
            }),
            /exit 255/,
        );
        assert.deepStrictEqual(printed.length, 1);
        assert.match(printed[0], /^up: pulumi up: failed after \d+\.\d s$/);
        assert.deepStrictEqual(progress.steps, []);
    });

    it("starts a fresh log on each run, and a note goes to both", () => {
        progress.note("ready in 1.0 s");
        const again = new Progress("up", progress.logFile, (line) => printed.push(line));
        again.note("second run");
        assert.deepStrictEqual(printed, ["up: ready in 1.0 s", "up: second run"]);
        assert.strictEqual(fs.readFileSync(progress.logFile, "utf8"), "second run\n");
    });
});
