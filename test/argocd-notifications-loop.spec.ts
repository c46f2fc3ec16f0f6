/**
 * The audit sink in the local loop: the webhook receiver (tools/local-cluster/webhook-receiver.ts)
 * on its own, then Argo CD's webhook client posting to it (the pinned argocd's `admin notifications
 * template notify --recipient`, the same service code the controller runs), then the real
 * notifications controller (tools/local-cluster/argocd-notifications.ts) against a local API
 * server: an Application's status goes through a sync, a failed sync, a degradation, a comparison
 * error and a failed hydration, and each arrives once at the receiver, also after a restart.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { AuditEventName, auditNotificationSettings, auditTemplateName } from "../components/argocd/notifications";
import { NotificationsController, startNotificationsController, writeCaBundle } from "../tools/local-cluster/argocd-notifications";
import { ControlPlane, startControlPlane } from "../tools/local-cluster/control-plane";
import { isAlive, pollUntil, sleep } from "../tools/local-cluster/managed-process";
import { startWebhookReceiver, WebhookReceiver } from "../tools/local-cluster/webhook-receiver";
import { findTool } from "./support/helm";
import { PROJECT_ROOT } from "./support/program";
import { crdFolders, installCrds } from "./support/server-dry-run";

const BIN_DIR = path.join(PROJECT_ROOT, ".tools", "bin");
const TOKEN = "receiver-test-token";
const NAMESPACE = "argocd";

/** argocd-notifications-cm and -secret for one audit webhook at `url`, its token a key of the Secret. */
function notificationObjects(url: string): Record<string, unknown>[] {
    const settings = auditNotificationSettings(["audit"]);
    const service = { url, headers: [{ name: "Content-Type", value: "application/json" }, { name: "Authorization", value: "Bearer $audit-token" }] };
    return [
        {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "argocd-notifications-cm", namespace: NAMESPACE },
            data: { "service.webhook.audit": YAML.stringify(service), ...settings.templates, ...settings.triggers, subscriptions: YAML.stringify(settings.subscriptions) },
        },
        { apiVersion: "v1", kind: "Secret", metadata: { name: "argocd-notifications-secret", namespace: NAMESPACE }, stringData: { "audit-token": TOKEN } },
    ];
}

function post(url: string, ca: string, body: string, token?: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
        const headers: Record<string, string> = { "Content-Type": "application/json", ...(token !== undefined ? { Authorization: `Bearer ${token}` } : {}) };
        const req = https.request(url, { method: "POST", ca: fs.readFileSync(ca), headers }, (res) => {
            let text = "";
            res.on("data", (c: Buffer) => (text += c.toString()));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on("error", reject);
        req.end(body);
    });
}

function getText(url: string): Promise<string> {
    return new Promise((resolve, reject) => {
        http.get(url, (res) => {
            let text = "";
            res.on("data", (c: Buffer) => (text += c.toString()));
            res.on("end", () => resolve(text));
        }).on("error", reject);
    });
}

/** The local addresses a TCP port is listened on (Linux /proc/net/tcp and tcp6). */
function listenAddresses(port: number): string[] {
    const out: string[] = [];
    for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
        if (!fs.existsSync(file)) continue;
        for (const line of fs.readFileSync(file, "utf8").split("\n").slice(1)) {
            const [, local, , state] = line.trim().split(/\s+/);
            if (!local || state !== "0A") continue; // 0A: LISTEN
            const [addr, hexPort] = local.split(":");
            if (parseInt(hexPort, 16) !== port) continue;
            out.push(addr.length === 8 ? addr.match(/../g)!.reverse().map((b) => parseInt(b, 16)).join(".") : addr);
        }
    }
    return out;
}

