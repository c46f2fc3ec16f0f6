/**
 * The loop's Git server (tools/local-cluster/git-server.ts) as a Git client sees it: the real `git`
 * CLI clones and pushes over HTTPS with the right credentials, and is refused with a wrong password,
 * with none, and when it does not trust the server's certificate. Credentials reach git through a
 * credential helper reading the environment, never the URL or a command line; afterwards the
 * password is in no file the server wrote (its log included) nor in the environment git-http-backend
 * gives the repository's hooks, and stopping the server ends its process and closes its port.
 */
import * as assert from "assert";
import { execFile } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { GitServer, startGitServer } from "../tools/local-cluster/git-server";
import { isAlive } from "../tools/local-cluster/managed-process";

const LIGHTTPD = path.resolve(__dirname, "..", ".tools", "bin", "lighttpd");
const REPO = "platform.git";
const BRANCH = "main";
const USER = "loop-committer";
/** May clone and fetch, not push. */
const READER = "loop-reader";
/** Answers `get` from the environment, so the password is on no command line. */
const CREDENTIAL_HELPER = '!f() { test "$1" = get || exit 0; echo "username=$LOOP_GIT_USERNAME"; echo "password=$LOOP_GIT_PASSWORD"; }; f';

interface GitResult {
    ok: boolean;
    stdout: string;
    stderr: string;
    ms: number;
}

