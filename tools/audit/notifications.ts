/**
 * Notification events: a JSON-lines file where each line is a webhook body Argo CD's notifications
 * controller POSTed (components/argocd/notifications.ts: event, app, project, revision, phase, message,
 * at, initiatedBy, drySha, hydratedSha; a field the Application lacks is null) with the
 * receiver's `receivedAt`. A receiver that wraps the body (`{"receivedAt", "body": {...}}`) is read too.
 */
import type { InitiatedBy, NotificationEvent } from "./model";
import { AuditSourceError, readSourceFile } from "./source-error";

export function parseNotifications(text: string, source: string): NotificationEvent[] {
    const events: NotificationEvent[] = [];
    text.split("\n").forEach((raw, i) => {
        const line = raw.trim();
        if (line === "") return;
        let doc: unknown;
        try {
            doc = JSON.parse(line);
        } catch (e) {
            throw new AuditSourceError(source, `line ${i + 1}: not JSON (${(e as Error).message})`);
        }
        if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new AuditSourceError(source, `line ${i + 1}: not a JSON object`);
        let d = doc as Record<string, unknown>;
        if (typeof d.event !== "string" && typeof d.body === "object" && d.body !== null) d = { ...(d.body as Record<string, unknown>), receivedAt: d.receivedAt };
        if (typeof d.event !== "string" || typeof d.app !== "string") throw new AuditSourceError(source, `line ${i + 1}: expected "event" and "app" (the webhook template's fields)`);
        const str = (k: string) => (typeof d[k] === "string" && d[k] !== "" ? (d[k] as string) : undefined);
        const by = d.initiatedBy;
        const o = typeof by === "object" && by !== null ? (by as Record<string, unknown>) : undefined;
        const initiatedBy: string | InitiatedBy | undefined =
            typeof by === "string" ? by || undefined : o ? { username: typeof o.username === "string" && o.username !== "" ? o.username : undefined, automated: o.automated === true } : undefined;
        events.push({
            event: d.event,
            app: d.app,
            project: str("project"),
            revision: str("revision"),
            drySha: str("drySha"),
            hydratedSha: str("hydratedSha"),
            phase: str("phase"),
            message: str("message"),
            at: str("at"),
            initiatedBy,
            receivedAt: str("receivedAt"),
            line: i + 1,
        });
    });
    return events;
}

export function readNotificationsFile(file: string): NotificationEvent[] {
    const source = `notifications file ${file}`;
    const text = readSourceFile(file, source);
    return parseNotifications(text, source);
}
