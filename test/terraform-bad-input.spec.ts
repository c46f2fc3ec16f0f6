/**
 * Terraform bad input, second round (issue 22): what an attacker or a slip of the keyboard gives the
 * reader, refused at its root with the key path and never a credential or a stack overflow. Unit
 * level; the same cases through the CLIs are in terraform-cli.spec.ts and plan-bad-input.spec.ts.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { clusterEndpointProblem, readTerraformOutputs, requireOutputs, TerraformSourceSchema } from "../lib/terraform";
import { MAX_NESTING_DEPTH, tooDeepPath } from "../lib/terraform/depth";
import { ConfigTerraformSourceSchema } from "../lib/terraform/source";
import { stateFromText } from "../lib/terraform/state";
import { formatKeyPath, formatZodIssues } from "../lib/zodIssues";
import { parsePlatform } from "../stacks/load";
import { expectSourceError } from "./support/terraform-errors";
import { type StateServer, startStateServer } from "./support/terraform-state-server";

const CANARY = "Cnry7pw3xQ9";
const fast = { retries: 0, timeoutMs: 5000 };
const localState = fs.readFileSync(path.join(__dirname, "..", "stacks", "local", "terraform", "terraform.tfstate"), "utf8");
const devPlatform = () => JSON.parse(JSON.stringify(YAML.parse(fs.readFileSync(path.join(__dirname, "..", "stacks", "Pulumi.dev.yaml"), "utf8")).config["gitops-platform:platform"]));

/** A value nested `depth` objects deep, and its cty type, as text (JSON.stringify would overflow at 10,000). */
function nested(depth: number): { value: string; type: string } {
    return { value: '{"a":'.repeat(depth) + '"leaf"' + "}".repeat(depth), type: '["object",{"a":'.repeat(depth) + '"string"' + "}]".repeat(depth) };
}

describe("Terraform bad input: sources are strict and hold no credential", () => {
    it("refuses an unknown key in every source kind, naming it", () => {
        const sources = [
            { backend: "local", path: "x.tfstate", workspace: "prod" },
            { backend: "json", path: "x.json", pth: "y" },
            { backend: "http", address: "https://tf.example.com/state", usernme: "u" },
            { backend: "s3", bucket: "b", key: "k", region: "eu-west-1", workspce: "prod" },
            { backend: "remote", organization: "o", workspace: "w", workspace_name: "x" },
        ];
        for (const source of sources) {
            const parsed = TerraformSourceSchema.safeParse(source);
            assert.ok(!parsed.success, `${source.backend} accepted an unknown key`);
            const unknown = Object.keys(source).pop()!;
            assert.deepEqual(formatZodIssues(parsed.error.issues, ["source"]), [`source.${unknown}: unknown key`]);
        }
    });

    it("refuses user info in an http address or S3 endpoint, naming the key and never the credential", () => {
        const cases = [
            { backend: "http", address: `https://platform:${CANARY}@tf.example.com/state` },
            { backend: "http", address: `https://${CANARY}@tf.example.com/state` },
            { backend: "s3", bucket: "b", key: "k", region: "eu-west-1", endpoint: `https://minio:${CANARY}@minio.example.com:9000` },
        ];
        for (const source of cases) {
            const parsed = TerraformSourceSchema.safeParse(source);
            assert.ok(!parsed.success);
            const lines = formatZodIssues(parsed.error.issues, ["platform", "terraform", "source"]);
            assert.equal(lines.length, 1, lines.join("\n"));
            assert.match(lines[0], /^platform\.terraform\.source\.(address|endpoint): the (address|endpoint) carries user info/);
            assert.ok(!lines[0].includes(CANARY), "the credential was echoed");
        }
    });

    it("refuses a credential in an address's query, odd schemes and characters URL parsers read differently", () => {
        const refused = [
            `https://tf.example.com/state?token=${CANARY}`,
            `https://tf.example.com/state?X-Amz-Signature=${CANARY}`,
            `https://tf.example.com/state?q=AKIA${"Q7X3Q7X3Q7X3Q7X3"}`,
            "ftp://tf.example.com/state",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "https://tf.example.com\\@evil.example.com/state",
            "https://tf.example.com/st\tate",
            "not a url",
        ];
        for (const address of refused) {
            const parsed = TerraformSourceSchema.safeParse({ backend: "http", address });
            assert.ok(!parsed.success, `accepted ${JSON.stringify(address)}`);
            assert.ok(!formatZodIssues(parsed.error.issues).join("\n").includes(CANARY));
        }
        assert.ok(TerraformSourceSchema.safeParse({ backend: "http", address: "https://tf.example.com/state/platform?page=2" }).success);
    });

    it("in stack config, refuses http headers that carry a credential, naming the header and never its value", () => {
        for (const headers of [{ Authorization: `Bearer ${CANARY}` }, { "X-Api-Key": CANARY }, { "X-Trace": `AKIA${"Q7X3Q7X3Q7X3Q7X3"}` }]) {
            const source = { backend: "http", address: "https://tf.example.com/state", headers };
            assert.ok(TerraformSourceSchema.safeParse(source).success, "the library (and its CLI) may send such a header");
            const parsed = ConfigTerraformSourceSchema.safeParse(source);
            assert.ok(!parsed.success);
            const [line] = formatZodIssues(parsed.error.issues, ["platform", "terraform", "source"]);
            assert.match(line, /^platform\.terraform\.source\.headers(\.|\[")[\w-]+("\])?: carries a credential/);
            assert.ok(!line.includes(CANARY) && !line.includes("AKIA"));
        }
        assert.ok(!TerraformSourceSchema.safeParse({ backend: "http", address: "https://x.example.com/s", headers: { "X-A": "a\r\nInjected: 1" } }).success, "a header value with a line break");
    });
});

