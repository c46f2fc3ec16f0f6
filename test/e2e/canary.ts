/**
 * A canary secret and the forms it could leak in: as itself, URL-encoded, and inside base64 at
 * every byte alignment (a Kubernetes Secret's data, a basic-auth header, a base64 blob).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/** A fresh canary: distinctive, and shaped like a password a user would set. */
export function newCanary(): string {
    return `e2e-canary-${crypto.randomBytes(12).toString("hex")}-Pw1`;
}

/** Every form in which the canary would be recognisable. */
export function canaryForms(canary: string): string[] {
    const bytes = Buffer.from(canary, "utf8");
    const forms = new Set([canary, encodeURIComponent(canary)]);
    for (let k = 0; k < 3; k++) {
        // Base64 of the canary after k other bytes: the 4-character groups made of canary bytes only.
        for (const encoding of ["base64", "base64url"] as const) {
            const encoded = Buffer.concat([Buffer.alloc(k, 0x41), bytes]).toString(encoding);
            forms.add(encoded.slice(k > 0 ? 4 : 0, Math.floor((k + bytes.length) / 3) * 4));
        }
    }
    return [...forms];
}

/** Files under `dir`, recursively (symlinks not followed). */
export function filesUnder(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** Where any form of the canary appears: file paths and the names of the texts given. */
export function findCanary(canary: string, places: { files: string[]; texts: Record<string, string> }): string[] {
    const forms = canaryForms(canary);
    const hits: string[] = [];
    for (const file of places.files) {
        const content = fs.readFileSync(file, "latin1");
        if (forms.some((f) => content.includes(f))) hits.push(file);
    }
    for (const [name, text] of Object.entries(places.texts)) {
        if (forms.some((f) => text.includes(f))) hits.push(name);
    }
    return hits;
}
