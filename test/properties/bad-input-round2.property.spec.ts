/**
 * Properties of issue 22's second round of bad input, one per class: Terraform sources refuse every
 * unknown key and every credential in a URL; a cluster endpoint is accepted only as a plain https base
 * URL; an output is read or refused by its depth, never with a stack overflow; a key path prints no
 * credential-shaped key and no invisible character, and names each problem's path once.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as fc from "fast-check";
import { formatPath } from "gitops-platform-policies/shared";
import { clusterEndpointProblem, readTerraformOutputs, TerraformSourceError, TerraformSourceSchema } from "../../lib/terraform";
import { MAX_NESTING_DEPTH } from "../../lib/terraform/depth";
import { formatKeyPath, formatZodIssues, looksLikeCredential } from "../../lib/zodIssues";
import { check } from "./property";

const VALID_SOURCES = [
    { backend: "local", path: "x.tfstate" },
    { backend: "json", path: "x.json" },
    { backend: "http", address: "https://tf.example.com/state", username: "u" },
    { backend: "s3", bucket: "b", key: "k", region: "eu-west-1", workspace: "w", endpoint: "https://minio.example.com" },
    { backend: "remote", organization: "o", workspace: "w" },
];
const FIELDS = new Set(["backend", "path", "address", "username", "headers", "bucket", "key", "region", "workspace", "workspaceKeyPrefix", "endpoint", "forcePathStyle", "hostname", "organization"]);
const host = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,10}){1,3}$/);
const secret = fc.stringMatching(/^[A-Za-z0-9]{8,24}$/).map((s) => `Cnry${s}`);
const token = fc.stringMatching(/^[A-Za-z0-9]{36}$/).map((s) => `ghp_${s}`);

describe("property: issue 22's bad input, class by class", function () {
    this.timeout(120_000);

    it("a Terraform source with any unknown key is refused naming exactly that key", async () => {
        await check(
            fc.property(fc.constantFrom(...VALID_SOURCES), fc.string({ minLength: 1, maxLength: 30 }).filter((k) => !FIELDS.has(k) && k !== "__proto__"), fc.jsonValue(), (source, key, value) => {
                assert.ok(TerraformSourceSchema.safeParse(source).success);
                const parsed = TerraformSourceSchema.safeParse({ ...source, [key]: value });
                assert.ok(!parsed.success, `accepted ${JSON.stringify(key)}`);
                assert.deepStrictEqual(formatZodIssues(parsed.error.issues, ["source"]), [`${formatKeyPath(["source", key])}: unknown key`]);
            }),
            300,
        );
    });

    it("a backend URL with user info or a credential in its query is refused, and the credential never printed", async () => {
        await check(
            fc.property(host, secret, fc.constantFrom("userinfo", "password-only", "query", "endpoint"), (h, s, where) => {
                const source =
                    where === "endpoint"
                        ? { backend: "s3", bucket: "b", key: "k", region: "eu-west-1", endpoint: `https://key:${s}@${h}` }
                        : { backend: "http", address: where === "userinfo" ? `https://u:${s}@${h}/s` : where === "password-only" ? `https://${s}@${h}/s` : `https://${h}/s?token=${s}` };
                const parsed = TerraformSourceSchema.safeParse(source);
                assert.ok(!parsed.success);
                assert.ok(!formatZodIssues(parsed.error.issues).join("\n").includes(s));
            }),
            300,
        );
    });

    it("a cluster endpoint is accepted exactly when it is an https base URL without user info", async () => {
        await check(
            fc.property(
                fc.constantFrom("https", "http", "ftp", "wss", "HTTPS"),
                fc.option(secret, { nil: undefined }),
                host,
                fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
                fc.constantFrom("", "/", "/k8s/clusters/c-1", "?token=x", "#f"),
                (scheme, user, h, port, tail) => {
                    const endpoint = `${scheme}://${user ? `${user}@` : ""}${h}${port ? `:${port}` : ""}${tail}`;
                    const problem = clusterEndpointProblem(endpoint);
                    const fine = scheme.toLowerCase() === "https" && !user && !tail.startsWith("?") && !tail.startsWith("#");
                    assert.strictEqual(problem === undefined, fine, `${endpoint}: ${problem}`);
                    if (problem && user) assert.ok(!problem.includes(user));
                },
            ),
            500,
        );
    });

    it(`an output is read when it nests at most ${MAX_NESTING_DEPTH} levels and refused by name beyond, never overflowing`, async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "prop-deep-"));
        try {
            await check(
                fc.asyncProperty(fc.integer({ min: 1, max: 3000 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), async (depth, shape) => {
                    let text = "1";
                    for (let i = 0; i < depth; i++) text = shape[i % shape.length] ? `[${text}]` : `{"k":${text}}`;
                    const file = path.join(dir, "outputs.json");
                    fs.writeFileSync(file, `{"nested_output":{"sensitive":false,"value":${text}}}`);
                    try {
                        const outputs = await readTerraformOutputs({ backend: "json", path: file });
                        assert.ok(depth <= MAX_NESTING_DEPTH, `read ${depth} levels`);
                        assert.ok(outputs.nested_output);
                    } catch (e) {
                        assert.ok(e instanceof TerraformSourceError, String(e));
                        assert.ok(depth > MAX_NESTING_DEPTH, (e as Error).message);
                        assert.match(e.message, /output nested_output: its value nests objects and lists more than 64 levels deep/);
                    }
                }),
                150,
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("a key path never shows a credential-shaped key or an invisible character, and shows every other key as formatPath does", async () => {
        const key = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: "grapheme", maxLength: 10 }), fc.constantFrom("a\u202eb", "x\u200by", "l\nm", "tab\tkey"), token, fc.stringMatching(/^[a-z][a-z0-9_]{0,12}$/));
        await check(
            fc.property(fc.array(fc.oneof(key, fc.nat(50)), { minLength: 1, maxLength: 8 }), (segments) => {
                const printed = formatKeyPath(segments);
                for (const s of segments) {
                    if (typeof s === "string" && looksLikeCredential(s)) assert.ok(!printed.includes(s), printed);
                }
                assert.doesNotMatch(printed, /[\p{Cc}\p{Cf}\u2028\u2029]/u);
                const plain = segments.every((s) => typeof s === "number" || /^[A-Za-z_$][\w$-]*$/.test(s) && !looksLikeCredential(s));
                if (plain) assert.strictEqual(printed, formatPath(segments));
            }),
            500,
        );
    });
});
