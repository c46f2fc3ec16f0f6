/**
 * The webhook receiver's server, run as its own process by webhook-receiver.ts: HTTPS on
 * 127.0.0.1 only, each POSTed JSON object appended with `receivedAt` as one line of a JSONL file,
 * answered 204. With a token (env WEBHOOK_RECEIVER_TOKEN, never argv) a request without
 * `Authorization: Bearer <token>` is refused 401. Only Node's https module: nothing to install.
 *
 * Usage: node -r ts-node/register/transpile-only webhook-receiver-server.ts <port> <events.jsonl> <cert.pem> <key.pem>
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as https from "https";

/** The line this prints once it listens; the launcher waits for it. */
export const LISTENING = "webhook receiver listening on";
/** Larger bodies are refused (413): an audit event is a few hundred bytes. */
const MAX_BODY_BYTES = 1024 * 1024;

function main(argv: string[]): void {
    const [port, eventsFile, certFile, keyFile] = argv;
    if (!port || !eventsFile || !certFile || !keyFile) throw new Error("usage: webhook-receiver-server <port> <events.jsonl> <cert.pem> <key.pem>");
    const token = process.env.WEBHOOK_RECEIVER_TOKEN || undefined;
    const server = https.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) }, (req, res) => {
        const answer = (status: number, text = "") => {
            res.writeHead(status, text ? { "Content-Type": "text/plain" } : {});
            res.end(text);
        };
        if (req.method !== "POST") return answer(405, "POST only\n");
        if (token !== undefined && !sameSecret(req.headers.authorization ?? "", `Bearer ${token}`)) return answer(401, "bad or missing bearer token\n");
        const chunks: Buffer[] = [];
        let size = 0;
        req.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size <= MAX_BODY_BYTES) chunks.push(chunk);
        });
        req.on("end", () => {
            if (size > MAX_BODY_BYTES) return answer(413, "body too large\n");
            let body: unknown;
            try {
                body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
            } catch (e) {
                return answer(400, `not JSON: ${(e as Error).message}\n`);
            }
            if (body === null || typeof body !== "object" || Array.isArray(body)) return answer(400, "expected one JSON object\n");
            fs.appendFileSync(eventsFile, JSON.stringify({ ...body, receivedAt: new Date().toISOString() }) + "\n");
            console.log(`${new Date().toISOString()} ${req.method} ${req.url} ${size} bytes`);
            answer(204);
        });
    });
    server.listen(Number(port), "127.0.0.1", () => console.log(`${LISTENING} https://127.0.0.1:${port}`));
    // Each event is written synchronously before its answer: nothing is lost by stopping at once.
    process.on("SIGTERM", () => process.exit(0));
}

/** Compares in constant time, so the token cannot be guessed byte by byte from response times. */
function sameSecret(given: string, expected: string): boolean {
    const a = crypto.createHash("sha256").update(given).digest();
    const b = crypto.createHash("sha256").update(expected).digest();
    return crypto.timingSafeEqual(a, b);
}

if (require.main === module) main(process.argv.slice(2));
