import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { isKubernetesObject } from "../tools/plan/manifests";
import { testSecretFor } from "../tools/plan/stack-file";
import { copyProject } from "./support/project-copy";

const STACKS = ["local", "dev", "staging", "prod"];

/** Runs `npm run plan` as a user would, in `cwd`, and returns its exit code and output. */
function runPlan(cwd: string, args: string[]) {
    const cli = path.join(cwd, "tools", "plan", "cli.ts");
    const res = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", cli, ...args], {
        cwd,
        encoding: "utf8",
        env: { ...process.env, GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567" },
        timeout: 180_000,
    });
    return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

describe("npm run plan", function () {
    this.timeout(240_000);
    let project: string;
    before(() => {
        project = copyProject("plan-");
    });
    after(() => fs.rmSync(project, { recursive: true, force: true }));

    for (const stack of STACKS) {
        it(`plans the ${stack} stack offline and writes manifests, resources.json and both policy reports`, () => {
            const out = path.join(project, "out-test");
            const res = runPlan(project, ["--stack", stack, "--out", out]);
            assert.strictEqual(res.code, 0, `exit ${res.code}\n${res.stdout}\n${res.stderr}`);
            const dir = path.join(out, stack);
            const resources = JSON.parse(fs.readFileSync(path.join(dir, "resources.json"), "utf8"));
            assert.ok(resources.length > 5, "the program declares its platform");
            for (const r of resources) {
                assert.ok(r.urn && r.type && r.name && "parent" in r && "inputs" in r, `incomplete record ${JSON.stringify(r).slice(0, 200)}`);
            }
            const kubeObjects = resources.filter(isKubernetesObject);
            const manifests = fs.readdirSync(path.join(dir, "manifests"));
            assert.strictEqual(manifests.length, kubeObjects.length, "one manifest per Kubernetes object");
            for (const f of manifests) {
                const doc = YAML.parse(fs.readFileSync(path.join(dir, "manifests", f), "utf8"));
                assert.ok(doc.apiVersion && doc.kind && doc.metadata?.name, `${f} is a Kubernetes object`);
                if (doc.kind === "Secret") {
                    for (const field of ["data", "stringData"]) {
                        const data = doc[field];
                        if (data === undefined) continue;
                        assert.ok(typeof data === "object", `${f}: ${field} is not a map`);
                        const redacted = field === "data" ? Buffer.from("[redacted]").toString("base64") : "[redacted]";
                        assert.ok(Object.values(data).every((v) => v === redacted), `${f}: ${field} is not redacted`);
                    }
                }
            }
            const report = JSON.parse(fs.readFileSync(path.join(dir, "policy-report.json"), "utf8"));
            assert.strictEqual(report.summary.mandatory, 0);
            const sarif = JSON.parse(fs.readFileSync(path.join(dir, "policy-report.sarif"), "utf8"));
            assert.strictEqual(sarif.version, "2.1.0");
            assert.match(res.stdout, new RegExp(`plan ${stack}: \\d+ resources`));
            assert.match(res.stdout, /resources by type:/);
        });
    }

    /** Edits a stack file of the project copy for one test and puts it back afterwards. */
    function withStackEdit<T>(stack: string, edit: (doc: YAML.Document) => void, body: () => T): T {
        const file = path.join(project, "stacks", `Pulumi.${stack}.yaml`);
        const original = fs.readFileSync(file, "utf8");
        const doc = YAML.parseDocument(original);
        edit(doc);
        fs.writeFileSync(file, doc.toString());
        try {
            return body();
        } finally {
            fs.writeFileSync(file, original);
        }
    }

    // Violations the config schema lets through but the policy pack must stop, one per category.
    // The fake token is assembled at run time so that no scanner mistakes this file for a leak.
    const fakeSlackToken = ["xoxb", "2468013579", "1357924680123", "Zq8Xv3Lm9Rt2Wy6Kp4Nb7Hs1"].join("-");
    const platform = ["config", "gitops-platform:platform"];
    const seeds: { category: string; rule: string; edit: (doc: YAML.Document) => void }[] = [
        {
            category: "secret: a token literal in add-on values",
            rule: "no-secret-literals",
            edit: (doc) => doc.setIn([...platform, "addons", 2, "values", "controller", "config", "slack-webhook-token"], fakeSlackToken),
        },
        {
            category: "audit: an application from a repository outside the allowed organisations",
            rule: "argocd-source-allowed-repository",
            edit: (doc) => {
                doc.addIn([...platform, "gitops", "repositories"], { name: "outside", type: "git", url: "https://github.com/someone-else/charts.git" });
                doc.addIn([...platform, "gitops", "projects", 1, "sourceRepos"], "outside");
                doc.addIn([...platform, "gitops", "applications"], {
                    name: "rogue",
                    project: "team-hello",
                    source: { repository: "outside", path: "charts/rogue", revision: "v1.0.0" },
                    destination: { namespace: "hello" },
                });
            },
        },
        {
            category: "helm: a Pulumi-installed chart from a repository that is not allowed",
            rule: "helm-chart-allowed-repository",
            edit: (doc) => doc.setIn([...platform, "gitops", "repositories", 2, "url"], "https://charts.example.net/external-secrets"),
        },
    ];
    for (const seed of seeds) {
        it(`exits 1 naming ${seed.rule} on prod for a seeded violation (${seed.category})`, () => {
            const res = withStackEdit("prod", seed.edit, () => runPlan(project, ["--stack", "prod", "--out", path.join(project, "out-seeded")]));
            assert.strictEqual(res.code, 1, res.stdout + res.stderr);
            assert.match(res.stderr, new RegExp(`mandatory policy violated: .*${seed.rule}`));
            assert.match(res.stdout, new RegExp(`\\[mandatory\\] ${seed.rule} `));
            assert.ok(!res.stdout.includes(fakeSlackToken) && !res.stderr.includes(fakeSlackToken), "the secret is not echoed");
        });
    }

    it("prints the JSON report on stdout with --format json, and progress on stderr", () => {
        const res = runPlan(project, ["--stack", "local", "--out", path.join(project, "out-json"), "--format", "json"]);
        assert.strictEqual(res.code, 0, res.stderr);
        assert.strictEqual(JSON.parse(res.stdout).policyPack.name, "gitops-platform-policies");
        assert.match(res.stderr, /running the program under Pulumi's mock runtime/);
    });

    it("exits 2 naming the key when a config value is bad, and registers nothing", () => {
        const out = path.join(project, "out-bad");
        const res = withStackEdit("local", (doc) => doc.setIn([...platform, "argocd", "chart", "version"], "^10"), () => runPlan(project, ["--stack", "local", "--out", out]));
        assert.strictEqual(res.code, 2, res.stdout + res.stderr);
        assert.match(res.stderr, /platform\.argocd\.chart\.version: expected an exact version like 10\.1\.1, got "\^10"/);
        assert.ok(!fs.existsSync(path.join(out, "local", "resources.json")), "nothing is written for a bad config");
    });

    it("exits 2 on an unknown stack, a bad flag or a missing --stack", () => {
        assert.strictEqual(runPlan(project, ["--stack", "nope"]).code, 2);
        assert.match(runPlan(project, ["--stack", "nope"]).stderr, /Pulumi\.nope\.yaml: no such stack file/);
        assert.strictEqual(runPlan(project, ["--stack", "local", "--format", "xml"]).code, 2);
        assert.strictEqual(runPlan(project, []).code, 2);
    });

    it("never writes or prints a secret config value: the stand-in for each secure value is the canary", () => {
        const stackFile = YAML.parse(fs.readFileSync(path.join(project, "stacks", "Pulumi.local.yaml"), "utf8"));
        const secureKeys = Object.entries(stackFile.config).filter(([, v]) => typeof v === "object" && v !== null && "secure" in v).map(([k]) => k);
        assert.ok(secureKeys.length > 0, "the local stack has secret config to check");
        const out = path.join(project, "out-canary");
        const res = runPlan(project, ["--stack", "local", "--out", out]);
        assert.strictEqual(res.code, 0, res.stderr);
        const files = fs.readdirSync(out, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
        for (const key of secureKeys) {
            const canary = testSecretFor(key.includes(":") ? key : `gitops-platform:${key}`);
            assert.ok(!res.stdout.includes(canary) && !res.stderr.includes(canary), `${key} printed`);
            for (const f of files) {
                const text = fs.readFileSync(path.join(f.parentPath, f.name), "utf8");
                assert.ok(!text.includes(canary), `${key} written in plaintext to ${f.name}`);
            }
        }
    });

    it("rejects a plaintext value in a secret config key without echoing it", () => {
        const canary = "canary-3b9d1e7f-plan-must-not-leak";
        const res = withStackEdit("local", (doc) => doc.setIn(["config", "gitops-platform:argocdAdminPassword"], canary), () =>
            runPlan(project, ["--stack", "local", "--out", path.join(project, "out-plaintext")]),
        );
        assert.strictEqual(res.code, 2, res.stdout + res.stderr);
        assert.match(res.stderr, /argocdAdminPassword/);
        assert.ok(!res.stderr.includes(canary) && !res.stdout.includes(canary), "the plaintext value is not echoed");
    });
});
