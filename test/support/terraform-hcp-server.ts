/**
 * A local stand-in for HCP Terraform's API v2 (HTTPS, self-signed certificate made with openssl),
 * answering the documented requests the remote source makes:
 *   GET /api/v2/organizations/:organization/workspaces/:name     (Bearer token)
 *   GET /api/v2/workspaces/:workspace_id/current-state-version   (Bearer token)
 *   GET <hosted-state-download-url>                              (pre-signed archivist URL)
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import * as os from "node:os";
import * as path from "node:path";

/** One workspace the fake service knows. */
export interface FakeWorkspace {
    /** Organization name. */
    organization: string;
    /** Workspace name. */
    name: string;
    /** Workspace id (`ws-…`). */
    id: string;
    /** Current state, or undefined for a workspace without state versions. */
    state?: string;
}

/** A request the fake service saw. */
export interface HcpRequest {
    path: string;
    authorization?: string;
    accept?: string;
}

/** A running fake HCP Terraform. */
export interface FakeHcp {
    /** `localhost:<port>`, the value of `hostname` / `--hostname`. */
    hostname: string;
    /** PEM file of the self-signed certificate, for NODE_EXTRA_CA_CERTS. */
    caFile: string;
    /** Statuses to answer the next API requests with instead of the normal answer. */
    faults: number[];
    /** Requests seen, in order. */
    requests: HcpRequest[];
    /** Stops the server and deletes the certificate. */
    close(): Promise<void>;
}

function selfSignedCertificate(dir: string): { key: string; cert: string } {
    const keyFile = path.join(dir, "key.pem");
    const certFile = path.join(dir, "cert.pem");
    execFileSync("openssl", [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-keyout", keyFile, "-out", certFile,
    ], { stdio: "ignore" });
    return { key: keyFile, cert: certFile };
}

/** Starts the fake service for `workspaces`, accepting only `token`. */
export async function startFakeHcp(token: string, workspaces: FakeWorkspace[]): Promise<FakeHcp> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-hcp-"));
    const files = selfSignedCertificate(dir);
    const faults: number[] = [];
    const requests: HcpRequest[] = [];
    const sockets = new Set<Duplex>();
    let hostname = "";
    const json = (res: import("node:http").ServerResponse, status: number, body: unknown) =>
        res.writeHead(status, { "Content-Type": "application/vnd.api+json" }).end(JSON.stringify(body));
    const apiError = (res: import("node:http").ServerResponse, status: number, title: string) =>
        json(res, status, { errors: [{ status: String(status), title }] });

    const server = https.createServer({ key: fs.readFileSync(files.key), cert: fs.readFileSync(files.cert) }, (req, res) => {
        const url = new URL(req.url ?? "/", `https://${hostname}`);
        requests.push({ path: url.pathname, authorization: req.headers.authorization, accept: req.headers.accept });
        const archivist = url.pathname.match(/^\/_archivist\/v1\/object\/([^/]+)$/);
        if (archivist) {
            // Pre-signed: the signature in the URL is the authorization.
            const workspace = workspaces.find((w) => w.id === archivist[1]);
            if (!workspace?.state || url.searchParams.get("signature") !== `sig-${workspace.id}`) return apiError(res, 404, "not found");
            return res.writeHead(200, { "Content-Type": "application/json" }).end(workspace.state);
        }
        const fault = faults.shift();
        if (fault) return apiError(res, fault, "injected fault");
        if (req.headers.authorization !== `Bearer ${token}`) return apiError(res, 401, "unauthorized");
        let match = url.pathname.match(/^\/api\/v2\/organizations\/([^/]+)\/workspaces\/([^/]+)$/);
        if (match) {
            const [organization, name] = [decodeURIComponent(match[1]), decodeURIComponent(match[2])];
            const workspace = workspaces.find((w) => w.organization === organization && w.name === name);
            if (!workspace) return apiError(res, 404, "not found");
            return json(res, 200, { data: { id: workspace.id, type: "workspaces", attributes: { name, "execution-mode": "remote" } } });
        }
        match = url.pathname.match(/^\/api\/v2\/workspaces\/([^/]+)\/current-state-version$/);
        if (match) {
            const workspace = workspaces.find((w) => w.id === decodeURIComponent(match![1]));
            if (!workspace?.state) return apiError(res, 404, "not found");
            return json(res, 200, {
                data: {
                    id: `sv-${workspace.id.slice(3)}`,
                    type: "state-versions",
                    attributes: {
                        serial: 2,
                        "hosted-state-download-url": `https://${hostname}/_archivist/v1/object/${workspace.id}?signature=sig-${workspace.id}`,
                    },
                },
            });
        }
        return apiError(res, 404, "not found");
    });
    server.on("connection", (socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    hostname = `localhost:${(server.address() as AddressInfo).port}`;
    return {
        hostname,
        caFile: files.cert,
        faults,
        requests,
        close: () =>
            new Promise<void>((resolve) => {
                for (const socket of sockets) socket.destroy();
                server.close(() => {
                    fs.rmSync(dir, { recursive: true, force: true });
                    resolve();
                });
            }),
    };
}
