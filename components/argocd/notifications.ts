/**
 * The audit trail's feed from Argo CD's notifications controller: triggers for every sync (running,
 * succeeded, failed), every health degradation, every comparison error (a failed signature or
 * source verification shows as one) and every failed hydration, each posting one JSON object to
 * the audit webhooks, and a default subscription so every Application is covered without
 * annotations. The values go under the argo-cd chart's `notifications.templates`, `.triggers` and
 * `.subscriptions` keys, which render into argocd-notifications-cm.
 *
 * Bodies are Go text/template with Sprig (what the notifications engine runs): every value goes
 * through `toRawJson`, so quotes, newlines and control characters in a message stay valid JSON, and
 * a field the Application lacks is `null` (read with `dig`, which never fails on a missing key).
 * `when` and `oncePer` are expr-lang expressions over the Application (`app`). `oncePer` names the
 * occurrence, so a second sync of the same revision, a condition that returns, or a later
 * degradation is a new event, and a controller restart sends nothing twice (the state is the
 * Application's `notified.notifications.argoproj.io` annotation).
 */
import * as YAML from "yaml";

/** The body posted for each event (the audit trail's record). */
export interface AuditEvent {
    /** The trigger's name, e.g. `on-audit-sync-succeeded`. */
    event: AuditEventName;
    app: string;
    project: string;
    /** The sync's revision (a multi-source sync's revisions joined by `,`), else the synced revision. */
    revision: string | null;
    /** The operation's phase (`Running`, `Succeeded`, `Failed`, `Error`); the hydration's for `on-audit-hydration-failed`. */
    phase: string | null;
    /** The operation's message, the health message, the ComparisonError conditions' messages, or the hydration's. */
    message: string | null;
    /** When it happened (RFC 3339): the operation's end or start, the health or condition transition, the hydration's end. */
    at: string | null;
    /** Who started the last sync operation. */
    initiatedBy: { username: string | null; automated: boolean };
    /** The last successful hydration's dry and hydrated commits (for a failed hydration: the dry commit that failed). */
    drySha: string | null;
    hydratedSha: string | null;
}

/** The chart values this module makes. */
export interface AuditNotificationSettings {
    /** `notifications.templates`: `template.<name>` -> the template's YAML. */
    templates: Record<string, string>;
    /** `notifications.triggers`: `trigger.<name>` -> the trigger's YAML (a list of conditions). */
    triggers: Record<string, string>;
    /** `notifications.subscriptions`: the default subscriptions (every Application). */
    subscriptions: { recipients: string[]; triggers: string[] }[];
}

/** Block scalars as written (`|`), never folded: the templates stay readable in the ConfigMap. */
const YAML_OPTIONS = { lineWidth: 0, blockQuote: "literal" } as const;

/** A Go template expression reading `.app` at `path`, `dflt` when a key is missing. */
const dig = (path: string, dflt = "nil") => `(dig ${path.split(".").map((k) => JSON.stringify(k)).join(" ")} ${dflt} .app)`;
const op = (field: string) => dig(`status.operationState.${field}`);

/** How one event fills the body's event-dependent fields; each a Go template expression. */
interface AuditEventSpec {
    description: string;
    /** expr-lang condition over `app`. */
    when: string;
    /** expr-lang value naming one occurrence. */
    oncePer: string;
    phase: string;
    message: string;
    at: string;
    drySha: string;
    hydratedSha: string;
    /**
     * Template statements run before the body (variables the fields use).
     * @default - none
     */
    prelude?: string;
}

const lastHydration = { drySha: dig("status.sourceHydrator.lastSuccessfulOperation.drySHA"), hydratedSha: dig("status.sourceHydrator.lastSuccessfulOperation.hydratedSHA") };
const operationAt = `(coalesce ${op("finishedAt")} ${op("startedAt")})`;

function syncEvent(description: string, phases: string[]): AuditEventSpec {
    return {
        description,
        when: `app.status?.operationState != nil and app.status.operationState.phase in [${phases.map((p) => `'${p}'`).join(", ")}]`,
        // One sync operation: its start time (a retry of the same operation keeps it).
        oncePer: "app.status?.operationState?.startedAt",
        phase: op("phase"),
        message: op("message"),
        at: operationAt,
        ...lastHydration,
    };
}

