/**
 * The audit notifications (components/argocd/notifications.ts) run by Argo CD's own engine: the
 * settings go through the local stack's argo-cd chart (the stand-in renders
 * argocd-notifications-cm from the same `notifications.*` values keys as argo-cd 10.1.1), and the
 * pinned `argocd` (v3.6.1) evaluates them offline with `argocd admin notifications`: `trigger run`
 * for every trigger on Applications given as files (the `when` and `oncePer` expressions; an
 * expression error is logged at level error, which fails the test), and `template notify` for
 * every template, whose webhook body must be one JSON object with the audit fields, also when
 * messages carry quotes, newlines, HTML and non-ASCII text, and when the status is missing.
 *
 * The CLI builds a Kubernetes client it never needs here (the resource and both ConfigMap and
 * Secret come from files): it is pointed at a closed port, and its one warning (no AppProject to
 * offer templates as `.appProject`) is expected.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { AUDIT_EVENTS, AuditEvent, AuditEventName, auditNotificationSettings, auditTemplateName } from "../components/argocd/notifications";
import { findTool, helmTemplate } from "./support/helm";
import { PROJECT_ROOT } from "./support/program";

const STANDIN_CHART = path.join(PROJECT_ROOT, ".tools", "charts", "argo-cd");
const AUDIT_KEYS = ["event", "app", "project", "revision", "phase", "message", "at", "initiatedBy", "drySha", "hydratedSha"].sort();
const HOSTILE = 'signature verification failed: "quoted" \\ back\nnew line\ttab <b>&amp; é ✓ \u0001';

/** Applications the engine is run on, with the triggers each must fire. */
const APPS: { name: string; app: Record<string, unknown>; fires: AuditEventName[] }[] = [
    {
        name: "synced",
        fires: ["on-audit-sync-succeeded"],
        app: application("synced", {
            sync: { status: "Synced", revision: "a1" },
            health: { status: "Healthy", lastTransitionTime: "2026-01-02T03:01:30Z" },
            operationState: {
                phase: "Succeeded",
                message: "successfully synced (all tasks run)",
                startedAt: "2026-01-02T03:00:00Z",
                finishedAt: "2026-01-02T03:01:00Z",
                operation: { sync: { revision: "a1" }, initiatedBy: { automated: true } },
                syncResult: { revision: "a1" },
            },
            sourceHydrator: { lastSuccessfulOperation: { drySHA: "d1", hydratedSHA: "h1" } },
        }),
    },
    {
        name: "failing",
        fires: ["on-audit-sync-failed", "on-audit-health-degraded", "on-audit-comparison-error", "on-audit-hydration-failed"],
        app: application("failing", {
            sync: { status: "OutOfSync", revision: "b2" },
            health: { status: "Degraded", message: `Deployment "web": ${HOSTILE}`, lastTransitionTime: "2026-01-02T04:00:00Z" },
            conditions: [
                { type: "SharedResourceWarning", message: "not this one", lastTransitionTime: "2026-01-02T03:59:00Z" },
                { type: "ComparisonError", message: HOSTILE, lastTransitionTime: "2026-01-02T04:01:00Z" },
            ],
            operationState: {
                phase: "Failed",
                message: HOSTILE,
                startedAt: "2026-01-02T03:58:00Z",
                finishedAt: "2026-01-02T03:59:30Z",
                operation: { sync: { revision: "b2" }, initiatedBy: { username: "alice@example.org" } },
                syncResult: { revision: "b2" },
            },
            sourceHydrator: {
                lastSuccessfulOperation: { drySHA: "d1", hydratedSHA: "h1" },
                currentOperation: { phase: "Failed", message: `Failed to hydrate: ${HOSTILE}`, drySHA: "d2", startedAt: "2026-01-02T04:02:00Z", finishedAt: "2026-01-02T04:02:05Z" },
            },
        }),
    },
    {
        name: "running-multi-source",
        fires: ["on-audit-sync-running"],
        app: application("running-multi-source", {
            sync: { status: "OutOfSync" },
            health: { status: "Progressing" },
            operationState: { phase: "Running", message: "one or more tasks are running", startedAt: "2026-01-02T05:00:00Z", operation: { sync: { revisions: ["r1", "r2"] } }, syncResult: { revisions: ["r1", "r2"] } },
        }),
    },
    { name: "bare", fires: [], app: { apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name: "bare", namespace: "argocd" }, spec: {} } },
];

