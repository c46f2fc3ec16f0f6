/**
 * The remote source (HCP Terraform / Terraform Enterprise) through the CLI, against a local HTTPS
 * server that answers the documented API v2 requests. The CLI runs as a child process so that it can
 * trust the test certificate (NODE_EXTRA_CA_CERTS) exactly as a user's node would.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { tokenEnvVar } from "../lib/terraform/credentials";
import { type FakeHcp, startFakeHcp } from "./support/terraform-hcp-server";
import { runTfOutputs } from "./support/terraform-outputs-cli";

const TOKEN_CANARY = "canary-hcp-token.atlasv1.3c9e27b4d1";
const localState = fs.readFileSync(path.join(__dirname, "..", "stacks", "local", "terraform", "terraform.tfstate"), "utf8");

describe("Terraform outputs: remote backend (HCP Terraform API v2)", function () {
    this.timeout(60_000);
    let hcp: FakeHcp;
    let env: NodeJS.ProcessEnv;

    before(async () => {
        hcp = await startFakeHcp(TOKEN_CANARY, [
            { organization: "acme", name: "platform-local", id: "ws-Local123", state: localState },
            { organization: "acme", name: "fresh", id: "ws-Fresh456" },
        ]);
        env = { NODE_EXTRA_CA_CERTS: hcp.caFile, [tokenEnvVar(hcp.hostname)]: TOKEN_CANARY };
    });
    after(() => hcp.close());
    beforeEach(() => {
        hcp.requests.length = 0;
        hcp.faults.length = 0;
    });

    const args = (workspace: string) => ["--backend", "remote", "--hostname", hcp.hostname, "--organization", "acme", "--workspace", workspace, "--retries", "2"];

    it("names the token variable as Terraform does", () => {
        assert.equal(tokenEnvVar("app.terraform.io"), "TF_TOKEN_app_terraform_io");
        assert.equal(tokenEnvVar("tfe.my-company.example:8443"), "TF_TOKEN_tfe_my__company_example");
    });

    it("looks the workspace up, fetches the current state version and downloads the state", async () => {
        const result = await runTfOutputs(args("platform-local"), env);
        assert.equal(result.code, 0, result.stderr);
        const values = JSON.parse(result.stdout);
        assert.equal(values.cluster_name, "gitops-local");
        assert.equal(values.grafana_admin_password, "[secret]");
        assert.deepEqual(
            hcp.requests.map((r) => r.path),
            ["/api/v2/organizations/acme/workspaces/platform-local", "/api/v2/workspaces/ws-Local123/current-state-version", "/_archivist/v1/object/ws-Local123"],
        );
        for (const request of hcp.requests.slice(0, 2)) {
            assert.equal(request.authorization, `Bearer ${TOKEN_CANARY}`);
            assert.equal(request.accept, "application/vnd.api+json");
        }
    });

    it("retries a 503 from the API", async () => {
        hcp.faults.push(503);
        const result = await runTfOutputs([...args("platform-local"), "--show-sensitive"], env);
        assert.equal(result.code, 0, result.stderr);
        assert.match(JSON.parse(result.stdout).grafana_admin_password, /^local-[0-9a-f]{24}$/);
        assert.equal(hcp.requests.length, 4);
    });

    it("fails with exit 2 on an unknown workspace, saying 404 and where", async () => {
        const result = await runTfOutputs(args("nope"), env);
        assert.equal(result.code, 2);
        assert.match(result.stderr, /remote backend localhost:\d+, organization acme, workspace nope: 404 Not Found at https:\/\/localhost:\d+\/api\/v2\/organizations\/acme\/workspaces\/nope/);
        assert.equal(hcp.requests.length, 1);
    });

    it("fails on a workspace without state", async () => {
        const result = await runTfOutputs(args("fresh"), env);
        assert.equal(result.code, 2);
        assert.match(result.stderr, /404 Not Found .*current-state-version: workspace ws-Fresh456 has no state version yet/);
    });

    it("fails at once on 401 without showing the token", async () => {
        const wrong = `${TOKEN_CANARY}-revoked`;
        const result = await runTfOutputs(args("platform-local"), { ...env, [tokenEnvVar(hcp.hostname)]: wrong });
        assert.equal(result.code, 2);
        assert.match(result.stderr, /401 Unauthorized/);
        assert.equal(hcp.requests.length, 1);
        assert.ok(!result.stderr.includes(TOKEN_CANARY) && !result.stdout.includes(TOKEN_CANARY), "token leaked");
    });

    it("names the token variable when there is no token", async () => {
        const result = await runTfOutputs(args("platform-local"), { NODE_EXTRA_CA_CERTS: hcp.caFile, [tokenEnvVar(hcp.hostname)]: "" });
        assert.equal(result.code, 2);
        assert.match(result.stderr, /no API token for localhost:\d+: .*TF_TOKEN_localhost/);
        assert.equal(hcp.requests.length, 0);
    });
});
