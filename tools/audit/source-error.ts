import * as fs from "fs";

/** A source the audit could not read: bad input (exit 2). The message names the source and what was wrong with it. */
export class AuditSourceError extends Error {
    constructor(
        /** The source, as the user would recognise it: `Git repository /srv/git/platform.git`, `notifications file events.jsonl`. */
        readonly source: string,
        problem: string,
    ) {
        super(`${source}: ${problem}`);
        this.name = "AuditSourceError";
    }
}

/** A source file's text; a missing or unreadable file is an AuditSourceError naming `source`. */
export function readSourceFile(file: string, source: string): string {
    try {
        return fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new AuditSourceError(source, (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message);
    }
}
