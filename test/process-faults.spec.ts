/**
 * What the faults do to a process of the loop (tools/local-cluster/managed-process.ts), on a real
 * HTTP server: SIGKILL and a restart on the same port with the same log, SIGSTOP (a hung server:
 * connections wait) and SIGCONT, and a stop that ends a stopped process too.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { freePort } from "../tools/engine/free-port";
import { isAlive, ManagedProcess, startProcess } from "../tools/local-cluster/managed-process";

function get(url: string, timeoutMs: number): Promise<string> {
    return new Promise((resolve) => {
        const req = http.get(url, { timeout: timeoutMs }, (res) => {
            let body = "";
            res.on("data", (d: Buffer) => (body += d.toString()));
            res.on("end", () => resolve(body));
        });
        req.on("error", (e) => resolve(`error: ${(e as NodeJS.ErrnoException).code}`));
        req.on("timeout", () => (req.destroy(), resolve("timeout")));
    });
}

describe("a process of the loop under faults", function () {
    this.timeout(60_000);
    let dir: string;
    let server: ManagedProcess;
    let url: string;

    beforeEach(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "process-faults-"));
        const port = await freePort();
        url = `http://127.0.0.1:${port}/`;
        // Answers with its pid: a restart shows as a new one.
        const script = `require("http").createServer((q, s) => s.end(String(process.pid))).listen(${port}, "127.0.0.1", () => console.log("listening"))`;
        server = startProcess({ name: "probe", command: process.execPath, args: ["-e", script], logFile: path.join(dir, "probe.log") });
        await server.waitForHttp(url, 20_000);
    });

    afterEach(async () => {
        await server.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("SIGKILLed, it is gone; restarted, it answers on the same port with a new pid and the same log", async () => {
        const first = server.pid;
        assert.strictEqual(await get(url, 2000), String(first));
        await server.signal("SIGKILL");
        assert.ok(!isAlive(first), "still alive after SIGKILL");
        assert.strictEqual(server.running(), false);
        assert.strictEqual(await get(url, 2000), "error: ECONNREFUSED");
        await server.restart();
        await server.waitForHttp(url, 20_000);
        assert.notStrictEqual(server.pid, first);
        assert.strictEqual(await get(url, 2000), String(server.pid));
        const log = fs.readFileSync(server.logFile, "utf8");
        assert.strictEqual(log.match(/listening/g)?.length, 2, log);
        assert.match(log, /--- restarted /);
    });

    it("restart stops a running process first: one server, never two", async () => {
        const first = server.pid;
        await server.restart();
        await server.waitForHttp(url, 20_000);
        assert.ok(!isAlive(first), "the first run is still alive");
        assert.strictEqual(await get(url, 2000), String(server.pid));
    });

    it("SIGSTOPped, a request waits and gets no answer; SIGCONT, it answers", async () => {
        await server.signal("SIGSTOP");
        assert.strictEqual(await get(url, 1500), "timeout");
        await server.signal("SIGCONT");
        assert.strictEqual(await get(url, 2000), String(server.pid));
    });

    it("stop ends a SIGSTOPped process too", async () => {
        const pid = server.pid;
        await server.signal("SIGSTOP");
        await server.stop();
        assert.ok(!isAlive(pid), "a stopped process outlived stop()");
    });
});
