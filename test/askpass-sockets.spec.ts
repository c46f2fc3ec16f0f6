/**
 * Two loops on one machine must not share the socket Argo CD hands git its credentials on: each
 * repo server gets its own (Argo CD's default is one path per host), and a second commit server,
 * whose path 3.6.1 fixes, is refused while the first one listens.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { listening } from "../tools/local-cluster/argocd-commit-server";
import { askPassSocket } from "../tools/local-cluster/argocd-controllers";

describe("the credentials sockets of Argo CD's repo and commit servers", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "askpass-spec-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("a repo server's socket is in its loop's data, or in a folder of its own when that path is too long for a socket", () => {
        assert.strictEqual(askPassSocket(dir), path.join(dir, "askpass.sock"));
        const deep = path.join(dir, "x".repeat(120));
        const other = askPassSocket(deep);
        assert.ok(other.length < 108 && !other.startsWith(deep), other);
        const another = askPassSocket(deep);
        for (const s of [other, another]) fs.rmSync(path.dirname(s), { recursive: true, force: true });
        assert.notStrictEqual(another, other, "two long data folders share a socket");
    });

    it("a socket someone listens on is taken; a stale file left by a killed server is not", async () => {
        const socket = path.join(dir, "s.sock");
        const server = net.createServer().listen(socket);
        await new Promise((r) => server.once("listening", r));
        assert.strictEqual(await listening(socket), true);
        await new Promise((r) => server.close(r));
        fs.writeFileSync(path.join(dir, "stale.sock"), "");
        assert.strictEqual(await listening(path.join(dir, "stale.sock")), false);
        assert.strictEqual(await listening(path.join(dir, "absent.sock")), false);
    });
});
