/**
 * The ArgoCd component: every values key it sets exists in the argo-cd 10.1.1 chart's values.yaml
 * or sits under one of its free-form maps (so a typo cannot ship); hardened defaults; a
 * deterministic bcrypt admin hash kept secret; HA and prod retention.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as bcrypt from "bcryptjs";
import * as YAML from "yaml";
import { deterministicBcrypt } from "../components/argocd/adminPassword";
import { argoCdValues } from "../components/argocd/values";
import { ofType, PROJECT_ROOT, RegisteredResource, runProgram } from "./support/program";

const CHART_VALUES = YAML.parse(fs.readFileSync(path.resolve(PROJECT_ROOT, "..", "shared", "reference", "argo-cd-chart-10.1.1", "values.yaml"), "utf8"));
const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const SIG = "4dabf18193072939515e22adb298388d";

/** Maps documented as taking keys the chart does not list (see the chart's values.yaml comments). */
const FREE_FORM = new Set(["configs.cm", "configs.params", "configs.rbac", "configs.repositories", "notifications.notifiers", "extraObjects"]);

/** Key paths of `values` that neither exist in the chart nor sit under a free-form map (or an empty `{}` default). */
function unknownValuePaths(values: unknown, chart: unknown, prefix: string[] = []): string[] {
    if (values === null || typeof values !== "object" || Array.isArray(values)) return [];
    const out: string[] = [];
    for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
        const keyPath = [...prefix, key];
        const dotted = keyPath.join(".");
        const chartNode = chart !== null && typeof chart === "object" ? (chart as Record<string, unknown>)[key] : undefined;
        if (chartNode === undefined) {
            out.push(dotted);
            continue;
        }
        const isEmptyMap = typeof chartNode === "object" && chartNode !== null && !Array.isArray(chartNode) && Object.keys(chartNode).length === 0;
        if (FREE_FORM.has(dotted) || isEmptyMap) continue;
        // A secret value arrives as a Pulumi Output here; it is a leaf.
        if (value !== null && typeof value === "object" && !Array.isArray(value) && !("apply" in value)) out.push(...unknownValuePaths(value, chartNode, keyPath));
    }
    return out;
}

const ALL_OPTIONS = argoCdValues({
    domain: "argocd.example.org",
    adminPasswordHash: "$2a$10$abcdefghijklmnopqrstuuS1mXQ8F0t5Jq0YvV1iH2l8gYhVbWc5e",
    sso: { name: "SSO", issuer: "https://login.example.org", clientId: "argocd", clientSecretRef: { name: "argocd-sso", key: "clientSecret" }, requestedScopes: ["openid", "groups"] },
    rbac: { defaultPolicy: "role:readonly", groupRoles: [{ group: "platform", role: "role:admin" }] },
    notifications: { enabled: true, slack: { tokenKey: "slack-token" }, webhooks: [{ name: "ops", url: "https://hooks.example.org/x", tokenKey: "ops-token", audit: true }] },
    ha: { enabled: true, controllerReplicas: 3, serverReplicas: 3, repoServerReplicas: 3, applicationSetReplicas: 2 },
    repoServerRoleArn: "arn:aws:iam::111122223333:role/repo-server",
    labels: { "gitops.platform/stack": "test" },
});

