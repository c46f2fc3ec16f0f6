/**
 * The store the stack's ExternalSecrets read (`platform.secrets`): a Kubernetes secrets cluster
 * (External Secrets Operator's kubernetes provider, the local stack) or AWS Secrets Manager (the cloud
 * stacks). The config and its rules with their key paths, the key each ExternalSecret asks the store
 * for, and the store and ExternalSecrets as the program declares them.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { KUBERNETES_SECRET_STORE, KubernetesSecretStore } from "../components/gitops/kubernetesSecretStore";
import { AWS_SECRET_STORE } from "../components/gitops/repositoryCredentials";
import { ComponentValidationError } from "../components/validationError";
import { parsePlatform } from "../stacks/load";
import type { PlatformConfig } from "../stacks/schema";
import { secretContainers } from "../stacks/secretContainers";
import { secretStoreKind, storeKey, storeKeys } from "../stacks/secretStore";
import { PlanMocks } from "../tools/plan/mocks";
import { configError, mergeConfig, ofType, PROJECT_ROOT, problemPaths as paths, type ProgramRun, runProgram, withAuditCommit } from "./support/program";

type Meta = { name: string; namespace?: string; labels: Record<string, string> };
type ExternalSecretSpec = {
    refreshInterval: string;
    secretStoreRef: { kind: string; name: string };
    dataFrom: Record<string, unknown>[];
    target: { name: string; template: { metadata: { labels: Record<string, string> } } };
};

const STORE_TYPE = "kubernetes:external-secrets.io/v1:ClusterSecretStore";
const EXTERNAL_SECRET_TYPE = "kubernetes:external-secrets.io/v1:ExternalSecret";

/** A stack file's platform config, as written. */
function stackPlatform(stack: string): Record<string, unknown> {
    return YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8")).config["gitops-platform:platform"];
}

/** A stack's platform config with `override` merged in (as runProgram merges it), validated. */
function platformOf(stack: string, override: Record<string, unknown> = {}): PlatformConfig {
    const parsed = parsePlatform(JSON.stringify(mergeConfig(stackPlatform(stack), override)));
    assert.deepStrictEqual(parsed.problems, []);
    return parsed.platform!;
}

/** A base64 PEM certificate block (the schema reads its label, not its body). */
const CA_BUNDLE = Buffer.from("-----BEGIN CERTIFICATE-----\nMIIBdzCCAR2gAwIBAgIBADAKBggqhkjOPQQDAjAjMSEwHwYDVQQDDBhrM3Mtc2Vy\n-----END CERTIFICATE-----\n").toString("base64");

const externalSecret = (run: ProgramRun, name: string) => {
    const es = ofType(run, EXTERNAL_SECRET_TYPE).find((r) => (r.inputs.metadata as Meta).name === name);
    assert.ok(es, `no ExternalSecret ${name}`);
    return { es, spec: es.inputs.spec as ExternalSecretSpec };
};

