/**
 * Reading state files and `terraform output -json` files: Terraform's own fixtures, a real AWS state,
 * the repo's own states, and the outputs-only reader on odd layouts, chunk boundaries and bad files.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TerraformSourceError } from "../lib/terraform/errors";
import { expectSourceError } from "./support/terraform-errors";
import type { TerraformOutputSet } from "../lib/terraform/outputSet";
import { readTerraformOutputs } from "../lib/terraform/readTerraformOutputs";
import { requireOutputs } from "../lib/terraform/requireOutputs";
import { stateFromText } from "../lib/terraform/state";
import { readStateHead } from "../lib/terraform/stateHeadReader";
import { parseTypeConstraint } from "../lib/terraform/types";
import { REQUIRED_TERRAFORM_OUTPUTS } from "../stacks/foundationOutputs";

const repo = path.join(__dirname, "..");
const referenceDir = path.join(repo, "..", "shared", "reference", "terraform-state");
const fixtures = path.join(__dirname, "fixtures", "terraform");
const ownStates = path.join(fixtures, "states");

/** What the outputs must be, computed independently: a full JSON.parse of the file. */
function outputsByFullParse(file: string): TerraformOutputSet {
    const doc = JSON.parse(fs.readFileSync(file, "utf8")) as { outputs?: Record<string, { value: unknown; type?: unknown; sensitive?: boolean }> };
    return Object.fromEntries(
        Object.entries(doc.outputs ?? {}).map(([name, o]) => [name, { value: o.value, sensitive: o.sensitive ?? false, type: o.type ?? "dynamic" }]),
    ) as TerraformOutputSet;
}

async function readLocal(file: string): Promise<TerraformOutputSet> {
    return readTerraformOutputs({ backend: "local", path: file });
}

async function expectError(promise: Promise<unknown>, kind: string, ...patterns: RegExp[]): Promise<string> {
    return (await expectSourceError(promise, kind, ...patterns)).message;
}

