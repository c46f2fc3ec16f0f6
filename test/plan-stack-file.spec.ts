import * as assert from "assert";
import * as path from "path";
import { listStacks, readStackConfig, StackFileError, testSecretFor } from "../tools/plan/stack-file";

const root = path.join(__dirname, "fixtures", "stack-files");

describe("plan: reading a stack file", () => {
    it("hands config to the program as the engine does: namespaced keys, strings, JSON for structured values", () => {
        const sc = readStackConfig(root, "demo");
        assert.strictEqual(sc.file, path.join("stacks", "Pulumi.demo.yaml"));
        assert.deepStrictEqual(JSON.parse(sc.config["gitops-platform:platform"]), { environment: "local", owner: "platform-team", replicas: 3 });
        assert.strictEqual(sc.config["aws:region"], "eu-west-1");
        // A key without a namespace belongs to the project, as `pulumi config set debug true` would store it.
        assert.strictEqual(sc.config["gitops-platform:debug"], "true");
    });

    it("replaces secure values with test secrets and marks their top-level keys secret", () => {
        const sc = readStackConfig(root, "demo");
        assert.strictEqual(sc.config["gitops-platform:argocdAdminPassword"], testSecretFor("gitops-platform:argocdAdminPassword"));
        assert.deepStrictEqual(JSON.parse(sc.config["gitops-platform:nested"]), { plain: "visible", token: testSecretFor("gitops-platform:nested.token") });
        assert.deepStrictEqual(sc.secretKeys.sort(), ["gitops-platform:argocdAdminPassword", "gitops-platform:nested"]);
        assert.ok(!JSON.stringify(sc.config).includes("v1:"), "no ciphertext reaches the program");
    });

    it("names the file and the known stacks when the stack does not exist", () => {
        assert.throws(() => readStackConfig(root, "nope"), (e: Error) => e instanceof StackFileError && /Pulumi\.nope\.yaml: no such stack file; known stacks: demo, list, truncated/.test(e.message));
    });

    it("names the file when it is not valid YAML or not a mapping", () => {
        assert.throws(() => readStackConfig(root, "truncated"), /Pulumi\.truncated\.yaml: not valid YAML/);
        assert.throws(() => readStackConfig(root, "list"), /Pulumi\.list\.yaml: expected a mapping at the top level/);
    });

    it("lists the stacks that have a file", () => {
        assert.deepStrictEqual(listStacks(root), ["demo", "list", "truncated"]);
    });
});