describe("secret store: platform.secrets and its rules", function () {
    this.timeout(60000);
    withAuditCommit();

    it("reads the committed local stack's Kubernetes store with its defaults, and the cloud stacks' defaults", () => {
        const local = platformOf("local").secrets;
        assert.deepStrictEqual(local, {
            store: { kubernetes: { server: "https://127.0.0.1:6443", remoteNamespace: "gitops-secrets", auth: { tokenSecret: { name: "secrets-store-token", namespace: "external-secrets", key: "token" } } } },
            operator: "outsideCluster",
            refreshInterval: "15s",
        });
        assert.deepStrictEqual(platformOf("dev").secrets, { operator: "addon", refreshInterval: "1h" });
    });

    it("refuses a bad store, naming each key: not https, user info, a bad namespace, no token Secret name, a bad duration", async () => {
        const err = await configError({
            stack: "local",
            platform: { secrets: { store: { kubernetes: { server: "http://127.0.0.1:6443", remoteNamespace: "Gitops_Secrets", auth: { tokenSecret: { name: undefined, key: "a/b" } } } }, refreshInterval: "1d" } },
        });
        assert.deepStrictEqual(paths(err), [
            "platform.secrets.refreshInterval",
            "platform.secrets.store.kubernetes.auth.tokenSecret.key",
            "platform.secrets.store.kubernetes.auth.tokenSecret.name",
            "platform.secrets.store.kubernetes.remoteNamespace",
            "platform.secrets.store.kubernetes.server",
        ]);
        assert.match(err.message, /platform\.secrets\.refreshInterval: expected a duration like 15s, 10m or 1h/);
        assert.match(err.message, /platform\.secrets\.store\.kubernetes\.server: expected an https:\/\/ URL/);
        const userInfo = await configError({ stack: "local", platform: { secrets: { store: { kubernetes: { server: "https://reader:hunter2@127.0.0.1:6443" } } } } });
        assert.deepStrictEqual(paths(userInfo), ["platform.secrets.store.kubernetes.server"]);
        assert.match(userInfo.message, /user info .* use auth\.tokenSecret/);
        assert.ok(!userInfo.message.includes("hunter2"));
        for (const duration of ["15", "1h30m", "-1s", "15 s"]) {
            const bad = await configError({ stack: "local", platform: { secrets: { refreshInterval: duration } } });
            assert.deepStrictEqual(paths(bad), ["platform.secrets.refreshInterval"], duration);
        }
        for (const duration of ["0s", "10m", "6h"]) assert.strictEqual(platformOf("local", { secrets: { refreshInterval: duration } }).secrets.refreshInterval, duration);
    });

    it("takes the API server's CA as base64 PEM, refuses a private key without showing it, and needs it on the cloud stacks", async () => {
        assert.strictEqual(platformOf("local", { secrets: { store: { kubernetes: { caBundle: CA_BUNDLE } } } }).secrets.store!.kubernetes.caBundle, CA_BUNDLE);
        const privateKey = Buffer.from(`-----BEGIN ${"PRIVATE KEY"}-----\nMC4CAQAwBQYDK2VwBCIEIIvtNJ1canaryKEY\n-----END ${"PRIVATE KEY"}-----\n`).toString("base64");
        const err = await configError({ stack: "local", platform: { secrets: { store: { kubernetes: { caBundle: privateKey } } } } });
        assert.deepStrictEqual(paths(err), ["platform.secrets.store.kubernetes.caBundle"]);
        assert.match(err.message, /holds a private key/);
        assert.ok(!err.message.includes(privateKey.slice(0, 24)) && !err.message.includes("canary"), "the value is not shown");
        const notBase64 = await configError({ stack: "local", platform: { secrets: { store: { kubernetes: { caBundle: "-----BEGIN CERTIFICATE-----" } } } } });
        assert.deepStrictEqual(paths(notBase64), ["platform.secrets.store.kubernetes.caBundle"]);
        // External Secrets Operator refuses a kubernetes store without a CA; on local the loop sets it.
        const dev = await configError({ stack: "dev", platform: { secrets: { store: { kubernetes: { server: "https://secrets.example.com:6443", auth: { tokenSecret: { name: "secrets-store-token" } } } } } } });
        assert.deepStrictEqual(paths(dev), ["platform.secrets.store.kubernetes.caBundle"]);
        assert.match(dev.message, /refuses a kubernetes store without the API server's CA/);
    });

    it("runs the operator outside the cluster on the local stack only, and never beside the add-on", async () => {
        const dev = await configError({ stack: "dev", platform: { secrets: { operator: "outsideCluster" } } });
        assert.deepStrictEqual(dev.problems, [{ path: "platform.secrets.operator", message: 'only the local loop runs External Secrets Operator as a process; on dev it is the add-on: expected "addon"' }]);
        const local = stackPlatform("local") as { gitops: { repositories: unknown[]; projects: unknown[] }; addons: unknown[] };
        const eso = { name: "external-secrets", repository: "external-secrets", chart: "external-secrets", version: "1.3.2", namespace: "external-secrets", installedBy: "pulumi" };
        const both = await configError({
            stack: "local",
            platform: { addons: [...local.addons, eso], gitops: { repositories: [...local.gitops.repositories, { name: "external-secrets", type: "helm", url: "https://charts.external-secrets.io" }] } },
        });
        assert.deepStrictEqual(paths(both), ["platform.secrets.operator"]);
        assert.match(both.message, /two controllers would write the same Secrets/);
    });

    it("an ExternalSecret, read or write, needs a store and an operator, each problem saying what to set", async () => {
        const noOperator = await configError({ stack: "local", platform: { secrets: { operator: "addon" } } });
        assert.deepStrictEqual(paths(noOperator), [
            "platform.gitops.repositories[0].credentials.externalSecret",
            "platform.gitops.repositories[0].writeCredentials.externalSecret",
            "platform.secrets.store.kubernetes",
        ]);
        for (const p of noOperator.problems) assert.match(p.message, /External Secrets Operator( \(its CRDs and controller\))?: enable the add-on "external-secrets" with installedBy: pulumi, or set secrets\.operator: outsideCluster/);
        // Push credentials alone count too (they were not counted before).
        const repos = (stackPlatform("local") as { gitops: { repositories: Record<string, unknown>[] } }).gitops.repositories;
        const writeOnly = await configError({ stack: "local", platform: { secrets: undefined, gitops: { repositories: [{ ...repos[0], credentials: undefined }, ...repos.slice(1)] } } });
        assert.deepStrictEqual(paths(writeOnly), ["platform.gitops.repositories[0].writeCredentials.externalSecret"]);
        assert.match(writeOnly.message, /which reads a secret store: set secrets\.store\.kubernetes/);
        const dev = await configError({ stack: "dev", platform: { aws: { enabled: false }, gitops: { repositories: [{ name: "gitops-platform", type: "git", url: "https://github.com/acme-platform/gitops-platform.git", credentials: { externalSecret: {} } }] } } });
        assert.ok(dev.problems.some((p) => p.path === "platform.gitops.repositories[0].credentials.externalSecret" && /set aws\.enabled: true \(AWS Secrets Manager\) or secrets\.store\.kubernetes/.test(p.message)), dev.message);
    });

    it("an ECR token needs AWS whatever the store", async () => {
        const local = stackPlatform("local") as { gitops: { repositories: unknown[] } };
        const err = await configError({ stack: "local", platform: { gitops: { repositories: [...local.gitops.repositories, { name: "ecr-charts", type: "oci", url: "oci://111122223333.dkr.ecr.eu-west-1.amazonaws.com/charts", credentials: { ecrAuthorizationToken: true } }] } } });
        assert.deepStrictEqual(err.problems.map((p) => p.path), [`platform.gitops.repositories[${local.gitops.repositories.length}].credentials.ecrAuthorizationToken`]);
        assert.match(err.message, /minted with the repo server's IAM role, which needs aws\.enabled: true/);
    });
});

describe("secret store: the keys ExternalSecrets ask for", function () {
    this.timeout(60000);
    withAuditCommit();

    it("a Kubernetes store's key is the Secrets Manager name with each / as .", () => {
        assert.strictEqual(storeKey("kubernetes", "gitops-platform/local/repositories/gitops-platform"), "gitops-platform.local.repositories.gitops-platform");
        assert.strictEqual(storeKey("secretsManager", "gitops-platform/dev/repositories/gitops-platform"), "gitops-platform/dev/repositories/gitops-platform");
        assert.strictEqual(secretStoreKind(platformOf("local")), "kubernetes");
        assert.strictEqual(secretStoreKind(platformOf("dev")), "secretsManager");
        assert.strictEqual(secretStoreKind({ ...platformOf("local"), secrets: { operator: "addon", refreshInterval: "1h" } }), undefined);
    });

    it("lists every key the local store must hold, with its fields and use", () => {
        assert.deepStrictEqual(storeKeys(platformOf("local"), "local"), [
            {
                key: "gitops-platform.local.repositories.gitops-platform",
                description: "Argo CD credentials for repository gitops-platform: a Secret with the data keys username, password",
                fields: ["username", "password"],
                use: { kind: "repository", repository: "gitops-platform", access: "read" },
                path: "platform.gitops.repositories[0]",
            },
            {
                key: "gitops-platform.local.repositories.gitops-platform-write",
                description: "Argo CD push credentials (the commit server's) for repository gitops-platform: a Secret with the data keys username, password",
                fields: ["username", "password"],
                use: { kind: "repository", repository: "gitops-platform", access: "write" },
                path: "platform.gitops.repositories[0].writeCredentials",
            },
        ]);
        const notifying = platformOf("local", {
            argocd: { notifications: { enabled: true, slack: {}, webhooks: [{ name: "audit", url: "https://audit.example.com/events", tokenKey: "audit-token" }], secretsManagerName: "gitops-platform/local/argocd-notifications" } },
        });
        const tokens = storeKeys(notifying, "local").find((k) => k.use.kind === "notifications")!;
        assert.deepStrictEqual(tokens, {
            key: "gitops-platform.local.argocd-notifications",
            description: "Argo CD notification tokens (the keys of argocd-notifications-secret): a Secret with the data keys slack-token, audit-token",
            fields: ["slack-token", "audit-token"],
            use: { kind: "notifications" },
            path: "platform.argocd.notifications.secretsManagerName",
        });
    });

    it("a Secrets Manager store's keys are the containers' names", () => {
        const dev = platformOf("dev");
        assert.deepStrictEqual(storeKeys(dev, "dev").map((k) => k.key), secretContainers(dev, "dev").map((c) => c.name));
        assert.deepStrictEqual(storeKeys(dev, "dev").map((k) => k.key), ["gitops-platform/dev/repositories/gitops-platform", "gitops-platform/dev/argocd-notifications"]);
    });

    it("refuses a name that makes no valid Secret name, or the Secret of another key, at the key path that decides it", async () => {
        const repo = (stackPlatform("local") as { gitops: { repositories: Record<string, unknown>[] } }).gitops.repositories;
        const withNames = (read: string, write: string) => ({ gitops: { repositories: [{ ...repo[0], credentials: { externalSecret: { secretsManagerName: read } }, writeCredentials: { externalSecret: { secretsManagerName: write } } }, ...repo.slice(1)] } });
        const invalid = await configError({ stack: "local", platform: withNames("Team/Charts_Read", `${"a".repeat(250)}/read`) });
        assert.deepStrictEqual(paths(invalid), ["platform.gitops.repositories[0].credentials.externalSecret.secretsManagerName", "platform.gitops.repositories[0].writeCredentials.externalSecret.secretsManagerName"]);
        assert.match(invalid.problems[0].message, /reads the Secret "Team\.Charts_Read" \(the name with each '\/' as '\.'\), which is no valid Secret name .*at most 253 characters\): choose a secretsManagerName/);
        const shared = await configError({ stack: "local", platform: withNames("shared/charts", "shared.charts") });
        assert.deepStrictEqual(shared.problems, [
            { path: "platform.gitops.repositories[0].writeCredentials.externalSecret.secretsManagerName", message: 'the kubernetes store reads the Secret "shared.charts" for platform.gitops.repositories[0].credentials.externalSecret.secretsManagerName too: give each its own secretsManagerName' },
        ]);
        // The default names come from the prefix: its key path is the repository's.
        const prefixed = await configError({ stack: "local", platform: { aws: { secretsManagerPrefix: "Platform/" } } });
        assert.deepStrictEqual(paths(prefixed), ["platform.gitops.repositories[0]", "platform.gitops.repositories[0].writeCredentials"]);
    });
});

describe("secret store: the ClusterSecretStore and the ExternalSecrets against it", function () {
    this.timeout(60000);
    withAuditCommit();
    let local: ProgramRun;
    before(async () => {
        local = await runProgram({ stack: "local" });
    });

    it("KubernetesSecretStore refuses a server its token would reach in clear", async () => {
        await pulumi.runtime.setMocks(new PlanMocks(), "gitops-platform", "local", false);
        assert.throws(
            () => new KubernetesSecretStore("plain", { server: "http://127.0.0.1:6443", remoteNamespace: "gitops-secrets", tokenSecret: { name: "t", namespace: "external-secrets", key: "token" }, namespaces: ["argocd"], audit: { owner: "platform-team", stack: "local", project: "gitops-platform", gitCommit: "unknown" } }),
            (e: unknown) => e instanceof ComponentValidationError && /^KubernetesSecretStore "plain": server: expected an https:\/\/ URL/.test(e.message),
        );
    });

    it("the local stack declares the kubernetes store, usable from Argo CD's namespace only, and makes no AWS resource", () => {
        const stores = ofType(local, STORE_TYPE);
        assert.strictEqual(stores.length, 1);
        const meta = stores[0].inputs.metadata as Meta;
        assert.strictEqual(meta.name, KUBERNETES_SECRET_STORE);
        assert.strictEqual(meta.labels["gitops.platform/stack"], "local");
        assert.deepStrictEqual(stores[0].inputs.spec, {
            conditions: [{ namespaces: ["argocd"] }],
            provider: {
                kubernetes: {
                    remoteNamespace: "gitops-secrets",
                    server: { url: "https://127.0.0.1:6443" },
                    auth: { token: { bearerToken: { name: "secrets-store-token", key: "token", namespace: "external-secrets" } } },
                },
            },
        });
        assert.strictEqual(local.resources.filter((r) => r.type.startsWith("aws:")).length, 0);
    });

    it("the local stack's repository credentials are ExternalSecrets against it, read and write, refreshed every 15s, after the store", () => {
        const storeObject = ofType(local, STORE_TYPE)[0];
        for (const [name, key, type] of [
            ["repo-gitops-platform", "gitops-platform.local.repositories.gitops-platform", "repository"],
            ["repo-write-gitops-platform", "gitops-platform.local.repositories.gitops-platform-write", "repository-write"],
        ]) {
            const { es, spec } = externalSecret(local, name);
            assert.strictEqual((es.inputs.metadata as Meta).namespace, "argocd");
            assert.deepStrictEqual(spec.secretStoreRef, { kind: "ClusterSecretStore", name: KUBERNETES_SECRET_STORE });
            assert.strictEqual(spec.refreshInterval, "15s");
            assert.deepStrictEqual(spec.dataFrom, [{ extract: { key } }]);
            assert.strictEqual(spec.target.name, name);
            assert.strictEqual(spec.target.template.metadata.labels["argocd.argoproj.io/secret-type"], type);
            assert.ok(es.options.dependsOn.includes(storeObject.urn), `${name} waits for the store`);
        }
    });

    it("a local stack with notification tokens reads them from the same store", async () => {
        const run = await runProgram({ stack: "local", platform: { argocd: { notifications: { enabled: true, slack: {}, secretsManagerName: "gitops-platform/local/argocd-notifications" } } } });
        const { spec } = externalSecret(run, "argocd-notifications-secret");
        assert.deepStrictEqual(spec.secretStoreRef, { kind: "ClusterSecretStore", name: KUBERNETES_SECRET_STORE });
        assert.deepStrictEqual(spec.dataFrom, [{ extract: { key: "gitops-platform.local.argocd-notifications" } }]);
        assert.strictEqual(spec.refreshInterval, "15s");
    });

    it("the cloud stacks still read AWS Secrets Manager: its store, 1h, ECR tokens 6h, one container per key", async () => {
        const staging = await runProgram({ stack: "staging" });
        assert.deepStrictEqual(ofType(staging, STORE_TYPE).map((s) => (s.inputs.metadata as Meta).name), [AWS_SECRET_STORE]);
        const all = ofType(staging, EXTERNAL_SECRET_TYPE).map((e) => e.inputs as { metadata: Meta; spec: ExternalSecretSpec });
        assert.ok(all.length >= 3);
        for (const { metadata, spec } of all.filter((e) => e.spec.secretStoreRef)) {
            assert.strictEqual(spec.secretStoreRef.name, AWS_SECRET_STORE, metadata.name);
            assert.strictEqual(spec.refreshInterval, metadata.name === "repo-platform-charts" ? "6h" : "1h", metadata.name);
        }
        assert.deepStrictEqual(
            ofType(staging, "aws:secretsmanager/secret:Secret").map((s) => s.inputs.name),
            ["gitops-platform/staging/repositories/gitops-platform", "gitops-platform/staging/argocd-notifications"],
        );
    });

    it("a cloud stack may read a kubernetes store instead: no Secrets Manager container, its interval, ECR tokens still 6h", async () => {
        const store = { kubernetes: { server: "https://secrets.example.com:6443", caBundle: CA_BUNDLE, auth: { tokenSecret: { name: "secrets-store-token" } } } };
        const dev = await runProgram({ stack: "dev", platform: { secrets: { store, refreshInterval: "10m" } } });
        const stores = ofType(dev, STORE_TYPE);
        assert.deepStrictEqual(stores.map((s) => (s.inputs.metadata as Meta).name), [KUBERNETES_SECRET_STORE]);
        assert.deepStrictEqual((stores[0].inputs.spec as { provider: { kubernetes: { server: unknown } } }).provider.kubernetes.server, { url: "https://secrets.example.com:6443", caBundle: CA_BUNDLE });
        const esoChart = ofType(dev, "kubernetes:helm.sh/v4:Chart").find((c) => c.name === "addon-external-secrets")!;
        assert.ok(stores[0].options.dependsOn.includes(esoChart.urn), "the store waits for the ESO CRDs");
        assert.strictEqual(ofType(dev, "aws:secretsmanager/secret:Secret").length, 0);
        assert.strictEqual(externalSecret(dev, "repo-gitops-platform").spec.refreshInterval, "10m");
        assert.deepStrictEqual(externalSecret(dev, "repo-gitops-platform").spec.dataFrom, [{ extract: { key: "gitops-platform.dev.repositories.gitops-platform" } }]);
        assert.deepStrictEqual(externalSecret(dev, "argocd-notifications-secret").spec.secretStoreRef, { kind: "ClusterSecretStore", name: KUBERNETES_SECRET_STORE });
        assert.strictEqual(externalSecret(dev, "repo-platform-charts").spec.refreshInterval, "6h");
    });
});
