/**
 * The commit messages of promotions and rollbacks. What happened goes in Git trailers
 * (`git interpret-trailers --parse`, `git log --format=%(trailers)`), so the audit trail and a later
 * rollback read it back from the history without parsing prose.
 */
import type { Environment, Verification } from "./model";

/** `Promote hello-fleet 6.7.2 from staging to prod` and its trailers. */
export function promotionMessage(application: string, release: string, from: Environment, to: Environment, verification: Verification): string {
    return [
        `Promote ${application} ${release} from ${from.name} to ${to.name}`,
        "",
        `Promoted-From: ${from.name}`,
        `Promoted-To: ${to.name}`,
        `Release: ${to.release.shownKey}=${release}`,
        `Verified: ${verification.summary}`,
        "",
    ].join("\n");
}

/** `Roll back hello-fleet in prod to 6.7.1` and its trailers. */
export function rollbackMessage(application: string, environment: Environment, release: string, undone: string, reason: string): string {
    return [
        `Roll back ${application} in ${environment.name} to ${release}`,
        "",
        `Rolled-Back: ${undone}`,
        `Release: ${environment.release.shownKey}=${release}`,
        // A trailer is one line: a multi-line reason is folded.
        `Reason: ${reason.replace(/\s+/g, " ").trim() || "requested"}`,
        "",
    ].join("\n");
}
