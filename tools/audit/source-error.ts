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