describe("the loop's Git server (git-http-backend behind lighttpd, HTTPS, basic auth)", () => {
    let dir: string;
    let server: GitServer;
    let bare: string;
    let firstCommit: string;
    const password = crypto.randomBytes(18).toString("base64url");
    const readerPassword = crypto.randomBytes(18).toString("base64url");

    /** The real git CLI, isolated from this machine's config, never prompting. */
    function git(cwd: string, args: string[], client: { credentials?: { username: string; password: string }; trust?: boolean } = {}): Promise<GitResult> {
        const env: NodeJS.ProcessEnv = { ...process.env, HOME: path.join(dir, "home"), GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0" };
        for (const key of ["GIT_SSL_NO_VERIFY", "GIT_SSL_CAINFO", "GIT_ASKPASS", "SSH_ASKPASS", "LOOP_GIT_USERNAME", "LOOP_GIT_PASSWORD"]) delete env[key];
        if (client.trust ?? true) env.GIT_SSL_CAINFO = server.certificateFile;
        const helper = ["-c", "credential.helper="];
        if (client.credentials) {
            env.LOOP_GIT_USERNAME = client.credentials.username;
            env.LOOP_GIT_PASSWORD = client.credentials.password;
            helper.push("-c", `credential.helper=${CREDENTIAL_HELPER}`);
        }
        const started = Date.now();
        return new Promise((resolve) =>
            execFile("git", [...helper, "-c", "user.name=git-server spec", "-c", "user.email=spec@gitops-platform.invalid", ...args], { cwd, env, timeout: 30_000 }, (error, stdout, stderr) =>
                resolve({ ok: !error, stdout, stderr, ms: Date.now() - started }),
            ),
        );
    }
    const gitOk = async (cwd: string, args: string[], client?: Parameters<typeof git>[2]) => {
        const r = await git(cwd, args, client);
        assert.ok(r.ok, `git ${args.join(" ")} failed:\n${r.stderr}`);
        return r.stdout.trim();
    };
    const rightCredentials = () => ({ credentials: { username: USER, password } });
    const clone = (into: string, client?: Parameters<typeof git>[2]) => git(dir, ["clone", "--quiet", server.url(REPO), into], client);

    before(async () => {
        assert.ok(fs.existsSync(LIGHTTPD), `${LIGHTTPD} is missing: run bash tools/install.sh argocd (Debian's lighttpd; npm test's pretest installs it)`);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "git-server-"));
        fs.mkdirSync(path.join(dir, "home"));
        const root = path.join(dir, "repos");
        bare = path.join(root, REPO);
        const seed = path.join(dir, "seed");
        fs.mkdirSync(seed);
        await gitOk(dir, ["init", "--quiet", "--bare", "--initial-branch", BRANCH, bare], { trust: false });
        await gitOk(seed, ["init", "--quiet", "--initial-branch", BRANCH], { trust: false });
        fs.writeFileSync(path.join(seed, "README.md"), "first\n");
        await gitOk(seed, ["add", "README.md"], { trust: false });
        await gitOk(seed, ["commit", "--quiet", "-m", "first"], { trust: false });
        await gitOk(seed, ["push", "--quiet", bare, BRANCH], { trust: false });
        firstCommit = await gitOk(bare, ["rev-parse", BRANCH], { trust: false });
        // What a pushed-to repository's hooks are given (git-http-backend's CGI environment, through receive-pack).
        const hook = path.join(bare, "hooks", "pre-receive");
        fs.writeFileSync(hook, `#!/bin/sh\nenv > '${path.join(dir, "hook-env")}'\ncat >/dev/null\n`, { mode: 0o755 });
        server = await startGitServer({ root, dataDir: path.join(dir, "server"), users: [{ username: USER, password }, { username: READER, password: readerPassword }], writers: [USER] });
    });

    after(async () => {
        await server?.process.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("clones with the right credentials: the repository's commit", async () => {
        const into = path.join(dir, "clone");
        const r = await clone(into, rightCredentials());
        assert.ok(r.ok, `clone failed:\n${r.stderr}`);
        assert.strictEqual(await gitOk(into, ["rev-parse", "HEAD"]), firstCommit);
        assert.strictEqual(fs.readFileSync(path.join(into, "README.md"), "utf8"), "first\n");
    });

    it("takes a push with the right credentials: the bare repository's branch moves, and its hooks see the user, not the password", async () => {
        const work = path.join(dir, "clone");
        fs.appendFileSync(path.join(work, "README.md"), "second\n");
        await gitOk(work, ["commit", "--quiet", "-am", "second"]);
        const pushed = await gitOk(work, ["rev-parse", "HEAD"]);
        assert.notStrictEqual(pushed, firstCommit);
        const r = await git(work, ["push", "--quiet", "origin", BRANCH], rightCredentials());
        assert.ok(r.ok, `push failed:\n${r.stderr}`);
        assert.strictEqual(await gitOk(bare, ["rev-parse", BRANCH], { trust: false }), pushed);
        const hookEnv = fs.readFileSync(path.join(dir, "hook-env"), "utf8");
        assert.match(hookEnv, new RegExp(`^REMOTE_USER=${USER}$`, "m"));
        assert.doesNotMatch(hookEnv, /^HTTP_AUTHORIZATION=./m);
        for (const secret of secretForms()) assert.ok(!hookEnv.includes(secret), "the hook's environment holds the password");
    });

    it("lets a reader clone and refuses its push: only the writers push", async () => {
        const into = path.join(dir, "reader-clone");
        const reader = { credentials: { username: READER, password: readerPassword } };
        const cloned = await clone(into, reader);
        assert.ok(cloned.ok, `the reader's clone failed:\n${cloned.stderr}`);
        const before = await gitOk(bare, ["rev-parse", BRANCH], { trust: false });
        fs.appendFileSync(path.join(into, "README.md"), "from a reader\n");
        await gitOk(into, ["commit", "--quiet", "-am", "from a reader"]);
        const pushed = await git(into, ["push", "--quiet", "origin", BRANCH], reader);
        assert.ok(!pushed.ok, "the reader pushed");
        assert.match(pushed.stderr, /Authentication failed|403|401/);
        assert.strictEqual(await gitOk(bare, ["rev-parse", BRANCH], { trust: false }), before, "the branch moved");
    });

    it("refuses a wrong password at once: 401, Authentication failed, no prompt", async () => {
        const r = await clone(path.join(dir, "wrong-password"), { credentials: { username: USER, password: `${password}x` } });
        assert.ok(!r.ok, "cloned with a wrong password");
        assert.match(r.stderr, /Authentication failed/);
        assert.ok(r.ms < 15_000, `took ${r.ms} ms to fail`);
        assert.ok(!fs.existsSync(path.join(dir, "wrong-password")), "left a clone behind");
        // And for a user the server does not know.
        const stranger = await clone(path.join(dir, "stranger"), { credentials: { username: "stranger", password } });
        assert.ok(!stranger.ok, "cloned as an unknown user");
        assert.match(stranger.stderr, /Authentication failed/);
    });

    it("rotates a credential while it serves: the new one works once added, the old one is refused once revoked", async () => {
        const rotated = { username: `${READER}-2`, password: `${readerPassword}-rotated` };
        const old = { username: READER, password: readerPassword };
        const users = [{ username: USER, password }];
        server.setUsers([...users, old, rotated]);
        for (const [name, credentials] of Object.entries({ old, rotated })) {
            const r = await clone(path.join(dir, `during-${name}`), { credentials });
            assert.ok(r.ok, `the ${name} credential during the rotation:\n${r.stderr}`);
        }
        server.setUsers([...users, rotated]);
        const refused = await clone(path.join(dir, "after-old"), { credentials: old });
        assert.ok(!refused.ok, "the revoked credential still clones");
        assert.match(refused.stderr, /Authentication failed/);
        assert.ok((await clone(path.join(dir, "after-rotated"), { credentials: rotated })).ok, "the new credential after the rotation");
        server.setUsers([...users, old]);
    });

    it("refuses a client without credentials: 401 asking for basic auth", async () => {
        const r = await clone(path.join(dir, "anonymous"));
        assert.ok(!r.ok, "cloned without credentials");
        assert.match(r.stderr, /could not read Username/);
        const answer = await new Promise<{ status?: number; challenge?: string }>((resolve, reject) =>
            https
                .get(`${server.url(REPO)}/info/refs?service=git-upload-pack`, { ca: fs.readFileSync(server.certificateFile) }, (res) => {
                    res.resume();
                    resolve({ status: res.statusCode, challenge: res.headers["www-authenticate"] });
                })
                .on("error", reject),
        );
        assert.strictEqual(answer.status, 401);
        assert.match(answer.challenge ?? "", /^Basic /);
    });

    it("is refused by a client that does not trust its certificate: verification fails", async () => {
        const r = await clone(path.join(dir, "untrusted"), { ...rightCredentials(), trust: false });
        assert.ok(!r.ok, "cloned without trusting the certificate");
        // Debian's git (libcurl-gnutls) says "server certificate verification failed"; OpenSSL builds "SSL certificate problem".
        assert.match(r.stderr, /server certificate verification failed|SSL certificate problem|certificate verify failed/);
    });

    it("stops: its pid is gone and its port closed", async () => {
        const { pid } = server.process;
        await server.process.stop();
        assert.ok(!isAlive(pid), `pid ${pid} still runs`);
        assert.ok(!server.process.running());
        const refused = await new Promise<boolean>((resolve) => {
            const socket = net.connect(server.port, "127.0.0.1");
            socket.once("connect", () => (socket.destroy(), resolve(false)));
            socket.once("error", () => resolve(true));
        });
        assert.ok(refused, `127.0.0.1:${server.port} still accepts connections`);
    });

    // After the stop, so lighttpd has flushed its access log.
    it("leaves the password in no file under its data dir, its log included; the htpasswd file holds a SHA-512 crypt hash, mode 0600", () => {
        const dataDir = path.join(dir, "server");
        const files = filesUnder(dataDir);
        assert.ok(files.includes(server.process.logFile), `no log at ${server.process.logFile}`);
        const log = fs.readFileSync(server.process.logFile, "utf8");
        // The log is the server's: its access log (the user, never the password) and its error log.
        assert.match(log, new RegExp(`${USER} \\[[^\\]]+\\] "GET /${REPO}/info/refs\\?service=git-upload-pack`));
        assert.match(log, /password doesn't match/);
        const holding = files.filter((f) => {
            const text = fs.readFileSync(f, "latin1");
            return secretForms().some((s) => text.includes(s));
        });
        assert.deepStrictEqual(holding, [], "files holding the password");
        const htpasswd = path.join(dataDir, "htpasswd");
        assert.strictEqual(fs.statSync(htpasswd).mode & 0o777, 0o600);
        assert.match(fs.readFileSync(htpasswd, "utf8"), new RegExp(`^${USER}:\\$6\\$[^$]+\\$[A-Za-z0-9./]{86}\\n${READER}:\\$6\\$[^$]+\\$[A-Za-z0-9./]{86}\\n$`));
    });

    /** The password as it could leak: plain, and as the basic-auth header's base64. */
    function secretForms(): string[] {
        return [password, readerPassword, Buffer.from(`${USER}:${password}`).toString("base64"), Buffer.from(`${READER}:${readerPassword}`).toString("base64")];
    }
});

function filesUnder(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}
