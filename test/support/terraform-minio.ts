/**
 * A real S3-compatible server for the s3 source tests: MinIO, built from its pinned Go module by
 * tools/install.sh minio, found in `.tools/bin` or on PATH. Missing is an error naming the build command.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findTool } from "./helm";
import { freePort } from "../../tools/engine/free-port";

/** A running MinIO server. */
export interface MinioServer {
    /** S3 endpoint URL, e.g. `http://127.0.0.1:40123`. */
    endpoint: string;
    /** Root access key. */
    accessKey: string;
    /** Root secret key. */
    secretKey: string;
    /** Stops the server and deletes its data. */
    stop(): Promise<void>;
}

/** Starts MinIO on free loopback ports with a fresh data directory; resolves once it is live. */
export async function startMinio(): Promise<MinioServer> {
    const bin = findTool("minio");
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "minio-data-"));
    // Its own certificate folder, not ~/.minio/certs: nothing of a test run stays in the home directory.
    const certsDir = fs.mkdtempSync(path.join(os.tmpdir(), "minio-certs-"));
    const [port, consolePort] = [await freePort(), await freePort()];
    const accessKey = "tfoutputs-test";
    const secretKey = `minio-secret-${Math.random().toString(36).slice(2)}`;
    let log = "";
    const child: ChildProcess = spawn(bin, ["server", "--quiet", "--address", `127.0.0.1:${port}`, "--console-address", `127.0.0.1:${consolePort}`, "--certs-dir", certsDir, dataDir], {
        env: { ...process.env, MINIO_ROOT_USER: accessKey, MINIO_ROOT_PASSWORD: secretKey, MINIO_BROWSER: "off", MINIO_UPDATE: "off", CI: "true" },
        stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (d: Buffer) => (log += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (log += d.toString()));
    const endpoint = `http://127.0.0.1:${port}`;
    const stop = async (): Promise<void> => {
        if (child.exitCode === null) {
            const exited = new Promise((resolve) => child.once("exit", resolve));
            child.kill("SIGTERM");
            await exited;
        }
        fs.rmSync(dataDir, { recursive: true, force: true });
        fs.rmSync(certsDir, { recursive: true, force: true });
    };
    const deadline = Date.now() + 30_000;
    for (;;) {
        if (child.exitCode !== null) throw new Error(`minio exited with ${child.exitCode}:\n${log}`);
        try {
            const res = await fetch(`${endpoint}/minio/health/live`, { signal: AbortSignal.timeout(1000) });
            if (res.ok) break;
        } catch {
            // not up yet
        }
        if (Date.now() > deadline) {
            await stop();
            throw new Error(`minio did not become live within 30 s:\n${log}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return { endpoint, accessKey, secretKey, stop };
}
