/**
 * Real Terraform 1.5.7 (offline, builtin provider only) applies provider-less configurations with the
 * local and http backends; the outputs are read back and must match what Terraform itself reports.
 * Also checks that the committed local state and dev/staging/prod fixtures still match main.tf.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import type { TerraformOutputSet } from "../lib/terraform/outputSet";
import { readTerraformOutputs } from "../lib/terraform/readTerraformOutputs";
import { requireOutputs } from "../lib/terraform/requireOutputs";
import { type TerraformWorkdir, terraformWorkdir } from "./support/terraform-cli";
import { type StateServer, startStateServer } from "./support/terraform-state-server";

const repo = path.join(__dirname, "..");
const localStackConfig = path.join(repo, "stacks", "local", "terraform");
const typesConfig = path.join(__dirname, "fixtures", "terraform", "config-types");
const PASSWORD_CANARY = "canary-apply-pw-91d0c4";

/** Outputs as `terraform output -json` reports them, read through the json source. */
async function terraformOutputJson(work: TerraformWorkdir, env: NodeJS.ProcessEnv = {}): Promise<TerraformOutputSet> {
    const file = path.join(work.dir, "outputs.json");
    fs.writeFileSync(file, await work.run(["output", "-json"], env));
    return readTerraformOutputs({ backend: "json", path: file });
}

describe("Terraform outputs: states written by terraform apply", function () {
    this.timeout(180_000);
    const workdirs: TerraformWorkdir[] = [];
    const workdir = (config: string): TerraformWorkdir => {
        const work = terraformWorkdir(config);
        workdirs.push(work);
        return work;
    };
    /** A configuration applied in a work directory of its own, its state read by the reader and checked against `terraform output -json`. */
    const appliedAndReadBack = async (config: string): Promise<{ work: TerraformWorkdir; outputs: TerraformOutputSet }> => {
        const work = workdir(config);
        await work.run(["init", "-input=false", "-no-color"]);
        await work.run(["apply", "-auto-approve", "-input=false", "-no-color"]);
        const outputs = await readTerraformOutputs({ backend: "local", path: path.join(work.dir, "terraform.tfstate") });
        assert.deepEqual(outputs, await terraformOutputJson(work));
        return { work, outputs };
    };
    after(() => workdirs.forEach((w) => w.remove()));

    it("local backend: reads back what terraform output -json reports, and the committed state matches main.tf", async () => {
        const { outputs: fromState } = await appliedAndReadBack(localStackConfig);
        assert.equal(fromState.grafana_admin_password.sensitive, true);
        assert.equal(fromState.argocd_admin_password.sensitive, true);
        const committed = await readTerraformOutputs({ backend: "local", path: path.join(localStackConfig, "terraform.tfstate") });
        assert.deepEqual(committed, fromState, "stacks/local/terraform/terraform.tfstate is stale: run stacks/local/terraform/regenerate.sh");
    });

    it("keeps numbers, booleans, lists, sets, tuples, maps and sensitive objects; Terraform drops null outputs", async () => {
        const { outputs } = await appliedAndReadBack(typesConfig);
        assert.equal(outputs.port.value, 5432);
        assert.equal(outputs.weight.value, 0.25);
        assert.equal(outputs.enabled.value, true);
        assert.deepEqual(outputs.zones.type, ["list", "string"]);
        assert.deepEqual(outputs.zone_set.type, ["set", "string"]);
        assert.deepEqual(outputs.zones_tuple.type, ["tuple", ["string", "string"]]);
        assert.deepEqual(outputs.labels, { value: { team: "platform", tier: "core" }, sensitive: false, type: ["map", "string"] });
        assert.equal(outputs.endpoint.sensitive, true);
        assert.deepEqual(outputs.endpoint.value, { host: "db.internal.example.com", port: 5432, replicas: ["db-1", "db-2"] });
        assert.equal(outputs.api_token.sensitive, true);
        // Terraform 1.5.7 does not store null root outputs; a stack marks such outputs optional(...).
        assert.ok(!("nothing" in outputs));
        requireOutputs(outputs, {
            nothing: "optional(string)",
            zone_set: "set(string)",
            zones_tuple: "list(string)",
            endpoint: "object({host=string, port=number, replicas=list(string)})",
        });
    });

    describe("http backend", () => {
        let server: StateServer;
        before(async () => {
            server = await startStateServer({ basicAuth: { username: "platform", password: PASSWORD_CANARY } });
        });
        after(() => server.close());

        it("terraform init/apply against the node http server, then reads the state from it", async () => {
            const work = workdir(localStackConfig);
            fs.writeFileSync(path.join(work.dir, "backend.tf"), 'terraform {\n  backend "http" {}\n}\n');
            const address = `${server.url}/state/local`;
            const env = { TF_HTTP_PASSWORD: PASSWORD_CANARY };
            await work.run(
                [
                    "init",
                    "-input=false",
                    "-no-color",
                    `-backend-config=address=${address}`,
                    `-backend-config=lock_address=${address}`,
                    `-backend-config=unlock_address=${address}`,
                    "-backend-config=username=platform",
                ],
                env,
            );
            await work.run(["apply", "-auto-approve", "-input=false", "-no-color"], env);
            assert.ok(server.requests.some((r) => r.method === "POST" && r.path === "/state/local"), "terraform stored no state");
            assert.ok(server.requests.some((r) => r.method === "LOCK"), "terraform took no lock");
            assert.ok(!fs.existsSync(path.join(work.dir, "terraform.tfstate")), "the state must live on the server");

            const outputs = await readTerraformOutputs(
                { backend: "http", address, username: "platform" },
                { credentials: { password: PASSWORD_CANARY }, env: {} },
            );
            assert.deepEqual(outputs, await terraformOutputJson(work, env));
            assert.equal(outputs.cluster_name.value, "gitops-local");
            assert.equal(outputs.grafana_admin_password.sensitive, true);
        });
    });

    for (const env of ["dev", "staging", "prod"]) {
        it(`test/fixtures/terraform/${env}.outputs.json is terraform output -json of main.tf with envs/${env}.tfvars`, async () => {
            const work = workdir(localStackConfig);
            await work.run(["init", "-input=false", "-no-color"]);
            await work.run(["apply", "-auto-approve", "-input=false", "-no-color", `-var-file=${path.join(__dirname, "fixtures", "terraform", "envs", `${env}.tfvars`)}`]);
            const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "terraform", `${env}.outputs.json`), "utf8"));
            assert.deepEqual(JSON.parse(await work.run(["output", "-json"])), fixture, `stale fixture: run stacks/local/terraform/regenerate.sh`);
        });
    }
});
