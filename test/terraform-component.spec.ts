/** The TerraformOutputs component: secrets stay secret, plain values stay plain, bad states fail early. */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { resolveSecret } from "../lib/terraform/credentials";
import { TerraformSourceError } from "../lib/terraform/errors";
import { readTerraformOutputs, readTerraformState } from "../lib/terraform/readTerraformOutputs";
import { describeSource } from "../lib/terraform/source";
import { TERRAFORM_OUTPUTS_TYPE, TerraformOutputs } from "../components/terraform/terraformOutputs";

/** Resolves an Output's value and secretness (mocks make outputs known). */
async function settle<T>(output: pulumi.Output<T>): Promise<{ value: T; secret: boolean }> {
    const value = await new Promise<T>((resolve) => output.apply((v) => resolve(v)));
    return { value, secret: await pulumi.isSecret(output) };
}

describe("Terraform outputs: the TerraformOutputs component", () => {
    const registered: { type: string; name: string }[] = [];

    before(() => {
        pulumi.runtime.setMocks(
            {
                newResource: (args) => {
                    registered.push({ type: args.type, name: args.name });
                    return { id: `${args.name}-id`, state: args.inputs };
                },
                call: (args) => args.inputs,
            },
            "project",
            "stack",
            true,
        );
    });

    const source = { backend: "local" as const, path: path.join(__dirname, "..", "stacks", "local", "terraform", "terraform.tfstate") };

    it("exposes sensitive outputs as secrets and the others as plain values", async () => {
        const outputs = await readTerraformOutputs(source);
        const foundation = new TerraformOutputs("foundation", { source: describeSource(source), outputs });
        const password = await settle(foundation.get<string>("grafana_admin_password"));
        assert.equal(password.secret, true);
        assert.match(password.value, /^local-/);
        assert.equal((await settle(foundation.get("argocd_admin_password"))).secret, true);
        const endpoint = await settle(foundation.get<string>("cluster_endpoint"));
        assert.equal(endpoint.secret, false);
        assert.match(endpoint.value, /^https:\/\/.*\.eks\.amazonaws\.com$/);
        const subnets = await settle(foundation.get<string[]>("private_subnet_ids"));
        assert.equal(subnets.secret, false);
        assert.equal(subnets.value.length, 3);
        assert.ok(registered.some((r) => r.type === TERRAFORM_OUTPUTS_TYPE && r.name === "foundation"));
        assert.deepEqual([...foundation.names].sort(), Object.keys(outputs).sort());
    });

    it("records the state's lineage and serial beside the outputs, when the source has them", async () => {
        const state = await readTerraformState(source);
        assert.ok(state.lineage && state.serial !== undefined);
        assert.deepEqual(state.outputs, await readTerraformOutputs(source));
        const recorded = new TerraformOutputs("foundation-state", { source: describeSource(source), outputs: state.outputs, state: { lineage: state.lineage, serial: state.serial } });
        assert.deepEqual(recorded.state, { lineage: state.lineage, serial: state.serial });
        assert.equal(new TerraformOutputs("foundation-json", { source: "json", outputs: state.outputs, state: {} }).state, undefined);
    });

    it("names the source and the outputs present when asked for an unknown output", async () => {
        const outputs = await readTerraformOutputs(source);
        const foundation = new TerraformOutputs("foundation-2", { source: describeSource(source), outputs });
        assert.throws(() => foundation.get("cluster_arn"), (err: unknown) => {
            assert.ok(err instanceof TerraformSourceError);
            assert.match(err.message, /local state .*terraform\.tfstate.*no output "cluster_arn"; outputs present: .*cluster_name/);
            return true;
        });
    });

    it("checks required outputs at construction, listing every problem once", async () => {
        const outputs = await readTerraformOutputs(source);
        assert.throws(
            () =>
                new TerraformOutputs("foundation-3", {
                    source: describeSource(source),
                    outputs,
                    required: { cluster_endpoint: "string", cluster_arn: "string", private_subnet_ids: "map(string)" },
                }),
            /2 problems[\s\S]*cluster_arn: missing[\s\S]*private_subnet_ids: expected map\(string\), found a list\/tuple of 3/,
        );
    });

    it("takes a credential from a Pulumi secret", async () => {
        assert.equal(await resolveSecret(pulumi.secret("token-from-config")), "token-from-config");
        assert.equal(await resolveSecret(pulumi.output("plain")), "plain");
        assert.equal(await resolveSecret(undefined), undefined);
    });
});
