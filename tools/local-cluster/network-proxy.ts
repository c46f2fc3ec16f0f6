/**
 * Toxiproxy (Shopify's TCP proxy for network faults) in front of a loopback server: clients reach the
 * server through it, untouched, until a fault asks it for latency through its HTTP API, and then
 * without it again. It forwards TCP, so TLS passes through whole and the server's certificate (made
 * for 127.0.0.1) still holds. Its API listens on loopback too, on a port of its own.
 */
import * as fs from "fs";
import * as path from "path";
import { freePort } from "../engine/free-port";
import { ManagedProcess, startProcess } from "./managed-process";

export interface NetworkProxy {
    process: ManagedProcess;
    /** The port clients connect to (127.0.0.1). */
    port: number;
    /** Every answer from the server delayed by `ms`, from now on. */
    slow(ms: number): Promise<void>;
    /** No delay any more. */
    clear(): Promise<void>;
}

const DEFAULT_BIN_DIR = path.resolve(__dirname, "..", "..", ".tools", "bin");
const TOXIC = "slow";

export async function startNetworkProxy(options: { name: string; upstreamPort: number; dataDir: string; binDir?: string; detached?: boolean }): Promise<NetworkProxy> {
    const [apiPort, port] = [await freePort(), await freePort()];
    fs.mkdirSync(options.dataDir, { recursive: true });
    // The proxy is made at start from this file: there is no moment when the port is open but unproxied.
    const config = path.join(options.dataDir, "toxiproxy.json");
    fs.writeFileSync(config, JSON.stringify([{ name: options.name, listen: `127.0.0.1:${port}`, upstream: `127.0.0.1:${options.upstreamPort}`, enabled: true }]));
    const proxy = startProcess({
        name: `${options.name}-proxy`,
        command: path.join(options.binDir ?? DEFAULT_BIN_DIR, "toxiproxy-server"),
        args: ["-host", "127.0.0.1", "-port", String(apiPort), "-config", config],
        logFile: path.join(options.dataDir, "toxiproxy.log"),
        detached: options.detached,
    });
    const api = async (method: string, route: string, body?: unknown): Promise<Response> => {
        const url = `http://127.0.0.1:${apiPort}${route}`;
        const res = await fetch(url, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) }).catch((e: Error) => {
            throw new Error(`toxiproxy ${method} ${route}: its API at ${url} does not answer (${(e.cause as Error | undefined)?.message ?? e.message})`);
        });
        if (!res.ok) throw new Error(`toxiproxy ${method} ${route}: ${res.status} ${(await res.text()).trim()}`);
        return res;
    };
    try {
        await proxy.waitFor(
            async () => {
                try {
                    const proxies = (await (await api("GET", "/proxies")).json()) as Record<string, { enabled: boolean }>;
                    return proxies[options.name]?.enabled === true;
                } catch {
                    return false;
                }
            },
            30_000,
            `proxy ${options.name} on 127.0.0.1:${port}`,
        );
    } catch (e) {
        await proxy.stop();
        throw e;
    }
    return {
        process: proxy,
        port,
        slow: async (ms) => {
            await api("POST", `/proxies/${options.name}/toxics`, { name: TOXIC, type: "latency", stream: "downstream", toxicity: 1, attributes: { latency: ms, jitter: 0 } });
        },
        clear: async () => {
            await api("DELETE", `/proxies/${options.name}/toxics/${TOXIC}`);
        },
    };
}