const EVENTS = {
    "on-audit-sync-running": syncEvent("A sync operation started", ["Running"]),
    "on-audit-sync-succeeded": syncEvent("A sync operation succeeded", ["Succeeded"]),
    "on-audit-sync-failed": syncEvent("A sync operation failed", ["Failed", "Error"]),
    "on-audit-health-degraded": {
        description: "The application's health became Degraded",
        when: "app.status?.health?.status == 'Degraded'",
        // Set by the application controller on every health change (controller/appcontroller.go).
        oncePer: "app.status?.health?.lastTransitionTime",
        phase: op("phase"),
        message: `(coalesce ${dig("status.health.message")} ${op("message")})`,
        at: `(coalesce ${dig("status.health.lastTransitionTime")} ${operationAt})`,
        ...lastHydration,
    },
    "on-audit-comparison-error": {
        description: "A ComparisonError condition (manifests could not be generated or verified, e.g. a failed signature verification)",
        when: "any(app.status?.conditions ?? [], {#.type == 'ComparisonError'})",
        // A condition that comes back gets a new lastTransitionTime; one whose message changes (another
        // revision refused, say) keeps it (Argo CD 3.6.1), so the message names the occurrence too.
        oncePer: "map(filter(app.status?.conditions ?? [], {#.type == 'ComparisonError'}), {#.lastTransitionTime + ' ' + #.message})",
        prelude: [
            `{{- $messages := list -}}{{- $at := "" -}}`,
            `{{- range ${dig("status.conditions", "(list)")} -}}{{- if eq (get . "type") "ComparisonError" -}}`,
            `  {{- $messages = append $messages (get . "message") -}}{{- if not $at -}}{{- $at = get . "lastTransitionTime" -}}{{- end -}}`,
            `{{- end -}}{{- end -}}`,
        ].join("\n"),
        phase: op("phase"),
        message: `(join "; " $messages)`,
        at: `(coalesce $at nil)`,
        ...lastHydration,
    },
    "on-audit-hydration-failed": {
        description: "The source hydrator failed (including a failed source integrity verification of the dry commit)",
        when: "app.status?.sourceHydrator?.currentOperation?.phase == 'Failed'",
        // Once per failed dry commit and error: the hydrator retries every 2 minutes with the same result.
        oncePer: "(app.status?.sourceHydrator?.currentOperation?.drySHA ?? '') + ' ' + (app.status?.sourceHydrator?.currentOperation?.message ?? '')",
        phase: dig("status.sourceHydrator.currentOperation.phase"),
        message: dig("status.sourceHydrator.currentOperation.message"),
        at: `(coalesce ${dig("status.sourceHydrator.currentOperation.finishedAt")} ${dig("status.sourceHydrator.currentOperation.startedAt")})`,
        drySha: `(coalesce ${dig("status.sourceHydrator.currentOperation.drySHA")} ${lastHydration.drySha})`,
        hydratedSha: lastHydration.hydratedSha,
    },
} satisfies Record<string, AuditEventSpec>;

export type AuditEventName = keyof typeof EVENTS;

/** The audit events, i.e. the trigger names. */
export const AUDIT_EVENTS = Object.keys(EVENTS) as AuditEventName[];

/** The template an event's trigger sends: `on-audit-x` -> `audit-x`. */
export const auditTemplateName = (event: AuditEventName): string => event.replace(/^on-/, "");

/** The webhook body template of one event. */
export function auditBodyTemplate(event: AuditEventName): string {
    const e: AuditEventSpec = EVENTS[event];
    const json = (expr: string) => `{{ ${expr} | toRawJson }}`;
    const revision =
        `(coalesce ${op("syncResult.revision")} (join "," ${dig("status.operationState.syncResult.revisions", "(list)")}) ` +
        `${op("operation.sync.revision")} ${dig("status.sync.revision")})`;
    return [
        ...(e.prelude ? [e.prelude] : []),
        "{",
        `  "event": ${JSON.stringify(event)},`,
        `  "app": ${json(dig("metadata.name"))},`,
        `  "project": ${json(`(coalesce ${dig("spec.project")} "default")`)},`,
        `  "revision": ${json(revision)},`,
        `  "phase": ${json(e.phase)},`,
        `  "message": ${json(e.message)},`,
        `  "at": ${json(e.at)},`,
        `  "initiatedBy": {"username": ${json(op("operation.initiatedBy.username"))}, "automated": ${json(dig("status.operationState.operation.initiatedBy.automated", "false"))}},`,
        `  "drySha": ${json(e.drySha)},`,
        `  "hydratedSha": ${json(e.hydratedSha)}`,
        "}",
        "",
    ].join("\n");
}

/**
 * The templates, triggers and default subscription that send every audit event to each of
 * `webhookNames` (`service.webhook.<name>` services, which should send `Content-Type:
 * application/json`). No webhook, no settings.
 */
export function auditNotificationSettings(webhookNames: string[]): AuditNotificationSettings {
    if (webhookNames.length === 0) return { templates: {}, triggers: {}, subscriptions: [] };
    const templates: Record<string, string> = {};
    const triggers: Record<string, string> = {};
    for (const event of AUDIT_EVENTS) {
        const e: AuditEventSpec = EVENTS[event];
        const body = auditBodyTemplate(event);
        // A webhook template is keyed by the service it is sent to: one entry per audit webhook.
        templates[`template.${auditTemplateName(event)}`] = YAML.stringify({
            webhook: Object.fromEntries(webhookNames.map((name) => [name, { method: "POST", body }])),
        }, YAML_OPTIONS);
        triggers[`trigger.${event}`] = YAML.stringify([{ description: e.description, when: e.when, oncePer: e.oncePer, send: [auditTemplateName(event)] }], YAML_OPTIONS);
    }
    return { templates, triggers, subscriptions: [{ recipients: [...webhookNames], triggers: [...AUDIT_EVENTS] }] };
}