describe("audit notifications, evaluated by Argo CD's notifications engine (argocd admin notifications, v3.6.1)", function () {
    this.timeout(120_000);
    let work: string;
    let configMapFile: string;
    let argocd: string;
    const appFile = (name: string) => path.join(work, `${name}.yaml`);

    before(() => {
        argocd = findTool("argocd");
        work = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-notifications-"));
        configMapFile = path.join(work, "argocd-notifications-cm.yaml");
        const valuesFile = path.join(work, "values.yaml");
        const notifications = {
            enabled: true,
            notifiers: { "service.webhook.audit": YAML.stringify({ url: "https://audit.example.org/events", headers: [{ name: "Content-Type", value: "application/json" }] }) },
            ...auditNotificationSettings(["audit"]),
        };
        fs.writeFileSync(valuesFile, YAML.stringify({ notifications }));
        const cm = helmTemplate(STANDIN_CHART, { releaseName: "argocd", namespace: "argocd", valuesFiles: [valuesFile] }).find((o) => o.kind === "ConfigMap" && o.metadata.name === "argocd-notifications-cm");
        assert.ok(cm, "the stand-in chart rendered no argocd-notifications-cm");
        fs.writeFileSync(configMapFile, YAML.stringify(cm));
        for (const { name, app } of APPS) fs.writeFileSync(appFile(name), YAML.stringify(app));
    });
    after(() => work && fs.rmSync(work, { recursive: true, force: true }));

    /** `argocd admin notifications <args>` on the files; its stderr must hold no error. */
    const notifications = (args: string[]): string => {
        const run = spawnSync(argocd, ["admin", "notifications", ...args, "--config-map", configMapFile, "--secret", ":empty", "--server", "https://127.0.0.1:1", "--token", "unused", "--namespace", "argocd"], { encoding: "utf8" });
        assert.strictEqual(run.status, 0, run.stderr);
        // The CLI reports its own failures ("failed to load resource", "failed to notify") on stderr with exit 0.
        const problems = run.stderr.split("\n").filter((l) => /"level":"(error|fatal)"/.test(l) || (/failed to/i.test(l) && !/Failed to get AppProject/.test(l)));
        assert.deepStrictEqual(problems, [], `argocd admin notifications ${args.join(" ")}`);
        return run.stdout;
    };

    it("the chart's argocd-notifications-cm holds every template, trigger and the default subscription", () => {
        const cm = YAML.parse(fs.readFileSync(configMapFile, "utf8")) as { data: Record<string, string> };
        for (const event of AUDIT_EVENTS) {
            assert.ok(cm.data[`trigger.${event}`], `trigger.${event}`);
            assert.ok(cm.data[`template.${auditTemplateName(event)}`], `template.${auditTemplateName(event)}`);
        }
        assert.deepStrictEqual(YAML.parse(cm.data.subscriptions), [{ recipients: ["audit"], triggers: AUDIT_EVENTS }]);
        const listed = notifications(["trigger", "get", "-o", "name"]).trim().split("\n").sort();
        assert.deepStrictEqual(listed, [...AUDIT_EVENTS].sort());
    });

    for (const { name, fires } of APPS) {
        it(`triggers on "${name}": ${fires.length ? fires.join(", ") : "none"}`, () => {
            for (const event of AUDIT_EVENTS) {
                const out = notifications(["trigger", "run", event, appFile(name)]);
                const results = out.trim().split("\n").slice(1).map((l) => l.trim().split(/\s+/).pop());
                assert.deepStrictEqual(results, [String(fires.includes(event))], `${event} on ${name}:\n${out}`);
            }
        });
    }

    /** The body `template notify` renders for the audit webhook, parsed. */
    const body = (event: AuditEventName, app: string): AuditEvent => {
        const out = YAML.parse(notifications(["template", "notify", auditTemplateName(event), appFile(app)])) as { webhook: { audit: { method: string; body: string } } };
        assert.strictEqual(out.webhook.audit.method, "POST");
        let parsed: unknown;
        assert.doesNotThrow(() => (parsed = JSON.parse(out.webhook.audit.body)), `${event} on ${app} is not JSON:\n${out.webhook.audit.body}`);
        assert.ok(parsed !== null && typeof parsed === "object" && !Array.isArray(parsed));
        assert.deepStrictEqual(Object.keys(parsed as object).sort(), AUDIT_KEYS, `${event} on ${app}`);
        return parsed as AuditEvent;
    };

    it("every template renders one JSON object with the audit fields, on every Application", () => {
        for (const event of AUDIT_EVENTS) {
            for (const { name } of APPS) {
                const b = body(event, name);
                assert.strictEqual(b.event, event);
                assert.strictEqual(b.app, name);
                assert.strictEqual(typeof b.initiatedBy.automated, "boolean");
            }
        }
    });

    it("a sync's record: revision, phase, message, end time, who started it, the hydrated commits", () => {
        assert.deepStrictEqual(body("on-audit-sync-succeeded", "synced"), {
            event: "on-audit-sync-succeeded",
            app: "synced",
            project: "team-a",
            revision: "a1",
            phase: "Succeeded",
            message: "successfully synced (all tasks run)",
            at: "2026-01-02T03:01:00Z",
            initiatedBy: { username: null, automated: true },
            drySha: "d1",
            hydratedSha: "h1",
        });
        const running = body("on-audit-sync-running", "running-multi-source");
        assert.deepStrictEqual([running.revision, running.phase, running.at], ["r1,r2", "Running", "2026-01-02T05:00:00Z"]);
    });

    it("messages with quotes, backslashes, newlines, HTML and non-ASCII text arrive unchanged", () => {
        const failed = body("on-audit-sync-failed", "failing");
        assert.deepStrictEqual([failed.phase, failed.message, failed.at, failed.initiatedBy.username], ["Failed", HOSTILE, "2026-01-02T03:59:30Z", "alice@example.org"]);
        const comparison = body("on-audit-comparison-error", "failing");
        assert.deepStrictEqual([comparison.message, comparison.at], [HOSTILE, "2026-01-02T04:01:00Z"]);
        const degraded = body("on-audit-health-degraded", "failing");
        assert.deepStrictEqual([degraded.message, degraded.at], [`Deployment "web": ${HOSTILE}`, "2026-01-02T04:00:00Z"]);
        const hydration = body("on-audit-hydration-failed", "failing");
        assert.deepStrictEqual([hydration.phase, hydration.message, hydration.at, hydration.drySha, hydration.hydratedSha], ["Failed", `Failed to hydrate: ${HOSTILE}`, "2026-01-02T04:02:05Z", "d2", "h1"]);
    });

    it("a field the Application lacks is null, never a broken body", () => {
        assert.deepStrictEqual(body("on-audit-sync-failed", "bare"), {
            event: "on-audit-sync-failed",
            app: "bare",
            project: "default",
            revision: null,
            phase: null,
            message: null,
            at: null,
            initiatedBy: { username: null, automated: false },
            drySha: null,
            hydratedSha: null,
        });
    });

    it("no webhook, no settings; several webhooks each get every event", () => {
        assert.deepStrictEqual(auditNotificationSettings([]), { templates: {}, triggers: {}, subscriptions: [] });
        const two = auditNotificationSettings(["audit", "siem"]);
        for (const template of Object.values(two.templates)) assert.deepStrictEqual(Object.keys(YAML.parse(template).webhook), ["audit", "siem"]);
        assert.deepStrictEqual(two.subscriptions, [{ recipients: ["audit", "siem"], triggers: AUDIT_EVENTS }]);
    });
});

function application(name: string, status: Record<string, unknown>): Record<string, unknown> {
    return {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Application",
        metadata: { name, namespace: "argocd" },
        spec: { project: "team-a", source: { repoURL: "https://git.example.org/apps.git", path: name, targetRevision: "main" }, destination: { server: "https://kubernetes.default.svc", namespace: name } },
        status,
    };
}
