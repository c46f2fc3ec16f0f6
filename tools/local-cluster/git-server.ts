/**
 * A Git server for the local loop, so Argo CD reads its repositories the way it reads a real one:
 * over HTTPS with basic-auth credentials instead of `file://`. Git's own `git-http-backend` (smart
 * HTTP: clone, fetch and push) runs as a CGI program behind Debian's lighttpd, on 127.0.0.1 and a
 * free port, TLS only (no plain-HTTP listener), with a certificate made for 127.0.0.1.
 *
 * Every request needs a valid user; lighttpd checks the password against an htpasswd file holding
 * only SHA-512 crypt hashes (`openssl passwd -6`, the password on its stdin). Passwords are never
 * written in plaintext, never on a command line and never logged. An authenticated request reaches
 * git-http-backend with REMOTE_USER set, which is what enables pushing (`http.receivepack` defaults to
 * on exactly then), so no repository needs configuring; GIT_HTTP_EXPORT_ALL serves every repository
 * under the root without a `git-daemon-export-ok` file.
 *
 * lighttpd on Debian: TLS is the separate package lighttpd-mod-openssl (a Recommends of lighttpd);
 * mod_alias and mod_setenv are built into the binary, mod_auth, mod_authn_file, mod_cgi,
 * mod_accesslog and mod_openssl are loaded from /usr/lib/lighttpd.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as path from "path";
import { freePort } from "../engine/free-port";
import { selfSignedCertificate } from "./certificate";
import { ManagedProcess, startProcess } from "./managed-process";

export interface GitUser {
    username: string;
    password: string;
}

export interface GitServerOptions {
    /** Where `lighttpd` is (tools/install.sh links Debian's there). Default: the project's `.tools/bin`. */
    binDir?: string;
    /** The folder holding the bare repositories it serves (git-http-backend's GIT_PROJECT_ROOT). */
    root: string;
    /** Its configuration, certificate, htpasswd file, uploads and log. */
    dataDir: string;
    /** Who may clone and fetch; at least one. */
    users: GitUser[];
    /** Which of them may push. Default: every user. */
    writers?: string[];
    /** Outlive this process (`npm run up`). Default false. */
    detached?: boolean;
}

/** A running Git server and how a client reaches it. */
export interface GitServer {
    process: ManagedProcess;
    port: number;
    /** Its serving certificate (PEM, self-signed, for IP 127.0.0.1): what a client trusts. */
    certificateFile: string;
    /** `https://127.0.0.1:<port>/<repo>`, `repo` being a path under the root (`platform.git`). */
    url(repo: string): string;
    /**
     * Replaces the users (a credential rotated: the new one added, later the old one revoked), at
     * once: lighttpd reads the password file at each request.
     */
    setUsers(users: GitUser[]): void;
    /** Whether `user` may read `repo`: a fetch's first request, answered 200 (or 401). */
    reads(repo: string, user: GitUser): Promise<boolean>;
}

const DEFAULT_BIN_DIR = path.resolve(__dirname, "..", "..", ".tools", "bin");

