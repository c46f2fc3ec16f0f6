/** The http source against a real node `http` server implementing Terraform's http backend, with faults. */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { expectSourceError } from "./support/terraform-errors";
import { type ReadTerraformOutputsOptions, readTerraformOutputs } from "../lib/terraform/readTerraformOutputs";
import { type StateServer, startStateServer } from "./support/terraform-state-server";

const localState = fs.readFileSync(path.join(__dirname, "..", "stacks", "local", "terraform", "terraform.tfstate"), "utf8");
const PASSWORD_CANARY = "canary-pw-7f3a9c1e55";
const HEADER_CANARY = "canary-hdr-0b6d2e84aa";
// Fast backoff keeps the suite quick; the bound (retries) is what is under test.
const fast: ReadTerraformOutputsOptions = { retries: 2, retryBaseDelayMs: 5, retryMaxDelayMs: 20, timeoutMs: 2000, env: {} };

describe("Terraform outputs: http backend", () => {
    let server: StateServer;
    let address: string;

    beforeEach(async () => {
        server = await startStateServer();
        server.states.set("/state/local", localState);
        address = `${server.url}/state/local`;
    });
    afterEach(() => server.close());

    it("reads the outputs of the served state with their sensitivity", async () => {
        const outputs = await readTerraformOutputs({ backend: "http", address }, fast);
        assert.equal(outputs.cluster_name.value, "gitops-local");
        assert.deepEqual(outputs.private_subnet_ids.type, ["list", "string"]);
        assert.equal(outputs.grafana_admin_password.sensitive, true);
        assert.equal(outputs.vpc_id.sensitive, false);
    });

    it("retries a 500 and succeeds on the next 200", async () => {
        server.faults.push({ kind: "status", status: 500 });
        const outputs = await readTerraformOutputs({ backend: "http", address }, fast);
        assert.equal(outputs.region.value, "eu-west-1");
        assert.equal(server.requests.filter((r) => r.method === "GET").length, 2);
    });

    it("retries 429 and 503 and a connection reset", async () => {
        server.faults.push({ kind: "status", status: 429, retryAfter: "0" }, { kind: "reset" }, { kind: "status", status: 503 });
        const outputs = await readTerraformOutputs({ backend: "http", address }, { ...fast, retries: 3 });
        assert.equal(outputs.region.value, "eu-west-1");
        assert.equal(server.requests.length, 4);
    });

    it("gives up after the retry bound, saying how often it tried", async () => {
        server.faults.push(...Array.from({ length: 5 }, () => ({ kind: "status" as const, status: 502 })));
        await expectSourceError(readTerraformOutputs({ backend: "http", address }, fast), "unavailable", /502/, /gave up after 3 attempts/, /http backend/);
        assert.equal(server.requests.length, 3);
    });

    it("fails at once on 404, saying which and where", async () => {
        const err = await expectSourceError(
            readTerraformOutputs({ backend: "http", address: `${server.url}/state/missing` }, fast),
            "not-found",
            /404 Not Found/,
            /\/state\/missing/,
        );
        assert.match(err.message, /^http backend http:\/\/127\.0\.0\.1:\d+\/state\/missing: /);
        assert.equal(server.requests.length, 1);
    });

    it("fails at once on 403", async () => {
        server.faults.push({ kind: "status", status: 403 });
        await expectSourceError(readTerraformOutputs({ backend: "http", address }, fast), "forbidden", /403 Forbidden/);
        assert.equal(server.requests.length, 1);
    });

    it("times out a slow answer and retries it", async () => {
        server.faults.push({ kind: "slow", delayMs: 1500 }, { kind: "slow", delayMs: 1500 });
        const started = Date.now();
        await expectSourceError(
            readTerraformOutputs({ backend: "http", address }, { ...fast, retries: 1, timeoutMs: 200 }),
            "unavailable",
            /within 200 ms \(timeout\)/,
            /gave up after 2 attempts/,
        );
        assert.ok(Date.now() - started < 1400, "the timeout must cut the wait short");
    });

    it("recovers when a slow answer is followed by a prompt one", async () => {
        server.faults.push({ kind: "slow", delayMs: 1500 });
        const outputs = await readTerraformOutputs({ backend: "http", address }, { ...fast, timeoutMs: 200 });
        assert.equal(outputs.cluster_name.value, "gitops-local");
    });

    it("treats a body cut off by a closed connection as transient", async () => {
        server.faults.push({ kind: "cut-connection" });
        const outputs = await readTerraformOutputs({ backend: "http", address }, fast);
        assert.equal(outputs.cluster_name.value, "gitops-local");
        server.faults.push({ kind: "cut-connection" }, { kind: "cut-connection" }, { kind: "cut-connection" });
        await expectSourceError(readTerraformOutputs({ backend: "http", address }, fast), "unavailable", /truncated body/);
    });

    it("reports a complete answer holding truncated JSON as a truncated state, without retrying", async () => {
        server.faults.push({ kind: "truncated-json", bytes: 700 });
        await expectSourceError(readTerraformOutputs({ backend: "http", address }, fast), "format", /state is truncated/, /http backend/);
        assert.equal(server.requests.length, 1);
    });

    it("reports an empty answer as no state", async () => {
        server.states.set("/state/empty", "");
        await expectSourceError(readTerraformOutputs({ backend: "http", address: `${server.url}/state/empty` }, fast), "not-found", /empty body/);
    });
});

describe("Terraform outputs: http backend with basic auth", () => {
    let server: StateServer;
    let address: string;

    beforeEach(async () => {
        server = await startStateServer({ basicAuth: { username: "platform", password: PASSWORD_CANARY } });
        server.states.set("/state/local", localState);
        address = `${server.url}/state/local`;
    });
    afterEach(() => server.close());

    it("sends the password from TF_HTTP_PASSWORD and custom headers", async () => {
        const outputs = await readTerraformOutputs(
            { backend: "http", address, username: "platform", headers: { "X-Request-Token": HEADER_CANARY } },
            { ...fast, env: { TF_HTTP_PASSWORD: PASSWORD_CANARY } },
        );
        assert.equal(outputs.cluster_name.value, "gitops-local");
        assert.equal(server.requests[0].headers["x-request-token"], HEADER_CANARY);
    });

    it("takes the password given as a credential before the environment", async () => {
        const outputs = await readTerraformOutputs(
            { backend: "http", address, username: "platform" },
            { ...fast, credentials: { password: Promise.resolve(PASSWORD_CANARY) }, env: { TF_HTTP_PASSWORD: "wrong-password" } },
        );
        assert.equal(outputs.region.value, "eu-west-1");
    });

    it("fails at once on 401 and never shows the password or header values", async () => {
        const err = await expectSourceError(
            readTerraformOutputs(
                { backend: "http", address: `${server.url}/state/local?page=${HEADER_CANARY}`, username: "platform", headers: { "X-Request-Token": HEADER_CANARY } },
                { ...fast, env: { TF_HTTP_PASSWORD: "wrong-password" } },
            ),
            "unauthorized",
            /401 Unauthorized/,
        );
        assert.equal(server.requests.length, 1);
        for (const text of [err.message, err.stack ?? "", JSON.stringify(err)]) {
            assert.ok(!text.includes(PASSWORD_CANARY), "password leaked");
            assert.ok(!text.includes(HEADER_CANARY), "header value leaked");
            assert.ok(!text.includes("wrong-password"), "env password leaked");
        }
    });
});
