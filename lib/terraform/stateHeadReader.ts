/**
 * Reads the header of a state file without parsing its resources.
 *
 * A v4 state writes `version`, `terraform_version`, `serial`, `lineage` and `outputs` before
 * `resources`, and the resources are nearly all of a large state. This reader walks the top-level
 * object chunk by chunk, JSON-parses only the values of the header keys, and stops reading as soon
 * as it has `version` and `outputs`. Memory and time therefore depend on the size of the outputs,
 * not of the file. If a state lists `outputs` after `resources` the walk still finds them; it just
 * reads further.
 */
import { promises as fs } from "node:fs";
import { TerraformSourceError, errorText } from "./errors";
import { jsonErrorDetail } from "./jsonText";
import { STATE_HEADER_KEYS } from "./state";

/** Options of `readStateHead`. */
export interface StateHeadOptions {
    /** Bytes read per step. Default: 65536. */
    chunkSize?: number;
}

/** The header keys found, parsed, and how far the file was read. */
export interface StateHead {
    /** Parsed values of the header keys present (a subset of `STATE_HEADER_KEYS`). */
    header: Record<string, unknown>;
    /** Bytes read from the file. */
    bytesRead: number;
    /** File size in bytes. */
    fileSize: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

function isWhitespace(byte: number): boolean {
    return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

type Phase = "start" | "key" | "in-key" | "colon" | "value" | "done";

/** Incremental walker of the top-level object of a JSON document. */
class TopLevelWalker {
    private phase: Phase = "start";
    private depth = 0;
    private inString = false;
    private escaped = false;
    private keyParts: Buffer[] = [];
    private key = "";
    private valueParts: Buffer[] = [];
    private capturing = false;
    private offset = 0;
    /** True when the walk reached the closing `}` of the top-level object (not just enough keys). */
    closedObject = false;
    readonly found: Record<string, unknown> = {};

    constructor(
        private readonly source: string,
        private readonly wanted: ReadonlySet<string>,
        private readonly enough: (found: Record<string, unknown>) => boolean,
    ) {}

    /** True once the object closed or `enough` said the header is complete. */
    get finished(): boolean {
        return this.phase === "done";
    }

    /** Where the walk stopped, for messages about truncation. */
    describePosition(): string {
        if (this.phase === "start") return "before the state object starts";
        if (this.phase === "key" || this.phase === "in-key") return "between two top-level keys";
        return `inside the value of the top-level key ${JSON.stringify(this.key)}`;
    }

    private fail(index: number, problem: string): never {
        throw new TerraformSourceError(
            this.source,
            "format",
            `the state is not valid JSON: ${problem} at byte ${this.offset + index}`,
        );
    }

    /** Consumes one chunk; returns once the chunk is used up or the walk is finished. */
    feed(chunk: Buffer): void {
        let valueStart = this.capturing ? 0 : -1;
        let keyStart = this.phase === "in-key" ? 0 : -1;
        let i = 0;
        for (; i < chunk.length && this.phase !== "done"; i++) {
            const byte = chunk[i];
            if (this.phase === "value") {
                if (this.inString) {
                    if (this.escaped) this.escaped = false;
                    else if (byte === BACKSLASH) this.escaped = true;
                    else if (byte === QUOTE) this.inString = false;
                    continue;
                }
                if (byte === QUOTE) this.inString = true;
                else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) this.depth++;
                else if (byte === CLOSE_ARRAY) {
                    if (--this.depth < 1) this.fail(i, "unexpected `]`");
                } else if (byte === CLOSE_OBJECT) {
                    if (--this.depth === 0) {
                        this.endValue(chunk, valueStart, i);
                        this.phase = "done";
                        this.closedObject = true;
                    }
                } else if (byte === COMMA && this.depth === 1) {
                    this.endValue(chunk, valueStart, i);
                    valueStart = -1;
                    this.phase = this.enough(this.found) ? "done" : "key";
                }
                continue;
            }
            if (this.phase === "in-key") {
                if (this.escaped) this.escaped = false;
                else if (byte === BACKSLASH) this.escaped = true;
                else if (byte === QUOTE) {
                    this.keyParts.push(chunk.subarray(keyStart, i));
                    this.key = JSON.parse(`"${Buffer.concat(this.keyParts).toString("utf8")}"`) as string;
                    this.keyParts = [];
                    keyStart = -1;
                    this.phase = "colon";
                }
                continue;
            }
            if (isWhitespace(byte)) continue;
            switch (this.phase) {
                case "start":
                    if (byte !== OPEN_OBJECT) this.fail(i, "the state is not a JSON object");
                    this.depth = 1;
                    this.phase = "key";
                    break;
                case "key":
                    if (byte === QUOTE) {
                        this.phase = "in-key";
                        keyStart = i + 1;
                    } else if (byte === CLOSE_OBJECT) {
                        this.phase = "done";
                        this.closedObject = true;
                    }
                    else this.fail(i, "expected a key");
                    break;
                case "colon":
                    if (byte !== COLON) this.fail(i, "expected `:`");
                    this.phase = "value";
                    this.capturing = this.wanted.has(this.key);
                    valueStart = i + 1;
                    this.valueParts = [];
                    break;
            }
        }
        // Keep the unfinished key or value for the next chunk (subarrays of a fresh chunk stay valid).
        if (this.phase === "in-key" && keyStart >= 0) this.keyParts.push(chunk.subarray(keyStart));
        if (this.phase === "value" && this.capturing && valueStart >= 0) this.valueParts.push(chunk.subarray(valueStart));
        this.offset += i;
    }

    private endValue(chunk: Buffer, valueStart: number, end: number): void {
        if (!this.capturing) return;
        this.valueParts.push(chunk.subarray(Math.max(valueStart, 0), end));
        const text = Buffer.concat(this.valueParts).toString("utf8");
        this.valueParts = [];
        this.capturing = false;
        try {
            this.found[this.key] = JSON.parse(text);
        } catch (err) {
            throw new TerraformSourceError(
                this.source,
                "format",
                `the state is not valid JSON: the value of ${JSON.stringify(this.key)} does not parse (${jsonErrorDetail(err)})`,
            );
        }
    }
}

/** The header is complete once `version` and `outputs` are known, or the version is already wrong. */
function headerComplete(found: Record<string, unknown>): boolean {
    return "version" in found && ("outputs" in found || found.version !== 4);
}

/**
 * Reads the header keys of the state file at `path`, reading only as far as needed. Throws a
 * `TerraformSourceError` naming `source` if the file cannot be read, is not JSON or is cut short.
 */
export async function readStateHead(path: string, source: string, options: StateHeadOptions = {}): Promise<StateHead> {
    const chunkSize = options.chunkSize ?? 65536;
    let handle: fs.FileHandle;
    try {
        handle = await fs.open(path, "r");
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const problem =
            code === "ENOENT" ? "the file does not exist" : code === "EACCES" ? "the file is not readable (permission denied)" : code === "EISDIR" ? "the path is a directory, not a state file" : `the file cannot be opened (${errorText(err)})`;
        throw new TerraformSourceError(source, code === "ENOENT" ? "not-found" : "bad-input", problem);
    }
    try {
        const { size } = await handle.stat();
        if (size === 0) throw new TerraformSourceError(source, "format", "the state file is empty");
        const walker = new TopLevelWalker(source, new Set(STATE_HEADER_KEYS), headerComplete);
        let bytesRead = 0;
        while (!walker.finished) {
            // A fresh buffer per chunk: captured subarrays must not be overwritten by the next read.
            const chunk = Buffer.allocUnsafe(chunkSize);
            const { bytesRead: n } = await handle.read(chunk, 0, chunkSize, bytesRead);
            if (n === 0) break;
            bytesRead += n;
            walker.feed(n === chunkSize ? chunk : chunk.subarray(0, n));
        }
        if (!walker.finished) {
            throw new TerraformSourceError(
                source,
                "format",
                `the state file is truncated: it ends after ${bytesRead} bytes ${walker.describePosition()}`,
            );
        }
        if (!walker.closedObject) await assertClosedObject(handle, size, source);
        return { header: walker.found, bytesRead, fileSize: size };
    } catch (err) {
        if (err instanceof TerraformSourceError) throw err;
        throw new TerraformSourceError(source, "bad-input", `the file cannot be read (${errorText(err)})`);
    } finally {
        await handle.close();
    }
}

/**
 * When the walk stopped early, the rest of the file is not parsed; checking that it still ends with
 * the closing `}` of the state object catches files cut short by an interrupted copy or write.
 */
async function assertClosedObject(handle: fs.FileHandle, size: number, source: string): Promise<void> {
    const tailSize = Math.min(size, 64);
    const tail = Buffer.alloc(tailSize);
    await handle.read(tail, 0, tailSize, size - tailSize);
    if (!tail.toString("latin1").trimEnd().endsWith("}")) {
        throw new TerraformSourceError(
            source,
            "format",
            `the state file is truncated: it does not end with the closing \`}\` of the state object (${size} bytes)`,
        );
    }
}
