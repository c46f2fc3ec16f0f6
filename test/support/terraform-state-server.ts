/**
 * A real HTTP server (node `http`) that implements Terraform's http backend (GET/POST/DELETE of the
 * state, LOCK/UNLOCK) and can inject faults into GETs, for the http source and `terraform apply` tests.
 */
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** A fault served instead of the next GET's normal answer. */
export type StateServerFault =
    | { kind: "status"; status: number; retryAfter?: string }
    /** Waits `delayMs` before answering normally (past the client's timeout). */
    | { kind: "slow"; delayMs: number }
    /** Announces the full Content-Length, sends half the body, then closes the connection. */
    | { kind: "cut-connection" }
    /** Destroys the socket without any answer (a connection reset). */
    | { kind: "reset" }
    /** Answers 200 with only the first `bytes` bytes of the state and a matching Content-Length. */
    | { kind: "truncated-json"; bytes: number };

/** One request seen by the server. */
export interface SeenRequest {
    method: string;
    path: string;
    authorization?: string;
    headers: http.IncomingHttpHeaders;
}

/** Options of `startStateServer`. */
export interface StateServerOptions {
    /** Basic-auth user and password the server requires; answers 401 otherwise. Default: no auth. */
    basicAuth?: { username: string; password: string };
}

/** A running state server. */
export interface StateServer {
    /** Base URL, e.g. `http://127.0.0.1:40123`. */
    url: string;
    /** States by path (`/state/local`), as stored by POST or set by the test. */
    states: Map<string, string>;
    /** Faults for the next GETs, consumed in order. */
    faults: StateServerFault[];
    /** Every request seen, in order. */
    requests: SeenRequest[];
    /** Stops the server and drops open connections. */
    close(): Promise<void>;
}

/** Starts a state server on a free loopback port. */
export async function startStateServer(options: StateServerOptions = {}): Promise<StateServer> {
    const states = new Map<string, string>();
    const faults: StateServerFault[] = [];
    const requests: SeenRequest[] = [];
    const locks = new Map<string, string>();
    const sockets = new Set<Socket>();
    const expectedAuth = options.basicAuth
        ? `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString("base64")}`
        : undefined;

    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const path = new URL(req.url ?? "/", "http://x").pathname;
            const method = req.method ?? "GET";
            requests.push({ method, path, authorization: req.headers.authorization, headers: req.headers });
            if (expectedAuth && req.headers.authorization !== expectedAuth) {
                res.writeHead(401, { "WWW-Authenticate": 'Basic realm="state"' }).end("unauthorized");
                return;
            }
            const body = Buffer.concat(chunks).toString("utf8");
            switch (method) {
                case "GET":
                    return serveGet(path, res);
                case "POST":
                    states.set(path, body);
                    return res.writeHead(200).end();
                case "DELETE":
                    states.delete(path);
                    return res.writeHead(200).end();
                case "LOCK":
                    if (locks.has(path)) return res.writeHead(423, { "Content-Type": "application/json" }).end(locks.get(path));
                    locks.set(path, body);
                    return res.writeHead(200).end();
                case "UNLOCK":
                    locks.delete(path);
                    return res.writeHead(200).end();
                default:
                    return res.writeHead(405).end();
            }
        });
    });

    function serveGet(path: string, res: http.ServerResponse): void {
        const state = states.get(path);
        const fault = faults.shift();
        if (fault?.kind === "status") {
            res.writeHead(fault.status, fault.retryAfter ? { "Retry-After": fault.retryAfter } : {}).end(`fault ${fault.status}`);
            return;
        }
        if (fault?.kind === "reset") {
            res.socket?.destroy();
            return;
        }
        if (state === undefined) {
            res.writeHead(404).end("no state");
            return;
        }
        const bytes = Buffer.from(state, "utf8");
        const headers = { "Content-Type": "application/json" };
        if (fault?.kind === "slow") {
            setTimeout(() => {
                if (!res.destroyed) res.writeHead(200, headers).end(bytes);
            }, fault.delayMs).unref();
            return;
        }
        if (fault?.kind === "cut-connection") {
            res.writeHead(200, { ...headers, "Content-Length": String(bytes.length) });
            res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.socket?.destroy());
            return;
        }
        if (fault?.kind === "truncated-json") {
            const cut = bytes.subarray(0, fault.bytes);
            res.writeHead(200, { ...headers, "Content-Length": String(cut.length) }).end(cut);
            return;
        }
        res.writeHead(200, headers).end(bytes);
    }

    server.on("connection", (socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        states,
        faults,
        requests,
        close: () =>
            new Promise<void>((resolve) => {
                for (const socket of sockets) socket.destroy();
                server.close(() => resolve());
            }),
    };
}
