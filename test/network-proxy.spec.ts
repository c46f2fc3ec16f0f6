/**
 * Toxiproxy in front of a loopback server (tools/local-cluster/network-proxy.ts), the real binary
 * tools/install.sh builds: answers pass through untouched, a latency asked for delays each answer by
 * at least that much, and once cleared they come without it. The loop's Git server behind it, with
 * Argo CD syncing through it while it is slow, is `npm run e2e`'s slow-Git fault.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { isAlive } from "../tools/local-cluster/managed-process";
import { NetworkProxy, startNetworkProxy } from "../tools/local-cluster/network-proxy";

/** GET through the proxy: the body and how long the answer took. */
function get(port: number): Promise<{ body: string; ms: number }> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
        http.get({ host: "127.0.0.1", port, path: "/", agent: false }, (res) => {
            let body = "";
            res.on("data", (d: Buffer) => (body += d.toString()));
            res.on("end", () => resolve({ body, ms: Date.now() - started }));
        }).on("error", reject);
    });
}

describe("Toxiproxy in front of a loopback server (network faults)", function () {
    this.timeout(60_000);
    let dir: string;
    let upstream: http.Server;
    let proxy: NetworkProxy;
    const LATENCY_MS = 3000;

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "network-proxy-"));
        upstream = http.createServer((_req, res) => res.end("from upstream"));
        await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
        proxy = await startNetworkProxy({ name: "probe", upstreamPort: (upstream.address() as { port: number }).port, dataDir: dir });
    });
    after(async () => {
        await proxy?.process.stop();
        upstream?.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("passes answers through untouched", async () => {
        assert.strictEqual((await get(proxy.port)).body, "from upstream");
    });

    it("delays each answer by at least the latency asked for, and a second ask while slow is an error naming the proxy", async () => {
        await proxy.slow(LATENCY_MS);
        const slow = await get(proxy.port);
        assert.strictEqual(slow.body, "from upstream");
        assert.ok(slow.ms >= LATENCY_MS, `answered after ${slow.ms} ms with ${LATENCY_MS} ms of latency`);
        await assert.rejects(proxy.slow(LATENCY_MS), /toxiproxy POST \/proxies\/probe\/toxics: 409/);
    });

    it("once cleared, answers come without the latency", async () => {
        await proxy.clear();
        const fast = await get(proxy.port);
        assert.ok(fast.ms < LATENCY_MS, `still ${fast.ms} ms after the latency was cleared`);
    });

    it("stops by pid; asked for latency then, it is an error naming its API", async () => {
        const pid = proxy.process.pid;
        await proxy.process.stop();
        assert.strictEqual(isAlive(pid), false);
        await assert.rejects(get(proxy.port));
        await assert.rejects(proxy.slow(LATENCY_MS), /toxiproxy POST \/proxies\/probe\/toxics: its API at http:\/\/127\.0\.0\.1:\d+\/proxies\/probe\/toxics does not answer \(connect ECONNREFUSED/);
    });
});