describe("Argo CD installation", function () {
    this.timeout(60000);
    let dev: RegisteredResource;
    let prodRun: Awaited<ReturnType<typeof runProgram>>;
    let localRun: Awaited<ReturnType<typeof runProgram>>;
    let localClusterRun: Awaited<ReturnType<typeof runProgram>>;
    before(async () => {
        process.env.GITHUB_SHA = COMMIT;
        dev = ofType(await runProgram({ stack: "dev" }), "kubernetes:helm.sh/v4:Chart").find((c) => c.name === "argocd")!;
        prodRun = await runProgram({ stack: "prod" });
        localRun = await runProgram({ stack: "local" });
        // The local stack on the local control plane (npm run up): a real cluster, not a directory.
        localClusterRun = await runProgram({
            stack: "local",
            platform: { cluster: { mode: "kubeconfig", directory: undefined } },
            config: { kubeconfig: "apiVersion: v1\nkind: Config\n" },
            secretKeys: ["kubeconfig"],
        });
    });
    after(() => {
        delete process.env.GITHUB_SHA;
    });

    it("sets only keys the argo-cd 10.1.1 chart knows, with every option on", () => {
        assert.deepStrictEqual(unknownValuePaths(ALL_OPTIONS, CHART_VALUES), []);
    });

    it("the key check catches a typo (so the test above can fail)", () => {
        const typo = { ...ALL_OPTIONS, server: { replicass: 2 }, configs: { ...(ALL_OPTIONS.configs as object), secrett: {} } };
        assert.deepStrictEqual(unknownValuePaths(typo, CHART_VALUES).sort(), ["configs.secrett", "server.replicass"]);
    });

    it("the dev stack's values use only known keys too", () => {
        assert.deepStrictEqual(unknownValuePaths(dev.inputs.values, CHART_VALUES), []);
    });

    it("installs chart 10.1.1 from argo-helm with hardened defaults", () => {
        assert.strictEqual(dev.inputs.chart, "argo-cd");
        assert.strictEqual(dev.inputs.version, "10.1.1");
        assert.deepStrictEqual(dev.inputs.repositoryOpts, { repo: "https://argoproj.github.io/argo-helm" });
        const v = dev.inputs.values as { configs: Record<string, Record<string, unknown>>; dex: unknown };
        assert.strictEqual(v.configs.cm["admin.enabled"], false);
        assert.strictEqual(v.configs.cm["users.anonymous.enabled"], "false");
        assert.strictEqual(v.configs.cm["exec.enabled"], false);
        assert.strictEqual(v.configs.cm["application.resourceTrackingMethod"], "annotation");
        assert.strictEqual(v.configs.params["server.insecure"], false);
        // A team application's rollout in waves (RollingSync) needs the ApplicationSet controller's progressive syncs.
        assert.strictEqual(v.configs.params["applicationsetcontroller.enable.progressive.syncs"], true);
        // A logged-in user no group maps gets nothing; teams get project roles (test/argocd-rbac.spec.ts).
        assert.strictEqual(v.configs.rbac["policy.default"], "");
        assert.strictEqual(v.configs.rbac["policy.csv"], "g, platform-team, role:admin");
        assert.deepStrictEqual(v.configs.secret, {}, "no admin password outside local");
        const oidc = YAML.parse(String(v.configs.cm["oidc.config"]));
        assert.strictEqual(oidc.clientSecret, "$argocd-sso:clientSecret", "client secret by Secret reference");
        const notifications = (dev.inputs.values as { notifications: { secret: { create: boolean }; notifiers: Record<string, string> } }).notifications;
        assert.strictEqual(notifications.secret.create, false);
        assert.strictEqual(YAML.parse(notifications.notifiers["service.slack"]).token, "$slack-token");
    });

    it("prod is highly available and keeps its namespace and CRDs on delete", () => {
        const chart = ofType(prodRun, "kubernetes:helm.sh/v4:Chart").find((c) => c.name === "argocd")!;
        const v = chart.inputs.values as Record<string, { replicas?: number; pdb?: { enabled: boolean }; enabled?: boolean }>;
        assert.strictEqual(v["redis-ha"].enabled, true);
        assert.strictEqual(v.controller.replicas, 3);
        assert.strictEqual(v.server.replicas, 3);
        assert.strictEqual(v.server.pdb!.enabled, true);
        const ns = ofType(prodRun, "kubernetes:core/v1:Namespace").find((n) => (n.inputs.metadata as { name: string }).name === "argocd")!;
        assert.deepStrictEqual([ns.options.retainOnDelete, ns.options.protect], [true, true]);
        const devNs = ofType(localRun, "kubernetes:core/v1:Namespace").find((n) => (n.inputs.metadata as { name: string }).name === "argocd")!;
        assert.deepStrictEqual([devNs.options.retainOnDelete, devNs.options.protect], [false, false]);
    });

    it("local rendering to a directory: no admin password hash in the values (rendered YAML holds no secret)", () => {
        const chart = ofType(localRun, "kubernetes:helm.sh/v4:Chart").find((c) => c.name === "argocd")!;
        const values = chart.inputs.values as { configs: { secret: Record<string, unknown> } };
        assert.deepStrictEqual(values.configs.secret, {});
    });

    it("local on a cluster: admin on, its password only as a secret, deterministic bcrypt hash", () => {
        const chart = ofType(localClusterRun, "kubernetes:helm.sh/v4:Chart").find((c) => c.name === "argocd")!;
        const secretProps = (chart.properties.values as { configs: { secret: { argocdServerAdminPassword: unknown } } } | Record<string, unknown>);
        // The whole values object or the hash itself carries Pulumi's secret signature.
        assert.ok(JSON.stringify(secretProps).includes(SIG), "values are a Pulumi secret");
        const hash = (chart.inputs.values as { configs: { secret: { argocdServerAdminPassword: string } } }).configs.secret.argocdServerAdminPassword;
        const password = "plan-test-secret-for-gitops-platform-argocdAdminPassword";
        assert.ok(bcrypt.compareSync(password, hash), "hash verifies the configured password");
        assert.strictEqual(deterministicBcrypt(password, "local"), hash, "same password and stack, same hash");
        assert.notStrictEqual(deterministicBcrypt(password, "other"), hash, "another stack gets another salt");
        assert.throws(() => deterministicBcrypt("short", "local"), (e: Error) => /argocdAdminPassword: must be at least 8/.test(e.message) && !e.message.includes("short"));
    });
});