describe("the webhook receiver", function () {
    this.timeout(60_000);
    let work: string;
    let receiver: WebhookReceiver;
    before(async () => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-receiver-"));
        receiver = await startWebhookReceiver({ dataDir: work, token: TOKEN });
    });
    after(async () => {
        await receiver?.process.stop();
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it("listens on 127.0.0.1 only, with TLS for 127.0.0.1", async () => {
        const port = Number(new URL(receiver.url).port);
        assert.deepStrictEqual(listenAddresses(port), ["127.0.0.1"]);
        assert.match(receiver.url, /^https:\/\/127\.0\.0\.1:\d+\//);
    });

    it("writes a POSTed object with the right token as one JSONL line, answering 204", async () => {
        const r = await post(receiver.url, receiver.certificateFile, JSON.stringify({ event: "on-audit-sync-succeeded", app: "web", message: "line\nbreak" }), TOKEN);
        assert.strictEqual(r.status, 204);
        const events = receiver.events();
        assert.strictEqual(events.length, 1);
        assert.deepStrictEqual({ ...events[0], receivedAt: undefined }, { event: "on-audit-sync-succeeded", app: "web", message: "line\nbreak", receivedAt: undefined });
        assert.ok(!Number.isNaN(Date.parse(events[0].receivedAt)));
        assert.strictEqual(fs.readFileSync(receiver.eventsFile, "utf8").split("\n").filter(Boolean).length, 1);
    });

    it("refuses a wrong or missing token (401), a body that is not one JSON object (400), and records none of them", async () => {
        assert.strictEqual((await post(receiver.url, receiver.certificateFile, "{}", "wrong")).status, 401);
        assert.strictEqual((await post(receiver.url, receiver.certificateFile, "{}")).status, 401);
        assert.strictEqual((await post(receiver.url, receiver.certificateFile, "{not json", TOKEN)).status, 400);
        assert.strictEqual((await post(receiver.url, receiver.certificateFile, "[1]", TOKEN)).status, 400);
        assert.strictEqual(receiver.events().length, 1);
    });

    it("receives what Argo CD's webhook service sends: the token from argocd-notifications-secret, trust by SSL_CERT_FILE", () => {
        const files = notificationObjects(receiver.url).map((o, i) => {
            const file = path.join(work, `config-${i}.yaml`);
            fs.writeFileSync(file, YAML.stringify(o));
            return file;
        });
        const app = path.join(work, "app.yaml");
        fs.writeFileSync(
            app,
            YAML.stringify({
                apiVersion: "argoproj.io/v1alpha1",
                kind: "Application",
                metadata: { name: "web", namespace: NAMESPACE },
                spec: { project: "default" },
                status: { operationState: { phase: "Succeeded", message: 'synced "web"', startedAt: "2026-01-02T03:00:00Z", finishedAt: "2026-01-02T03:01:00Z", operation: { initiatedBy: { username: "alice" } }, syncResult: { revision: "a1" } } },
            }),
        );
        const bundle = writeCaBundle(path.join(work, "bundle.pem"), [receiver.certificateFile]);
        const run = spawnSync(
            findTool("argocd"),
            ["admin", "notifications", "template", "notify", auditTemplateName("on-audit-sync-succeeded"), app, "--recipient", "audit", "--config-map", files[0], "--secret", files[1], "--server", "https://127.0.0.1:1", "--token", "unused", "--namespace", NAMESPACE],
            { encoding: "utf8", env: { ...process.env, SSL_CERT_FILE: bundle } },
        );
        assert.doesNotMatch(run.stderr, /failed to notify/, run.stderr);
        const events = receiver.events();
        assert.strictEqual(events.length, 2, run.stderr);
        assert.deepStrictEqual(
            { ...events[1], receivedAt: undefined },
            { event: "on-audit-sync-succeeded", app: "web", project: "default", revision: "a1", phase: "Succeeded", message: 'synced "web"', at: "2026-01-02T03:01:00Z", initiatedBy: { username: "alice", automated: false }, drySha: null, hydratedSha: null, receivedAt: undefined },
        );
    });

    it("stops by pid", async () => {
        const port = Number(new URL(receiver.url).port);
        await receiver.process.stop();
        assert.ok(!isAlive(receiver.process.pid));
        assert.deepStrictEqual(listenAddresses(port), []);
        assert.strictEqual(receiver.events().length, 2, "the events file outlives the process");
    });
});

describe("Argo CD's notifications controller in the loop, posting to the receiver", function () {
    this.timeout(600_000);
    let work: string;
    let cp: ControlPlane | undefined;
    let receiver: WebhookReceiver | undefined;
    let controller: NotificationsController | undefined;
    const start = () =>
        startNotificationsController({
            binDir: BIN_DIR,
            kubeconfigPath: cp!.kubeconfigPath,
            namespace: NAMESPACE,
            dataDir: path.join(work, "notifications"),
            env: { HOME: work },
            logFile: path.join(work, "argocd-notifications.log"),
            trustedCertificates: [receiver!.certificateFile],
        });

    before(async () => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-notifications-loop-"));
        [cp, receiver] = await Promise.all([startControlPlane({ binDir: BIN_DIR, dataDir: path.join(work, "cluster") }), startWebhookReceiver({ dataDir: path.join(work, "receiver"), token: TOKEN })]);
        await installCrds(cp.kubectl, [crdFolders(PROJECT_ROOT).argocd["v3.6.1"]]);
        await cp.kubectl.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } }, "the namespace");
        await cp.kubectl.apply(
            [
                ...notificationObjects(receiver.url),
                { apiVersion: "argoproj.io/v1alpha1", kind: "AppProject", metadata: { name: "default", namespace: NAMESPACE }, spec: { sourceRepos: ["*"], destinations: [{ server: "*", namespace: "*" }] } },
            ],
            "the notifications configuration",
        );
        controller = await start();
    });
    after(async () => {
        await Promise.all([controller?.process.stop(), receiver?.process.stop(), ...(cp?.processes ?? []).map((p) => p.stop())]);
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString().replace(/\.\d+Z$/, "Z");
    /** Merges `status` into the Application (no status subresource: a plain JSON merge patch, null deletes), marked reconciled now. */
    const setStatus = async (status: Record<string, unknown>) => {
        const r = await cp!.kubectl.run(["patch", "application", "web", "-n", NAMESPACE, "--type=merge", "-p", JSON.stringify({ status: { ...status, reconciledAt: minutesAgo(0) } })]);
        assert.match(r.stdout, /patched/);
    };
    const names = () => receiver!.events().map((e) => e.event as AuditEventName);
    const waitForEvents = async (expected: AuditEventName[]) => {
        await pollUntil(async () => names().length >= expected.length, 60_000, `${expected.join(", ")} at the receiver`, () => `got ${names().join(", ")}; controller log ${controller!.process.logFile}`);
        // Anything sent twice would arrive right behind.
        await sleep(2000);
        assert.deepStrictEqual(names(), expected);
    };

    it("a sync starting and succeeding: on-audit-sync-running, then on-audit-sync-succeeded", async () => {
        const operation = { sync: { revision: "a1" }, initiatedBy: { username: "alice" } };
        await cp!.kubectl.apply(
            {
                apiVersion: "argoproj.io/v1alpha1",
                kind: "Application",
                metadata: { name: "web", namespace: NAMESPACE },
                spec: { project: "default", source: { repoURL: "https://git.example.org/apps.git", path: "web", targetRevision: "main" }, destination: { server: "https://kubernetes.default.svc", namespace: "web" } },
            },
            "the Application",
        );
        await setStatus({ sync: { status: "OutOfSync" }, health: { status: "Healthy", lastTransitionTime: minutesAgo(30) }, operationState: { phase: "Running", startedAt: minutesAgo(10), operation } });
        await waitForEvents(["on-audit-sync-running"]);
        await setStatus({ sync: { status: "Synced", revision: "a1" }, operationState: { phase: "Succeeded", message: "successfully synced", startedAt: minutesAgo(10), finishedAt: minutesAgo(9), operation, syncResult: { revision: "a1" } } });
        await waitForEvents(["on-audit-sync-running", "on-audit-sync-succeeded"]);
        const succeeded = receiver!.events()[1];
        assert.deepStrictEqual([succeeded.app, succeeded.revision, succeeded.phase, succeeded.initiatedBy], ["web", "a1", "Succeeded", { username: "alice", automated: false }]);
    });

    it("a failed sync, a degradation, a comparison error and a failed hydration: one event each", async () => {
        await setStatus({ operationState: { phase: "Failed", message: 'one or more objects failed to apply: "x"', startedAt: minutesAgo(8), finishedAt: minutesAgo(7), operation: { sync: { revision: "b2" }, initiatedBy: { username: null, automated: true } }, syncResult: { revision: "b2" } } });
        await waitForEvents(["on-audit-sync-running", "on-audit-sync-succeeded", "on-audit-sync-failed"]);
        await setStatus({ health: { status: "Degraded", message: "Deployment web exceeded its progress deadline", lastTransitionTime: minutesAgo(6) } });
        await waitForEvents(["on-audit-sync-running", "on-audit-sync-succeeded", "on-audit-sync-failed", "on-audit-health-degraded"]);
        await setStatus({ conditions: [{ type: "ComparisonError", message: "Failed to load target state: signature verification failed", lastTransitionTime: minutesAgo(5) }] });
        await setStatus({ sourceHydrator: { currentOperation: { phase: "Failed", message: "Failed to hydrate: source integrity verification failed", drySHA: "d2", startedAt: minutesAgo(4), finishedAt: minutesAgo(4) } } });
        await pollUntil(async () => names().length >= 6, 60_000, "six events", () => names().join(", "));
        await sleep(2000);
        assert.deepStrictEqual(names().slice(4).sort(), ["on-audit-comparison-error", "on-audit-hydration-failed"]);
        const failed = receiver!.events()[2];
        assert.deepStrictEqual([failed.revision, failed.phase, failed.message, failed.initiatedBy], ["b2", "Failed", 'one or more objects failed to apply: "x"', { username: null, automated: true }]);
    });

    it("a status that changes without a new occurrence sends nothing; a second degradation is a new event", async () => {
        await setStatus({});
        await sleep(3000);
        assert.strictEqual(names().length, 6);
        await setStatus({ health: { status: "Healthy", lastTransitionTime: minutesAgo(3) } });
        await setStatus({ health: { status: "Degraded", message: "again", lastTransitionTime: minutesAgo(2) } });
        await pollUntil(async () => names().length >= 7, 60_000, "the second degradation", () => names().join(", "));
        await sleep(2000);
        assert.deepStrictEqual(names().slice(6), ["on-audit-health-degraded"]);
        const app = await cp!.kubectl.get<{ metadata: { annotations?: Record<string, string> } }>(["application", "web", "-n", NAMESPACE]);
        assert.ok(app?.metadata.annotations?.["notified.notifications.argoproj.io"], "the controller records what it sent on the Application");
        // Its own count agrees: seven deliveries to the audit webhook, none failed.
        const deliveries = (await getText(controller!.metricsUrl)).split("\n").filter((l) => l.startsWith("argocd_notifications_deliveries_total{"));
        const count = (succeeded: boolean) => deliveries.filter((l) => l.includes(`succeeded="${succeeded}"`)).reduce((sum, l) => sum + Number(l.split(" ").pop()), 0);
        assert.deepStrictEqual([count(true), count(false)], [7, 0], deliveries.join("\n"));
    });

    it("a restarted controller sends nothing twice (its state is the Application's annotation)", async () => {
        await controller!.process.stop();
        controller = await start();
        await sleep(5000);
        assert.strictEqual(names().length, 7, names().join(", "));
    });
});
