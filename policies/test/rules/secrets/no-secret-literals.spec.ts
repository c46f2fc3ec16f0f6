/** no-secret-literals (policies/rules/secrets/no-secret-literals.ts): passing and violating resources, through the analyzer gRPC server. */
import * as assert from "assert";
import { PolicyAnalyzer } from "../../../../tools/policy-analyzer";
import { app, assertPasses, assertViolates, chart, chartSource, configure, deployment, dest, k8s, resource, sharedAnalyzer } from "../../support";

describe("no-secret-literals", function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    before(async () => {
        analyzer = await sharedAnalyzer();
    });
    beforeEach(() => configure());

    // Canaries: shaped like real credentials so secretlint fires, never real.
    const githubToken = "ghp_" + "Zq3canary0TOKEN0value0for0tests0x1Y2";
    const slackToken = "xoxb-" + "123456789012-1234567890123-canaryCANARYcanaryCANARY";
    it("reports tokens in ConfigMaps, annotations and env, without echoing them", async () => {
        const cm = k8s({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", annotations: { "notify/hook": slackToken } }, data: { "config.yaml": `github:\n  auth: ${githubToken}\n` } });
        const d = assertViolates(await analyzer.analyze(cm), "no-secret-literals", /data\["config\.yaml"\].*github/);
        assert.match(d.message, /annotations\["notify\/hook"\].*slack/);
        assert.ok(!d.message.includes(githubToken.slice(4)) && !d.message.includes(slackToken.slice(5)), "message must not contain the secret");
        const env = deployment({ securityContext: { runAsNonRoot: true }, containers: [{ name: "web", image: "web:1.0.0", env: [{ name: "DB_PASSWORD", value: "canary-hunter2-canary" }] }] });
        assertViolates(await analyzer.analyze(env), "no-secret-literals", /env\[0\]\.value \(key "DB_PASSWORD" names a credential\)/);
    });
    it("reports a token used as a key, naming its parent and never the token", async () => {
        const cm = k8s({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { [githubToken]: "enabled" } });
        const d = assertViolates(await analyzer.analyze(cm), "no-secret-literals", /data: a key \((secretlint github|shape)/);
        assert.ok(!d.message.includes(githubToken.slice(4)), "message must not contain the secret");
        const values = chart({ chart: "web", version: "1.0.0", repositoryOpts: { repo: "https://charts.example.com" }, values: { auth: { [slackToken]: true } } });
        assert.ok(!assertViolates(await analyzer.analyze(values), "no-secret-literals", /values\.auth: a key/).message.includes(slackToken.slice(5)));
    });
    it("reports numeric passwords and credentials under well-known env names (PGPASSWORD, MYSQL_PWD, SENTRY_DSN)", async () => {
        const numeric = k8s({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: {}, spec: { db: { password: 12345678 } } });
        assertViolates(await analyzer.analyze(numeric), "no-secret-literals", /spec\.db\.password \(key "password" names a credential\)/);
        const env = deployment({ securityContext: { runAsNonRoot: true }, containers: [{ name: "web", image: "web:1.0.0", env: [{ name: "PGPASSWORD", value: "canary-pg" }, { name: "MYSQL_PWD", value: 31337 }, { name: "SENTRY_DSN", value: "https://abc@o1.ingest.sentry.io/1" }, { name: "LOG_LEVEL", value: "debug" }] }] });
        const d = assertViolates(await analyzer.analyze(env), "no-secret-literals");
        for (const name of ["PGPASSWORD", "MYSQL_PWD", "SENTRY_DSN"]) assert.match(d.message, new RegExp(`key "${name}" names a credential`));
        assert.doesNotMatch(d.message, /LOG_LEVEL/);
        // Numbers under other names stay numbers: replicas, ports, TTLs.
        assertPasses(await analyzer.analyze(k8s({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: {}, spec: { replicas: 3, tokenTTL: 3600, passwordMinLength: 12 } })), "no-secret-literals");
    });
    it("reports credentials in Argo CD Helm parameters and values", async () => {
        const a = app({ project: "platform", destination: dest, source: { ...chartSource("1.0.0"), helm: { parameters: [{ name: "auth.apiToken", value: "canary-value-123" }], values: "db:\n  url: https://admin:s3cr3tCanaryPass@db.example.com/app\n" } } });
        const d = assertViolates(await analyzer.analyze(a), "no-secret-literals", /parameters\[0\]\.value/);
        assert.match(d.message, /helm\.values\.db\.url \(secretlint basicauth\)/);
    });
    it("reports credential shapes secretlint misses in a bare value (AWS key ID, JWT, Stripe, PEM, Vault, Docker, Azure, SendGrid)", async () => {
        // Each built from two parts, so this file holds no literal a scanner would flag.
        const shapes: Record<string, string> = {
            "aws-access-key-id": "AKIA" + "Q7X3CANARY7QZ3Q7",
            jwt: "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiJjYW5hcnkifQ.c2lnbmF0dXJlLWNhbmFyeQ",
            stripe: "sk_live_" + "CANARYq7x3q7x3q7x3q7x3",
            "private-key": "-----BEGIN " + "PRIVATE KEY-----\nMIIEcanary\n-----END PRIVATE KEY-----",
            "vault-token": "hvs." + "CANARYq7x3q7x3q7x3q7x3q7",
            "docker-pat": "dckr_pat_" + "CANARYq7x3q7x3q7x3q7",
            "azure-storage-key": "AccountName=a;" + "AccountKey=" + "CANARYq7x3q7x3q7x3q7x3q7x3q7==",
            sendgrid: "SG." + "CANARYq7x3q7x3q7x3.CANARYq7x3q7x3q7x3q7x3",
        };
        for (const [shape, value] of Object.entries(shapes)) {
            const cm = k8s({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { note: value } });
            const d = assertViolates(await analyzer.analyze(cm), "no-secret-literals", new RegExp(`data\\.note \\(shape ${shape}\\)`));
            assert.ok(!d.message.includes("CANARY"), "message must not contain the secret");
        }
    });
    it("passes references to secrets and fields marked secret", async () => {
        const env = deployment({ containers: [{ name: "web", image: "web:1.0.0", env: [{ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } }, { name: "LOG_LEVEL", value: "info" }] }] });
        assertPasses(await analyzer.analyze(env), "no-secret-literals");
        assertPasses(await analyzer.analyze(chart({ chart: "x", version: "1.0.0", values: { existingSecret: "db-credentials", auth: { passwordSecretName: "db" } } })), "no-secret-literals");
        const marked = resource("kubernetes:core/v1:ConfigMap", "c", { data: { token: "canary-value-123" } }, { options: { additionalSecretOutputs: ["data"] } });
        assertPasses(await analyzer.analyze(marked), "no-secret-literals");
    });
});
