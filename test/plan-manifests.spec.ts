import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { REDACTED_DATA, REDACTED_DATA_BASE64, toManifest, writeManifests } from "../tools/plan/manifests";
import { RegisteredResource } from "../tools/plan/run-program";
import { SECRET_SIG, SIG_KEY, redactSecrets, unwrapSecrets } from "../tools/plan/secrets";

const secret = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, value });
const CANARY = "canary-7f3a9c-do-not-leak";

function resource(type: string, name: string, properties: Record<string, unknown>): RegisteredResource {
    return {
        urn: `urn:pulumi:t::gitops-platform::${type}::${name}`,
        type,
        name,
        custom: true,
        remote: false,
        properties,
        inputs: unwrapSecrets(properties) as Record<string, unknown>,
        options: { protect: false, retainOnDelete: false, dependsOn: [], additionalSecretOutputs: [], ignoreChanges: [], deleteBeforeReplace: false },
    };
}

describe("plan: manifests and redaction", () => {
    it("redacts every secret, however deep", () => {
        const redacted = redactSecrets({ a: [{ b: secret(CANARY) }], c: secret({ d: CANARY }), e: "plain" });
        // The shape stays: a secret map is a map with the same keys.
        assert.deepStrictEqual(redacted, { a: [{ b: "[secret]" }], c: { d: "[secret]" }, e: "plain" });
    });

    it("writes one file per Kubernetes object, Secret data redacted whether or not it was marked secret", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "manifests-"));
        const files = writeManifests(dir, [
            resource("kubernetes:core/v1:Secret", "repo", { apiVersion: "v1", kind: "Secret", metadata: { name: "repo", namespace: "argocd" }, stringData: { url: "https://example.com", password: CANARY } }),
            resource("kubernetes:core/v1:ConfigMap", "cm", { apiVersion: "v1", kind: "ConfigMap", metadata: { namespace: "argocd" }, data: { token: secret(CANARY) } }),
            resource("kubernetes:argoproj.io/v1alpha1:Application", "app", { apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name: "app", namespace: "argocd" }, spec: { project: "team-a" } }),
            resource("pulumi:providers:kubernetes", "render", { renderYamlToDirectory: "out/x" }),
        ]);
        assert.deepStrictEqual(files.sort(), ["application_argocd_app.yaml", "configmap_argocd_cm.yaml", "secret_argocd_repo.yaml"]);
        for (const f of files) {
            assert.ok(!fs.readFileSync(path.join(dir, f), "utf8").includes(CANARY), `${f} holds the canary`);
        }
        const secretDoc = YAML.parse(fs.readFileSync(path.join(dir, "secret_argocd_repo.yaml"), "utf8"));
        assert.deepStrictEqual(secretDoc.stringData, { url: REDACTED_DATA, password: REDACTED_DATA });
        // The auto-named ConfigMap gets its resource name, as Pulumi would name it (without the suffix).
        assert.strictEqual(YAML.parse(fs.readFileSync(path.join(dir, "configmap_argocd_cm.yaml"), "utf8")).metadata.name, "cm");
    });

    it("keeps two objects of the same name from two clusters apart", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "manifests-"));
        const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: "argocd" } };
        const files = writeManifests(dir, [resource("kubernetes:core/v1:Namespace", "a", ns), resource("kubernetes:core/v1:Namespace", "b", ns)]);
        assert.deepStrictEqual(files, ["namespace_cluster_argocd.yaml", "namespace_cluster_argocd_2.yaml"]);
    });

    it("keeps a secret Secret's shape: same keys, values redacted (data in base64), so the API server accepts it", () => {
        const m = toManifest(
            resource("kubernetes:core/v1:Secret", "s", { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: secret({ k: CANARY }), stringData: secret({ config: CANARY, name: "in-cluster" }) }),
        );
        assert.deepStrictEqual(m.data, { k: REDACTED_DATA_BASE64 });
        assert.deepStrictEqual(m.stringData, { config: REDACTED_DATA, name: REDACTED_DATA });
        assert.strictEqual(Buffer.from(REDACTED_DATA_BASE64, "base64").toString(), REDACTED_DATA);
    });
});