export async function startGitServer(options: GitServerOptions): Promise<GitServer> {
    if (options.users.length === 0) throw new Error("git server: no users (every request needs credentials)");
    const lighttpd = path.join(options.binDir ?? DEFAULT_BIN_DIR, "lighttpd");
    if (!fs.existsSync(lighttpd)) throw new Error(`git server: ${lighttpd} is missing: run bash tools/install.sh argocd (Debian's lighttpd)`);
    fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    const { certificateFile, keyFile } = selfSignedCertificate(path.join(options.dataDir, "tls"), "git-server");
    const htpasswd = path.join(options.dataDir, "htpasswd");
    const setUsers = (users: GitUser[]) => {
        if (users.length === 0) throw new Error("git server: no users (every request needs credentials)");
        // Whole or not at all: a request never meets a half-written file.
        fs.writeFileSync(`${htpasswd}.tmp`, users.map(htpasswdLine).join(""), { mode: 0o600 });
        fs.chmodSync(`${htpasswd}.tmp`, 0o600); // the mode above applies only to a new file
        fs.renameSync(`${htpasswd}.tmp`, htpasswd);
    };
    setUsers(options.users);
    // An empty document root: every path is the CGI's, so nothing under the root is served as a file.
    const documentRoot = path.join(options.dataDir, "www");
    const uploads = path.join(options.dataDir, "uploads"); // request bodies (pushes) lighttpd buffers
    for (const dir of [documentRoot, uploads]) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const port = await freePort();
    const logFile = path.join(options.dataDir, "lighttpd.log");
    const configFile = path.join(options.dataDir, "lighttpd.conf");
    fs.writeFileSync(
        configFile,
        lighttpdConfig({ port, root: path.resolve(options.root), documentRoot, uploads, certificateFile, keyFile, htpasswd, logFile, backend: gitHttpBackend(), writers: options.writers }),
        { mode: 0o600 },
    );
    // Its own check loads every module: a missing one (lighttpd-mod-openssl) is named here, not in a log.
    const check = spawnSync(lighttpd, ["-tt", "-f", configFile], { encoding: "utf8" });
    if (check.status !== 0) {
        const hint = /mod_openssl/.test(check.stderr + check.stdout) ? " (TLS is Debian's lighttpd-mod-openssl: apt-get install lighttpd-mod-openssl)" : "";
        throw new Error(`git server: lighttpd refuses ${configFile}${hint}:\n${check.stderr}${check.stdout}`);
    }
    const url = (repo: string) => `https://127.0.0.1:${port}/${repo.replace(/^\/+/, "")}`;
    const reads = (repo: string, user: GitUser) =>
        new Promise<boolean>((resolve, reject) => {
            const auth = `${user.username}:${user.password}`;
            https
                .get(`${url(repo)}/info/refs?service=git-upload-pack`, { ca: fs.readFileSync(certificateFile), auth, timeout: 10_000 }, (res) => {
                    res.resume();
                    if (res.statusCode === 200 || res.statusCode === 401) resolve(res.statusCode === 200);
                    else reject(new Error(`git server: ${url(repo)} answered ${res.statusCode} to ${user.username}`));
                })
                .on("error", reject);
        });
    // -D: in the foreground, so the pid is the server's and its stderr (the error log) goes to the log file.
    const server = startProcess({ name: "git-server", command: lighttpd, args: ["-D", "-f", configFile], logFile, cwd: options.dataDir, detached: options.detached });
    const ca = fs.readFileSync(certificateFile);
    try {
        // Any answer over TLS checked against the certificate means it serves (unauthenticated: 401).
        await server.waitFor(() => httpsAnswers(`https://127.0.0.1:${port}/`, ca), 30_000, `an answer on https://127.0.0.1:${port}/`);
    } catch (e) {
        await server.stop();
        throw e;
    }
    return { process: server, port, certificateFile, url, setUsers, reads };
}

/** `user:$6$salt$hash\n`; the password reaches openssl on stdin only. */
function htpasswdLine(user: GitUser): string {
    if (!/^[A-Za-z0-9._-]+$/.test(user.username)) throw new Error(`git server: user name ${JSON.stringify(user.username)}: letters, digits, '.', '_' and '-' only`);
    // openssl reads one password per line; one with a line break would be cut short.
    if (user.password === "" || /[\r\n]/.test(user.password)) throw new Error(`git server: user ${user.username}: the password must be one non-empty line`);
    const hash = execFileSync("openssl", ["passwd", "-6", "-stdin"], { input: `${user.password}\n`, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] }).trim();
    if (!hash.startsWith("$6$")) throw new Error(`git server: openssl passwd -6 gave no SHA-512 crypt hash for ${user.username}`);
    return `${user.username}:${hash}\n`;
}

