/** `npm run tf-outputs`: output format, masking, exit codes and messages, run as a real child process. */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runTfOutputs } from "./support/terraform-outputs-cli";
import { type StateServer, startStateServer } from "./support/terraform-state-server";

const localStatePath = path.join("stacks", "local", "terraform", "terraform.tfstate");
const localState = fs.readFileSync(path.join(__dirname, "..", localStatePath), "utf8");
const PASSWORD_CANARY = "canary-cli-pw-44b2e0";

describe("Terraform outputs: the tf-outputs CLI", function () {
    this.timeout(60_000);

    it("prints one JSON object of output name to value, sensitive values masked", async () => {
        const result = await runTfOutputs(["--backend", "local", "--path", localStatePath]);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stderr, "");
        const values = JSON.parse(result.stdout);
        assert.equal(values.cluster_name, "gitops-local");
        assert.equal(values.private_subnet_ids.length, 3);
        assert.equal(values.addon_role_arns["cert-manager"], "arn:aws:iam::111122223333:role/gitops-local-cert-manager");
        assert.equal(values.grafana_admin_password, "[secret]");
        assert.equal(values.argocd_admin_password, "[secret]");
        const stored = JSON.parse(localState).outputs as Record<string, { value: string; sensitive?: boolean }>;
        const secrets = Object.values(stored).filter((o) => o.sensitive).map((o) => o.value);
        assert.equal(secrets.length, 2);
        for (const secret of secrets) assert.ok(!result.stdout.includes(secret), "a sensitive value was printed");
    });

    it("delivers a large document whole through a pipe to a slow reader", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tf-outputs-pipe-"));
        try {
            // About 3 MB of outputs: far more than a pipe holds, so the CLI must wait for the reader.
            const outputs = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`output_${i}`, { sensitive: false, type: "string", value: `${i}-${"x".repeat(1000)}` }]));
            const file = path.join(dir, "outputs.json");
            fs.writeFileSync(file, JSON.stringify(outputs));
            const cli = `${JSON.stringify(process.execPath)} -r ts-node/register/transpile-only tools/tf-outputs.ts --backend json --path ${JSON.stringify(file)}`;
            const received = execFileSync("bash", ["-c", `set -o pipefail; ${cli} | (sleep 2; cat) > ${JSON.stringify(path.join(dir, "got.json"))}`], { cwd: path.join(__dirname, ".."), timeout: 60_000 });
            assert.equal(received.toString(), "");
            const got = JSON.parse(fs.readFileSync(path.join(dir, "got.json"), "utf8"));
            assert.equal(Object.keys(got).length, 3000);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("prints sensitive values with --show-sensitive", async () => {
        const result = await runTfOutputs(["--backend", "json", "--path", "test/fixtures/terraform/prod.outputs.json", "--show-sensitive"]);
        assert.equal(result.code, 0, result.stderr);
        assert.match(JSON.parse(result.stdout).grafana_admin_password, /^prod-[0-9a-f]{24}$/);
    });

    it("prints null outputs as null", async () => {
        const result = await runTfOutputs(["--backend", "local", "--path", "../shared/reference/terraform-state/tf-null_outputs.tfstate"]);
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(JSON.parse(result.stdout), { map: null, list: null });
    });

    it("exits 2 naming the file and the version for an old state", async () => {
        const result = await runTfOutputs(["--backend", "local", "--path", "../shared/reference/terraform-state/v3-simple.tfstate"]);
        assert.equal(result.code, 2);
        assert.equal(result.stdout, "");
        assert.match(result.stderr, /v3-simple\.tfstate.*state format version 3/);
    });

    it("exits 2 listing every bad or missing flag at once", async () => {
        const result = await runTfOutputs(["--backend", "s3", "--bucket", "b", "--endpoint", "not a url", "--path", "x", "--retries", "many"]);
        assert.equal(result.code, 2);
        for (const problem of ["--path: not a setting of the s3 backend", "--key: is required", "--region: is required", "--endpoint:", "--retries: expected a whole number"]) {
            assert.ok(result.stderr.includes(problem), `"${problem}" missing from:\n${result.stderr}`);
        }
    });

    it("exits 2 on an unknown backend or flag", async () => {
        assert.equal((await runTfOutputs(["--backend", "consul"])).code, 2);
        const unknown = await runTfOutputs(["--backend", "local", "--file", "x"]);
        assert.equal(unknown.code, 2);
        assert.match(unknown.stderr, /--file/);
    });

    it("exits 2 on an output nested 10,000 levels, naming the file and the output (never a stack overflow)", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tf-outputs-deep-"));
        try {
            const n = 10_000;
            const outputs = `{"deep":{"sensitive":false,"type":${'["object",{"a":'.repeat(n)}"string"${"}]".repeat(n)},"value":${'{"a":'.repeat(n)}"x"${"}".repeat(n)}}}`;
            fs.writeFileSync(path.join(dir, "outputs.json"), outputs);
            fs.writeFileSync(path.join(dir, "deep.tfstate"), `{"version":4,"serial":1,"lineage":"l","outputs":${outputs},"resources":[]}`);
            for (const args of [["--backend", "json", "--path", path.join(dir, "outputs.json")], ["--backend", "local", "--path", path.join(dir, "deep.tfstate")]]) {
                const result = await runTfOutputs(args);
                assert.equal(result.code, 2, result.stderr);
                assert.match(result.stderr, /(outputs\.json|deep\.tfstate).*deep: its value nests objects and lists more than 64 levels deep/);
                assert.doesNotMatch(result.stderr, /Maximum call stack|unexpected failure/);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("exits 2 on a credential in an address or endpoint, naming the flag and never the credential", async () => {
        for (const args of [
            ["--backend", "http", "--address", `https://platform:${PASSWORD_CANARY}@tf.example.com/state`],
            ["--backend", "http", "--address", `https://tf.example.com/state?access_token=${PASSWORD_CANARY}`],
            ["--backend", "s3", "--bucket", "b", "--key", "k", "--region", "eu-west-1", "--endpoint", `https://minio:${PASSWORD_CANARY}@minio.example.com`],
        ]) {
            const result = await runTfOutputs(args);
            assert.equal(result.code, 2, result.stderr);
            assert.match(result.stderr, /--(address|endpoint): the (address|endpoint) carries (user info|a credential in its query)/);
            assert.ok(!result.stderr.includes(PASSWORD_CANARY), "the credential was printed");
        }
    });

    describe("http backend", () => {
        let server: StateServer;
        before(async () => {
            server = await startStateServer({ basicAuth: { username: "platform", password: PASSWORD_CANARY } });
            server.states.set("/state/local", localState);
        });
        after(() => server.close());

        it("reads with --username and TF_HTTP_PASSWORD", async () => {
            const result = await runTfOutputs(["--backend", "http", "--address", `${server.url}/state/local`, "--username", "platform"], { TF_HTTP_PASSWORD: PASSWORD_CANARY });
            assert.equal(result.code, 0, result.stderr);
            assert.equal(JSON.parse(result.stdout).region, "eu-west-1");
        });

        it("exits 2 on 401 without printing the password", async () => {
            const result = await runTfOutputs(["--backend", "http", "--address", `${server.url}/state/local`, "--username", "platform"], {
                TF_HTTP_PASSWORD: `${PASSWORD_CANARY}-old`,
            });
            assert.equal(result.code, 2);
            assert.match(result.stderr, /http backend http:\/\/127\.0\.0\.1:\d+\/state\/local: 401 Unauthorized/);
            assert.ok(!result.stderr.includes(PASSWORD_CANARY), "password leaked");
        });
    });
});
