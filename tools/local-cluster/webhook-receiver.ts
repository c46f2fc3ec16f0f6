/**
 * A webhook receiver for the local loop, standing in for the audit trail's endpoint: an HTTPS
 * server on 127.0.0.1 and a free port (webhook-receiver-server.ts, its own process, stopped by pid
 * like every server of the loop) that writes each POSTed JSON object, with `receivedAt`, as a line of
 * a JSONL file. Its certificate is self-signed for 127.0.0.1; a client trusts that one file (the
 * notifications controller through argocd-notifications.ts's `trustedCertificates`).
 */
import * as fs from "fs";
import * as path from "path";
import { freePort } from "../engine/free-port";
import { selfSignedCertificate } from "./certificate";
import { ManagedProcess, startProcess } from "./managed-process";
import { LISTENING } from "./webhook-receiver-server";

export interface WebhookReceiverOptions {
    /** Its certificate, events file and log go here (created). */
    dataDir: string;
    /**
     * Bearer token every request must carry (`Authorization: Bearer <token>`); handed to the
     * process in its environment, never on its command line.
     * @default - no check
     */
    token?: string;
    /**
     * Port on 127.0.0.1, for a URL that must be known before the receiver starts (a stack file).
     * @default - a free one
     */
    port?: number;
    /** Outlive this process (`npm run up`). Default false. */
    detached?: boolean;
}

/** One received request: the posted object and when it arrived. */
export type ReceivedEvent = Record<string, unknown> & { receivedAt: string };

export interface WebhookReceiver {
    process: ManagedProcess;
    /** `https://127.0.0.1:<port>/events`: what a webhook service's `url` is. Any path is accepted. */
    url: string;
    /** The JSONL file, one received object a line. */
    eventsFile: string;
    /** Its serving certificate (PEM, self-signed, for IP 127.0.0.1): what a client trusts. */
    certificateFile: string;
    /** Every event received so far, in order. */
    events(): ReceivedEvent[];
}

export async function startWebhookReceiver(options: WebhookReceiverOptions): Promise<WebhookReceiver> {
    const dir = path.resolve(options.dataDir);
    fs.mkdirSync(dir, { recursive: true });
    const { certificateFile, keyFile } = selfSignedCertificate(path.join(dir, "webhook-receiver-tls"), "audit-webhook");
    const eventsFile = path.join(dir, "webhook-events.jsonl");
    fs.writeFileSync(eventsFile, "");
    const logFile = path.join(dir, "webhook-receiver.log");
    fs.writeFileSync(logFile, ""); // its "listening" line is how readiness is seen: none from a previous run
    const port = options.port ?? (await freePort());
    const receiver = startProcess({
        name: "webhook-receiver",
        command: process.execPath,
        args: ["-r", require.resolve("ts-node/register/transpile-only"), path.join(__dirname, "webhook-receiver-server.ts"), String(port), eventsFile, certificateFile, keyFile],
        logFile,
        env: { WEBHOOK_RECEIVER_TOKEN: options.token ?? "", TS_NODE_PROJECT: path.resolve(__dirname, "..", "..", "tsconfig.json") },
        cwd: dir,
        detached: options.detached,
    });
    const listening = () => fs.existsSync(logFile) && fs.readFileSync(logFile, "utf8").includes(`${LISTENING} https://127.0.0.1:${port}`);
    try {
        await receiver.waitFor(listening, 30_000, "the webhook receiver to listen");
    } catch (e) {
        await receiver.stop();
        throw e;
    }
    return {
        process: receiver,
        url: `https://127.0.0.1:${port}/events`,
        eventsFile,
        certificateFile,
        events: () => readEvents(eventsFile),
    };
}

/** The events of a receiver's JSONL file (also after it stopped). */
export function readEvents(eventsFile: string): ReceivedEvent[] {
    if (!fs.existsSync(eventsFile)) return [];
    return fs
        .readFileSync(eventsFile, "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as ReceivedEvent);
}
