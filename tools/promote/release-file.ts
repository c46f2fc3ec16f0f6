/**
 * The release in a YAML file (a values file's `image.tag`, a stack file's `source.version`): read
 * with the YAML Document API, and written by replacing only that scalar's text, so comments, quoting
 * and every other line stay byte for byte as they were and a promotion's diff is one line.
 */
import * as YAML from "yaml";
import type { KeySegment, ReleaseLocation } from "./model";

/** A release file without the release where it should be: names the file (and revision) and key path. */
export class ReleaseFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ReleaseFileError";
    }
}

/** The scalar holding the release, or the error naming `source` and the key path. */
function releaseNode(doc: YAML.Document.Parsed, location: ReleaseLocation, source: string): YAML.Scalar {
    const fail = (why: string) => new ReleaseFileError(`${source}: ${location.shownKey}: ${why}`);
    let node: unknown = doc.contents;
    for (const segment of location.key) node = step(node, segment, fail);
    if (node === undefined || node === null) throw fail("not set; expected the release there (a string or number)");
    if (!YAML.isScalar(node)) throw fail(`expected a string or number, found a ${YAML.isMap(node) ? "mapping" : "sequence"}`);
    if (typeof node.value !== "string" && typeof node.value !== "number") throw fail(`expected a string or number, found ${node.value === null ? "null" : typeof node.value}`);
    // A block scalar spans lines; a release is one word.
    if (node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED") throw fail("a block scalar (| or >); write the release on one line");
    return node;
}

/** One step down: a mapping's key, or the sequence item whose `name` is the segment's. */
function step(node: unknown, segment: KeySegment, fail: (why: string) => Error): unknown {
    if (node === undefined || node === null) return undefined;
    if (typeof segment === "string") {
        if (!YAML.isMap(node)) throw fail(`expected a mapping on the way to ${JSON.stringify(segment)}`);
        return node.get(segment, true);
    }
    if (!YAML.isSeq(node)) throw fail(`expected a list on the way to the entry named ${JSON.stringify(segment.name)}`);
    const item = node.items.find((i) => YAML.isMap(i) && i.get("name") === segment.name);
    if (!item) throw fail(`no entry named ${JSON.stringify(segment.name)}`);
    return item;
}

function parse(text: string, source: string): YAML.Document.Parsed {
    const doc = YAML.parseDocument(text);
    if (doc.errors.length > 0) throw new ReleaseFileError(`${source}: not valid YAML: ${doc.errors[0].message.split("\n")[0]}`);
    return doc;
}

/**
 * The release at `location` in `text`; `source` names the file (and revision) in messages. A number
 * is read as written (`1.10`, not 1.1): a tag is text that happens to look like a number.
 */
export function readRelease(text: string, location: ReleaseLocation, source: string): string {
    const node = releaseNode(parse(text, source), location, source);
    return typeof node.value === "number" ? (node.source ?? String(node.value)) : String(node.value);
}

/** `text` with the release at `location` set to `value`, nothing else changed. */
export function writeRelease(text: string, location: ReleaseLocation, value: string, source: string): string {
    const node = releaseNode(parse(text, source), location, source);
    const [start, end] = node.range!;
    // The same quoting as before; the library quotes a plain value that would read back as a number.
    const scalar = new YAML.Scalar(value);
    scalar.type = node.type;
    const written = new YAML.Document(scalar).toString({ lineWidth: 0 }).replace(/\n$/, "");
    const updated = text.slice(0, start) + written + text.slice(end);
    const back = readRelease(updated, location, source);
    if (back !== value) throw new ReleaseFileError(`${source}: ${location.shownKey}: writing ${JSON.stringify(value)} would read back as ${JSON.stringify(back)}`);
    return updated;
}
