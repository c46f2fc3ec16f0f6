/**
 * The loop's secret management for real (tools/local-cluster/loop-secrets.ts): External Secrets
 * Operator's controller, built from its module, reading a secrets cluster (a kube-apiserver of its own)
 * through its kubernetes provider, against a local control plane. What a user relies on: the Secret
 * appears, a value rotated in the store arrives within the refresh interval, a missing key and an
 * unreachable store are clear ExternalSecret conditions while the last Secret stays, and the values
 * are in no log.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ControlPlane, startControlPlane } from "../tools/local-cluster/control-plane";
import { LoopSecrets, OPERATOR_NAMESPACE, startLoopSecrets, STORE_NAMESPACE, STORE_TOKEN_SECRET } from "../tools/local-cluster/loop-secrets";
import { isAlive, pollUntil } from "../tools/local-cluster/managed-process";
import { PROJECT_ROOT } from "./support/program";

const BIN_DIR = path.join(PROJECT_ROOT, ".tools", "bin");
const NAMESPACE = "apps";
const STORE = "loop-store";
const REFRESH = "2s";

interface Condition {
    type: string;
    status: string;
    reason?: string;
    message?: string;
}

function clusterSecretStore(server: string, caBundle: string): Record<string, unknown> {
    return {
        apiVersion: "external-secrets.io/v1",
        kind: "ClusterSecretStore",
        metadata: { name: STORE },
        spec: {
            conditions: [{ namespaces: [NAMESPACE] }],
            provider: {
                kubernetes: {
                    remoteNamespace: STORE_NAMESPACE,
                    server: { url: server, caBundle },
                    auth: { token: { bearerToken: { name: STORE_TOKEN_SECRET, namespace: OPERATOR_NAMESPACE, key: "token" } } },
                },
            },
        },
    };
}

function externalSecret(name: string, key: string): Record<string, unknown> {
    return {
        apiVersion: "external-secrets.io/v1",
        kind: "ExternalSecret",
        metadata: { name, namespace: NAMESPACE },
        spec: {
            refreshInterval: REFRESH,
            secretStoreRef: { kind: "ClusterSecretStore", name: STORE },
            dataFrom: [{ extract: { key } }],
            target: { name, creationPolicy: "Owner", template: { data: { url: "https://git.example/repo.git", username: "{{ .username }}", password: "{{ .password }}" } } },
        },
    };
}

describe("External Secrets Operator in the loop, reading the secrets cluster", function () {
    this.timeout(600_000);
    let work: string;
    let cp: ControlPlane | undefined;
    let secrets: LoopSecrets | undefined;
    const values = { first: `first-${process.pid}-${Date.now()}-Pw1`, second: `second-${process.pid}-${Date.now()}-Pw2` };

    const secretData = async (name: string) => {
        const s = await cp!.kubectl.get<{ data?: Record<string, string> }>(["secret", name, "-n", NAMESPACE]);
        return Object.fromEntries(Object.entries(s?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]));
    };
    const ready = async (name: string) => {
        const es = await cp!.kubectl.get<{ status?: { conditions?: Condition[] } }>(["externalsecret", name, "-n", NAMESPACE]);
        return es?.status?.conditions?.find((c) => c.type === "Ready");
    };

    before(async () => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "loop-secrets-"));
        cp = await startControlPlane({ binDir: BIN_DIR, dataDir: path.join(work, "cluster") });
        secrets = await startLoopSecrets({ binDir: BIN_DIR, etcdUrl: cp.etcdUrl, hub: cp, dataDir: path.join(work, "secrets") });
        await cp.kubectl.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } }, "namespace");
        await secrets.put("repo.read", { username: "reader", password: values.first });
        await cp.kubectl.apply(clusterSecretStore(secrets.store.server, secrets.store.caData), "the store");
    });

    after(async () => {
        const processes = [secrets?.operator, secrets?.store.process, ...(cp?.processes ?? [])].filter((p) => p !== undefined);
        await Promise.all(processes.map((p) => p.stop()));
        assert.deepStrictEqual(processes.filter((p) => isAlive(p.pid)).map((p) => p.name), []);
        fs.rmSync(work, { recursive: true, force: true });
    });

    it("validates the store: the reader's token may get Secrets in the store's namespace", async () => {
        await pollUntil(async () => {
            const store = await cp!.kubectl.get<{ status?: { conditions?: Condition[] } }>(["clustersecretstore", STORE]);
            return store?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
        }, 120_000, "the ClusterSecretStore to be Ready");
    });

    it("makes the Secret from the store's value, through the template", async () => {
        await cp!.kubectl.apply(externalSecret("repo-read", "repo.read"), "the ExternalSecret");
        await pollUntil(async () => (await ready("repo-read"))?.status === "True", 120_000, "the ExternalSecret to be Ready");
        assert.deepStrictEqual(await secretData("repo-read"), { url: "https://git.example/repo.git", username: "reader", password: values.first });
    });

    it("a value rotated in the store only reaches the Secret within the refresh interval", async () => {
        await secrets!.put("repo.read", { username: "reader", password: values.second });
        const started = Date.now();
        await pollUntil(async () => (await secretData("repo-read")).password === values.second, 60_000, "the rotated value in the Secret");
        // 2 s interval: seconds, not the operator's hour-long default or a restart.
        assert.ok(Date.now() - started < 30_000, `rotation took ${(Date.now() - started) / 1000} s`);
    });

    it("a key missing from the store is a clear condition, and the Secret keeps its last value", async () => {
        await secrets!.remove("repo.read");
        await pollUntil(async () => (await ready("repo-read"))?.status === "False", 60_000, "the ExternalSecret to fail");
        const condition = (await ready("repo-read"))!;
        assert.strictEqual(condition.reason, "SecretSyncedError");
        assert.match(condition.message ?? "", /could not get secret data from provider/);
        assert.strictEqual((await secretData("repo-read")).password, values.second);
        await cp!.kubectl.apply(externalSecret("never-there", "no.such.key"), "an ExternalSecret for a key never written");
        await pollUntil(async () => (await ready("never-there"))?.reason === "SecretSyncedError", 60_000, "the ExternalSecret to fail");
        assert.strictEqual(await cp!.kubectl.get(["secret", "never-there", "-n", NAMESPACE]), undefined, "a Secret made without a value");
        await secrets!.put("repo.read", { username: "reader", password: values.second });
        await pollUntil(async () => (await ready("repo-read"))?.status === "True", 60_000, "the ExternalSecret to recover");
    });

    it("an unreachable store is a clear condition, the Secret stays, and the store's return heals it", async () => {
        await secrets!.store.process.stop();
        await pollUntil(async () => (await ready("repo-read"))?.status === "False", 90_000, "the ExternalSecret to fail");
        const condition = (await ready("repo-read"))!;
        assert.strictEqual(condition.reason, "SecretSyncedError");
        assert.strictEqual((await secretData("repo-read")).password, values.second);
        await secrets!.store.restart();
        await pollUntil(async () => (await ready("repo-read"))?.status === "True", 120_000, "the ExternalSecret to recover");
    });

    it("writes no value to its log or the store's", async () => {
        for (const file of [secrets!.operator.logFile, secrets!.store.process.logFile]) {
            const text = fs.readFileSync(file, "utf8");
            for (const value of Object.values(values)) assert.ok(!text.includes(value), `${file} holds a value`);
        }
    });
});