describe("Terraform outputs: state files", () => {
    const referenceFiles = fs.readdirSync(referenceDir).filter((f) => f.endsWith(".tfstate"));

    it("has the reference fixtures to test against", () => {
        assert.ok(referenceFiles.length >= 11, `found only ${referenceFiles.join(", ")}`);
    });

    for (const file of referenceFiles) {
        const full = path.join(referenceDir, file);
        const version = (JSON.parse(fs.readFileSync(full, "utf8")) as { version: number }).version;
        if (version === 4) {
            it(`reads ${file} like a full parse does, as a local file and as fetched text`, async () => {
                const expected = outputsByFullParse(full);
                assert.deepEqual(await readLocal(full), expected);
                assert.deepEqual(stateFromText(fs.readFileSync(full, "utf8"), "text").outputs, expected);
                for (const chunkSize of [1, 3, 17, 4096]) {
                    const { header } = await readStateHead(full, "x", { chunkSize });
                    assert.deepEqual(header.outputs ?? {}, JSON.parse(fs.readFileSync(full, "utf8")).outputs ?? {}, `chunk size ${chunkSize}`);
                }
            });
        } else {
            it(`rejects ${file} (state version ${version}) naming the version and the upgrade`, async () => {
                await expectError(readLocal(full), "format", new RegExp(`version ${version}`), /Terraform 0\.12 and later/, /terraform apply -refresh-only/, new RegExp(file));
            });
        }
    }

    it("keeps null outputs as null, not missing (tf-null_outputs)", async () => {
        const outputs = await readLocal(path.join(referenceDir, "tf-null_outputs.tfstate"));
        assert.deepEqual(Object.keys(outputs), ["map", "list"]);
        assert.equal(outputs.map.value, null);
        assert.deepEqual(outputs.list.type, ["list", "string"]);
    });

    it("reads a state without outputs as having none (tf-empty)", async () => {
        assert.deepEqual(await readLocal(path.join(referenceDir, "tf-empty.tfstate")), {});
    });

    it("keeps the tuple type of the real AWS state (pulumi-tf-0-12-24)", async () => {
        const outputs = await readLocal(path.join(referenceDir, "pulumi-tf-0-12-24.tfstate"));
        assert.deepEqual(outputs.public_subnet_ids.type, ["tuple", ["string", "string", "string"]]);
        assert.equal(outputs.vpc_id.value, "vpc-0d9ff66ccda7c9765");
        assert.equal(outputs.vpc_id.sensitive, false);
    });

    it("keeps sensitivity, nulls, numbers, booleans, tuples and nested objects (own fixture)", async () => {
        const file = path.join(ownStates, "typed-outputs.tfstate");
        const outputs = await readLocal(file);
        assert.deepEqual(outputs, outputsByFullParse(file));
        assert.equal(outputs.db_password.sensitive, true);
        assert.equal(outputs.db_connection.sensitive, true);
        assert.deepEqual(outputs.db_connection.value, {
            host: "db.internal.example.com",
            port: 5432,
            tls: true,
            replicas: ["db-1.internal.example.com", "db-2.internal.example.com"],
        });
        assert.equal(outputs.nothing.value, null);
        assert.equal(outputs.replica_count.value, 3.5);
        assert.deepEqual(outputs.endpoint_tuple.value, ["api.example.com", 443, false]);
        assert.equal((outputs.node_groups.value as Record<string, { scaling: { max: number } }>).workloads.scaling.max, 12);
        assert.equal(outputs.unicode_note.value, 'Zürich — "quoted" \\ back\\slash {not json}');
        assert.equal(outputs.node_groups.sensitive, false);
    });

    it("reads the local stack's state, produced by terraform apply of stacks/local/terraform", async () => {
        const outputs = await readLocal(path.join(repo, "stacks", "local", "terraform", "terraform.tfstate"));
        const required = requireOutputs(outputs, LOCAL_STACK_SPEC);
        assert.equal(required.cluster_name.value, "gitops-local");
        assert.equal(required.private_subnet_ids.value.length, 3);
        assert.equal(required.grafana_admin_password.sensitive, true);
        assert.equal(required.argocd_admin_password.sensitive, true);
        assert.equal(required.cluster_endpoint.sensitive, false);
    });

    it("finds outputs written after the resources, without being fooled by strings that look like keys", async () => {
        const outputs = await readLocal(path.join(ownStates, "outputs-after-resources.tfstate"));
        assert.deepEqual(outputs, { late: { value: ["still", "found"], sensitive: false, type: ["list", "string"] } });
    });

    it("stops reading after the outputs of a large state", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tf-head-"));
        const file = path.join(dir, "big.tfstate");
        const resource = JSON.stringify({ mode: "managed", type: "terraform_data", name: "x", instances: [{ attributes: { id: "y".repeat(1000) } }] });
        const resources = Array.from({ length: 5000 }, () => resource).join(",");
        fs.writeFileSync(file, `{"version":4,"terraform_version":"1.5.7","serial":1,"lineage":"l","outputs":{"a":{"value":1,"type":"number"}},"resources":[${resources}]}\n`);
        try {
            const head = await readStateHead(file, "big");
            assert.ok(head.fileSize > 5_000_000);
            assert.equal(head.bytesRead, 65536, "only the first chunk should be read");
            assert.deepEqual((await readLocal(file)).a.value, 1);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("reports a file cut off inside the outputs as truncated, naming the file", async () => {
        const file = path.join(ownStates, "truncated-in-outputs.tfstate");
        await expectError(readLocal(file), "format", /truncated/, /inside the value of the top-level key "outputs"/, /truncated-in-outputs\.tfstate/);
    });

    it("reports a file cut off inside the resources as truncated, though the resources are not parsed", async () => {
        await expectError(readLocal(path.join(ownStates, "truncated-in-resources.tfstate")), "format", /truncated/, /closing `}`/);
    });

    it("names a newer state version and what to do", async () => {
        await expectError(readLocal(path.join(ownStates, "version-5.tfstate")), "format", /version 5 is newer/, /version 4/);
    });

    it("never quotes the text around a JSON error: it may be a sensitive output (found by the property tests)", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tf-json-quote-"));
        try {
            const file = path.join(dir, "broken.tfstate");
            // V8 would write `Unexpected token 'x', ..."password":x"hunter2-canary"... is not valid JSON`.
            fs.writeFileSync(file, '{"version":4,"outputs":{"db":{"sensitive":true,"value":{"password":x"hunter2-canary"}}}}');
            const whole = await expectError(readLocal(file), "format", /broken\.tfstate/, /Unexpected token 'x'/);
            assert.ok(!whole.includes("hunter2"), whole);
            assert.throws(() => stateFromText(fs.readFileSync(file, "utf8"), "http backend x"), (e: Error) => /not valid JSON/.test(e.message) && !e.message.includes("hunter2"));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("reports a file that is not JSON, naming it", async () => {
        await expectError(readLocal(path.join(ownStates, "not-json.tfstate")), "format", /not-json\.tfstate/, /not valid JSON|not a JSON object/);
    });

    it("lists every malformed field of a v4 state in one error", async () => {
        const message = await expectError(readLocal(path.join(ownStates, "bad-outputs.tfstate")), "format");
        for (const keyPath of ["serial", "outputs.no_value.value", "outputs.bad_type.type", "outputs.bad_sensitive.sensitive"]) {
            assert.ok(message.includes(`- ${keyPath}:`), `${keyPath} missing from:\n${message}`);
        }
    });

    it("reports missing, empty and directory paths", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tf-bad-"));
        try {
            fs.writeFileSync(path.join(dir, "empty.tfstate"), "");
            await expectError(readLocal(path.join(dir, "nope.tfstate")), "not-found", /does not exist/, /nope\.tfstate/);
            await expectError(readLocal(path.join(dir, "empty.tfstate")), "format", /empty/);
            await expectError(readLocal(dir), "bad-input", /directory/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

/**
 * What the program requires of every stack's foundation, with the role map spelled out, plus the
 * sensitive outputs the local configuration exports: the fixtures must keep providing all of it.
 */
const LOCAL_STACK_SPEC = {
    ...REQUIRED_TERRAFORM_OUTPUTS,
    addon_role_arns: "object({external-secrets=string, argocd-repo-server=string, cert-manager=string})",
    argocd_admin_password: "string",
    grafana_admin_password: "string",
} as const;

describe("Terraform outputs: terraform output -json files", () => {
    for (const env of ["dev", "staging", "prod"]) {
        it(`reads ${env}.outputs.json with every output the stacks need`, async () => {
            const file = path.join(fixtures, `${env}.outputs.json`);
            const outputs = await readTerraformOutputs({ backend: "json", path: file }, { required: LOCAL_STACK_SPEC });
            assert.equal(outputs.cluster_name.value, `gitops-${env}`);
            assert.equal(outputs.grafana_admin_password.sensitive, true);
            assert.equal(outputs.vpc_id.sensitive, false);
            assert.doesNotMatch(fs.readFileSync(file, "utf8"), /AKIA[0-9A-Z]{16}/);
        });
    }

    it("points to the local backend when given a state file", async () => {
        await expectError(
            readTerraformOutputs({ backend: "json", path: path.join(referenceDir, "tf-basic.tfstate") }),
            "format",
            /state file, not `terraform output -json`/,
            /--backend local/,
        );
    });

    it("lists every malformed output of a json file", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tf-json-"));
        const file = path.join(dir, "outputs.json");
        fs.writeFileSync(file, JSON.stringify({ a: { sensitive: false, type: "string" }, b: "plain", c: { value: 1, type: ["nope"], sensitive: false } }));
        try {
            const message = await expectError(readTerraformOutputs({ backend: "json", path: file }), "format", /outputs\.json/);
            for (const keyPath of ["a.value", "b", "c.type"]) assert.ok(message.includes(`- ${keyPath}:`), `${keyPath} missing from:\n${message}`);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("Terraform outputs: required outputs", () => {
    let outputs: TerraformOutputSet;
    before(async () => {
        outputs = await readLocal(path.join(ownStates, "typed-outputs.tfstate"));
    });

    it("accepts conforming outputs the way Terraform converts them, and types the result", () => {
        const required = requireOutputs(outputs, {
            db_password: "string",
            endpoint_tuple: "tuple([string, number, bool])",
            replica_count: "number",
            node_groups: "map(object({instance_types=list(string), scaling=object({min=number, max=number}), labels=map(string)}))",
            db_connection: "object({host=string, port=number, tls=bool, replicas=set(string), ca=optional(string)})",
            nothing: "optional(string)",
            absent: "optional(list(string))",
        });
        const port: unknown = required.db_connection.value;
        assert.ok(port);
        const n: number = required.replica_count.value;
        assert.equal(n, 3.5);
        const pw: string = required.db_password.value;
        assert.equal(pw, "fixture-only-not-a-secret");
    });

    it("accepts a tuple of strings as list(string), as Terraform does", async () => {
        const aws = await readLocal(path.join(referenceDir, "pulumi-tf-0-12-24.tfstate"));
        const required = requireOutputs(aws, { public_subnet_ids: "list(string)" });
        assert.equal(required.public_subnet_ids.value[0], "subnet-023a5a6867d194162");
    });

    it("lists every missing, null and mistyped output in ONE error naming the source", () => {
        try {
            requireOutputs(
                outputs,
                {
                    cluster_endpoint: "string",
                    db_password: "list(string)",
                    nothing: "string",
                    node_groups: "map(object({scaling=object({min=string})}))",
                    endpoint_tuple: "tuple([string, number])",
                    replica_count: "number",
                },
                "local state \"x.tfstate\"",
            );
        } catch (err) {
            assert.ok(err instanceof TerraformSourceError);
            assert.equal(err.kind, "outputs");
            const lines = [
                "6 problems",
                'local state "x.tfstate": ',
                "- cluster_endpoint: missing, expected string",
                "- db_password: expected list(string), found string",
                "- nothing: is null, expected string (declared type string)",
                "- node_groups.system.scaling.min: expected string, found number",
                "- node_groups.workloads.scaling.min: expected string, found number",
                "- endpoint_tuple: expected tuple([string, number]) (2 elements), found 3",
                "outputs present: db_password, db_connection, nothing, node_groups, endpoint_tuple, replica_count, unicode_note",
            ];
            for (const line of lines) assert.ok(err.message.includes(line), `"${line}" missing from:\n${err.message}`);
            assert.ok(!err.message.includes("fixture-only-not-a-secret"), "a sensitive value leaked into the error");
            return;
        }
        assert.fail("expected requireOutputs to throw");
    });

    it("rejects a malformed type constraint, naming it", () => {
        assert.throws(() => parseTypeConstraint("list(string"), /invalid type constraint "list\(string"/);
        assert.throws(() => parseTypeConstraint("map(strin)"), /expected a type/);
        assert.throws(() => parseTypeConstraint("list(optional(string))"), /optional/);
    });
});

describe("Terraform outputs: source settings", () => {
    it("lists every bad setting in one error", async () => {
        try {
            await readTerraformOutputs({ backend: "s3", bucket: "", key: "k", endpoint: "ftp://x" } as never);
        } catch (err) {
            assert.ok(err instanceof TerraformSourceError);
            for (const keyPath of ["bucket", "region", "endpoint"]) assert.match(err.message, new RegExp(`- ${keyPath}:`));
            return;
        }
        assert.fail("expected an error");
    });
});