describe("Terraform bad input: credentials and the network", () => {
    let server: StateServer;
    beforeEach(async () => {
        server = await startStateServer();
        server.states.set("/state/local", localState);
    });
    afterEach(() => server.close());

    it("refuses basic auth over plain http to a host that is not this machine", async () => {
        const err = await expectSourceError(
            readTerraformOutputs({ backend: "http", address: "http://tf.example.invalid/state", username: "platform" }, { ...fast, env: { TF_HTTP_PASSWORD: CANARY } }),
            "bad-input",
            /plain http:\/\/ and the request carries basic auth/,
        );
        assert.ok(!err.message.includes(CANARY));
    });

    it("sends no header to another origin a state server redirects to", async () => {
        const seen: http.IncomingHttpHeaders[] = [];
        const other = http.createServer((req, res) => {
            seen.push(req.headers);
            res.end(localState);
        });
        await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
        try {
            const port = (other.address() as AddressInfo).port;
            // localhost and 127.0.0.1 are different origins: the redirect leaves the origin the headers were meant for.
            const redirecting = http.createServer((_req, res) => {
                res.writeHead(302, { location: `http://localhost:${port}/state` });
                res.end();
            });
            await new Promise<void>((resolve) => redirecting.listen(0, "127.0.0.1", resolve));
            try {
                const address = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/state`;
                const outputs = await readTerraformOutputs({ backend: "http", address, username: "platform", headers: { "X-Request-Token": CANARY } }, { ...fast, env: { TF_HTTP_PASSWORD: CANARY } });
                assert.equal(outputs.region.value, "eu-west-1");
                assert.equal(seen.length, 1);
                assert.equal(seen[0].authorization, undefined, "basic auth followed the redirect");
                assert.equal(seen[0]["x-request-token"], undefined, "a header followed the redirect");
            } finally {
                redirecting.close();
            }
        } finally {
            other.close();
        }
    });
});

describe("Terraform bad input: cluster endpoints", () => {
    it("accepts an https base URL and refuses plain http, user info, queries, odd schemes and characters", () => {
        assert.equal(clusterEndpointProblem("https://ABCDEF0123.gr7.eu-west-1.eks.amazonaws.com"), undefined);
        assert.equal(clusterEndpointProblem("https://rancher.example.com/k8s/clusters/c-m-abc"), undefined);
        const refused: [string, RegExp][] = [
            ["http://ABCDEF0123.gr7.eu-west-1.eks.amazonaws.com", /not https:\/\/ \(http:\)/],
            [`https://admin:${CANARY}@k8s.example.com`, /carries user info/],
            [`https://${CANARY}@k8s.example.com`, /carries user info/],
            [`https://k8s.example.com/?token=${CANARY}`, /query or fragment/],
            ["ftp://k8s.example.com", /not https/],
            ["k8s.example.com:443", /not https|not a URL/],
            ["https://k8s.example.com\u202e", /invisible/],
            ["https://k8s.example.com\\@evil.example.com", /backslash/],
            ["", /not a URL/],
        ];
        for (const [endpoint, problem] of refused) {
            const found = clusterEndpointProblem(endpoint);
            assert.ok(found, `accepted ${JSON.stringify(endpoint)}`);
            assert.match(found, problem);
            assert.ok(!found.includes(CANARY));
        }
    });
});

describe("Terraform bad input: deeply nested outputs", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "tf-deep-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    for (const depth of [10_000, MAX_NESTING_DEPTH + 1]) {
        it(`refuses an output nested ${depth} levels, naming it, in a terraform output -json file, a local state and a served state`, async () => {
            const { value, type } = nested(depth);
            const outputs = `{"ok":{"sensitive":false,"type":"string","value":"x"},"deep_thing":{"sensitive":false,"type":${type},"value":${value}}}`;
            const json = path.join(dir, `deep-${depth}.json`);
            fs.writeFileSync(json, outputs);
            const state = path.join(dir, `deep-${depth}.tfstate`);
            const stateText = `{"version":4,"terraform_version":"1.9.0","serial":1,"lineage":"l","outputs":${outputs},"resources":[]}`;
            fs.writeFileSync(state, stateText);
            await expectSourceError(readTerraformOutputs({ backend: "json", path: json }), "format", /output deep_thing: its value nests objects and lists more than 64 levels deep/);
            await expectSourceError(readTerraformOutputs({ backend: "local", path: state }), "format", /outputs\.deep_thing: its value nests objects and lists more than 64 levels deep/);
            assert.throws(() => stateFromText(stateText, "http backend x"), /outputs\.deep_thing: its value nests/);
            // A deep type alone, over a flat value.
            fs.writeFileSync(json, `{"deep_type":{"sensitive":false,"type":${type},"value":"x"}}`);
            await expectSourceError(readTerraformOutputs({ backend: "json", path: json }), "format", /output deep_type: its type nests more than 64 levels/);
        });
    }

    it(`reads an output nested ${MAX_NESTING_DEPTH} levels and type-checks it`, async () => {
        const { value, type } = nested(MAX_NESTING_DEPTH);
        const json = path.join(dir, "deep-ok.json");
        fs.writeFileSync(json, `{"deep":{"sensitive":true,"type":${type},"value":${value}}}`);
        const outputs = await readTerraformOutputs({ backend: "json", path: json });
        assert.throws(() => requireOutputs(outputs, { deep: "string" }, "src"), /deep: expected string, found an object\/map/);
    });

    it("measures depth without recursion", () => {
        let value: unknown = 1;
        for (let i = 0; i < 200_000; i++) value = [value];
        assert.equal(tooDeepPath(value)?.length, MAX_NESTING_DEPTH);
        assert.equal(tooDeepPath({ a: [{ b: 1 }] }), undefined);
    });
});