/** git-http-backend of the git on PATH (Debian: /usr/lib/git-core/git-http-backend). */
function gitHttpBackend(): string {
    const backend = path.join(execFileSync("git", ["--exec-path"], { encoding: "utf8" }).trim(), "git-http-backend");
    if (!fs.existsSync(backend)) throw new Error(`git server: ${backend} is missing (git's smart HTTP server)`);
    return backend;
}

interface ConfigValues {
    port: number;
    root: string;
    documentRoot: string;
    uploads: string;
    certificateFile: string;
    keyFile: string;
    htpasswd: string;
    logFile: string;
    backend: string;
    writers?: string[];
}

function lighttpdConfig(v: ConfigValues): string {
    return [
        // mod_auth before mod_setenv: modules run in this order, so the credentials are checked
        // before the Authorization header is dropped (below); the other way round every request is 401.
        `server.modules = (${["mod_auth", "mod_authn_file", "mod_setenv", "mod_alias", "mod_cgi", "mod_accesslog", "mod_openssl"].map(str).join(", ")})`,
        // The one listener: loopback, TLS.
        `server.bind = ${str("127.0.0.1")}`,
        `server.port = ${v.port}`,
        `ssl.engine = "enable"`,
        `ssl.pemfile = ${str(v.certificateFile)}`,
        `ssl.privkey = ${str(v.keyFile)}`,
        `ssl.openssl.ssl-conf-cmd = ("MinProtocol" => "TLSv1.2")`,
        `server.document-root = ${str(v.documentRoot)}`,
        `server.upload-dirs = (${str(v.uploads)})`,
        // The error log is stderr (the process's log file); the access log is appended to the same file.
        `accesslog.filename = ${str(v.logFile)}`,
        `auth.backend = "htpasswd"`,
        `auth.backend.htpasswd.userfile = ${str(v.htpasswd)}`,
        `auth.require = ("" => ("method" => "basic", "realm" => "gitops-platform git", "require" => "valid-user"))`,
        // A push is git-receive-pack: its discovery (info/refs?service=...) and its POST.
        ...(v.writers
            ? ['$HTTP["url"] =~ "/git-receive-pack$"', '$HTTP["querystring"] =~ "service=git-receive-pack"'].map(
                  (cond) => `${cond} { auth.require = ("" => ("method" => "basic", "realm" => "gitops-platform git", "require" => ${str(v.writers!.map((w) => `user=${w}`).join("|"))})) }`,
              )
            : []),
        // Every path is PATH_INFO of git-http-backend: /<repo>/info/refs, /<repo>/git-upload-pack, ...
        `alias.url = ("/" => ${str(`${v.backend}/`)})`,
        `cgi.assign = ("" => "")`,
        // lighttpd hands a CGI every request header as HTTP_*: without this the password (base64)
        // would be in the environment of git-http-backend, receive-pack and the repository's hooks.
        `setenv.set-request-header = ("Authorization" => "")`,
        // The CGI gets none of lighttpd's own environment, only the request's and this: no machine-wide git config.
        `setenv.set-environment = (${[
            ["GIT_PROJECT_ROOT", v.root],
            ["GIT_HTTP_EXPORT_ALL", "1"],
            ["GIT_CONFIG_NOSYSTEM", "1"],
            ["GIT_CONFIG_GLOBAL", "/dev/null"],
        ]
            .map(([k, value]) => `${str(k)} => ${str(value)}`)
            .join(", ")})`,
        "",
    ].join("\n");
}

/** A lighttpd string literal; a path it could not hold plainly is refused rather than escaped. */
function str(value: string): string {
    if (/["\\\r\n]/.test(value)) throw new Error(`git server: ${JSON.stringify(value)} cannot go into lighttpd's configuration`);
    return `"${value}"`;
}

function httpsAnswers(url: string, ca: Buffer): Promise<boolean> {
    return new Promise((resolve) => {
        const req = https.get(url, { ca, timeout: 2000 }, (res) => {
            res.resume();
            resolve(true);
        });
        req.on("error", () => resolve(false));
        req.on("timeout", () => (req.destroy(), resolve(false)));
    });
}