describe("Terraform bad input: key paths in type errors", () => {
    const token = "ghp_" + "Zq3canary0TOKEN0value0for0tests0x1Y2";
    it("describes a key shaped like a credential, escapes invisible characters, hides every key of a sensitive output", () => {
        const set = {
            roles: { value: { [token]: 1, "a\u202eb": 2, "cert-manager": 3 }, sensitive: false, type: "dynamic" as const },
            users: { value: { alice: 1 }, sensitive: true, type: "dynamic" as const },
        };
        const err = (() => {
            try {
                requireOutputs(set, { roles: "map(string)", users: "map(string)" }, "src");
            } catch (e) {
                return e as Error;
            }
            assert.fail("accepted");
        })();
        assert.ok(!err.message.includes(token) && !err.message.includes("\u202e") && !err.message.includes("alice"), err.message);
        assert.match(err.message, /roles\[\(a key of 40 characters shaped like a credential, not shown\)\]: expected string/);
        assert.match(err.message, /roles\["a\\u202eb"\]: expected string/);
        assert.match(err.message, /roles\["cert-manager"\]: expected string/);
        assert.match(err.message, /users\[\(a key of a sensitive output, not shown\)\]: expected string/);
    });

    it("does not find an object attribute on Object.prototype", () => {
        assert.throws(() => requireOutputs({ o: { value: {}, sensitive: false, type: "dynamic" } }, { o: "object({constructor = string})" }, "src"), /o\.constructor: missing/);
    });
});

describe("Config bad input: key paths are written once, exactly, and never show a credential", () => {
    const problems = (platform: unknown) => parsePlatform(JSON.stringify(platform)).problems;

    it("names a union's discriminator once", () => {
        const base = devPlatform();
        const cases: [Record<string, unknown>, string][] = [
            [{ ...base, cluster: { mode: "nope" } }, "platform.cluster.mode"],
            [{ ...base, terraform: { source: { backend: "ftp" } } }, "platform.terraform.source.backend"],
            [{ ...base, fleet: [{ from: "nope" }] }, "platform.fleet[0].from"],
        ];
        for (const [platform, at] of cases) assert.deepEqual(problems(platform).map((p) => p.path), [at]);
    });

    it("describes a key shaped like a credential, under platform or deeper", () => {
        const token = "ghp_" + "Zq3canary0TOKEN0value0for0tests0x1Y2";
        const base = devPlatform();
        for (const [platform, at] of [
            [{ ...base, [token]: 1 }, "platform[(a key of 40 characters shaped like a credential, not shown)]"],
            [{ ...base, argocd: { ...base.argocd, [token]: 1 } }, "platform.argocd[(a key of 40 characters shaped like a credential, not shown)]"],
            [{ ...base, terraform: { source: { ...base.terraform.source, [token]: 1 } } }, "platform.terraform.source[(a key of 40 characters shaped like a credential, not shown)]"],
        ] as const) {
            const found = problems(platform);
            assert.deepEqual(found.map((p) => p.path), [at]);
            assert.match(found[0].message, /looks like a credential/);
            assert.ok(!JSON.stringify(found).includes("canary"));
        }
    });

    it("escapes a key with a line break or a bidi override, so it cannot forge a line of the message", () => {
        const base = devPlatform();
        const [problem] = problems({ ...base, "x\n  platform.audit.owner: fine\u202e": 1 });
        assert.equal(problem.path, 'platform["x\\n  platform.audit.owner: fine\\u202e"]');
        assert.equal(formatKeyPath(["a", "b.c", 0, "d"]), 'a["b.c"][0].d');
    });
});
