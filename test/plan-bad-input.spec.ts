/**
 * The plan's bad inputs and interrupts, as a user meets them through the CLI: each is refused with
 * exit 2 and a message naming the file or flag and the key; `out/<stack>` is replaced whole or left
 * as it was, never half-written; no child process outlives the plan; a report piped into a reader
 * that stops early ends quietly. Regression tests for what issue 12's properties and trials found.
 */
import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { copyProject } from "./support/project-copy";

const COMMIT = "0123456789abcdef0123456789abcdef01234567";

function cliArgs(cwd: string, args: string[]): string[] {
    return ["-r", "ts-node/register/transpile-only", path.join(cwd, "tools", "plan", "cli.ts"), ...args];
}

function runPlan(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
    const res = spawnSync(process.execPath, cliArgs(cwd, args), { cwd, encoding: "utf8", env: { ...process.env, GITHUB_SHA: COMMIT, ...env }, timeout: 240_000 });
    return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** Pids of live processes whose environment carries `marker` (children inherit it). */
function processesWithMarker(marker: string): number[] {
    const pids: number[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            if (fs.readFileSync(`/proc/${entry}/environ`, "utf8").includes(marker)) pids.push(Number(entry));
        } catch {
            // gone, or not ours to read
        }
    }
    return pids;
}

/** Every file under `dir` with its content, for before/after comparisons. */
function snapshot(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else out[path.relative(dir, p)] = fs.readFileSync(p, "utf8");
        }
    };
    walk(dir);
    return out;
}

describe("npm run plan: bad input, interrupts and pipes", function () {
    this.timeout(600_000);
    let project: string;
    let out: string;
    let previous: Record<string, string>;
    const stackFile = (name: string, text: string) => {
        const file = path.join(project, "stacks-test", name);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
        return path.relative(project, file);
    };
    const devWith = (from: string, to: string) => fs.readFileSync(path.join(project, "stacks", "Pulumi.dev.yaml"), "utf8").replace(from, to);

    before(() => {
        project = copyProject("plan-bad-input-");
        out = path.join(project, "out-test");
        const res = runPlan(project, ["--stack", "local", "--out", out]);
        assert.strictEqual(res.code, 0, res.stderr);
        previous = snapshot(path.join(out, "local"));
    });
    after(() => fs.rmSync(project, { recursive: true, force: true }));

    /** The previous plan's output is exactly as it was, and nothing half-written lies beside it. */
    function assertPreviousIntact(): void {
        assert.deepStrictEqual(snapshot(path.join(out, "local")), previous, "out/local unchanged");
        assert.deepStrictEqual(fs.readdirSync(out).filter((f) => f !== "local"), [], "no staging directory left");
    }

    it("refuses a source path that leaves the repository, naming the file and key", () => {
        const file = stackFile("Pulumi.dotdot.yaml", devWith("path: charts/hello-service", "path: ../../etc"));
        const res = runPlan(project, ["--stack", "dev", "--config-file", file, "--out", out]);
        assert.strictEqual(res.code, 2, res.stderr);
        assert.match(res.stderr, new RegExp(`${file.replace(/[.]/g, "\\.")}: invalid config`));
        assert.match(res.stderr, /platform\.gitops\.applications\[0\]\.source\.path: must stay inside the repository/);
    });

    it("refuses names and labels (a label Kubernetes refuses, a renamed hub its destinations no longer name), with exit 2, the file and every key path", () => {
        // A label refused by the schema: the plan stops before the program runs.
        let file = stackFile("Pulumi.labels.yaml", devWith("      labels:\n        tier: dev\n", '      labels:\n        tier: dev\n        "tier\\u200b": edge\n'));
        let res = runPlan(project, ["--stack", "dev", "--config-file", file, "--out", out]);
        assert.strictEqual(res.code, 2, res.stderr);
        assert.match(res.stderr, /platform\.cluster\.labels\["tier\\u200b"\]: not a label key Kubernetes accepts/);
        // A renamed hub: found once the clusters are known, still a config error naming the file.
        file = stackFile("Pulumi.hub.yaml", devWith("    cluster:\n", "    cluster:\n      name: hub\n"));
        res = runPlan(project, ["--stack", "dev", "--config-file", file, "--out", out]);
        assert.strictEqual(res.code, 2, res.stderr);
        assert.match(res.stderr, new RegExp(`${file.replace(/[.]/g, "\\.")}: invalid config`));
        assert.match(res.stderr, /platform\.gitops\.applications\[0\]\.destination\.cluster: no cluster is named "in-cluster"/);
        assertPreviousIntact();
    });

    it("refuses RBAC and tenancy bad input (a group name that adds policy lines, a team project in Argo CD's namespace or with cluster-access kinds), naming the file and every key path", () => {
        // Shape first: group names wherever a group is written.
        const groups = devWith('          - { group: platform-team, role: "role:admin" }\n', '          - { group: platform-team, role: "role:admin" }\n          - { group: "hello-team, role:readonly\\ng, everyone, role:admin\\n#", role: "role:readonly" }\n')
            .replace('              groups: [hello-team]\n', '              groups: [hello-team, "x\\ng, me, role:admin"]\n');
        let file = stackFile("Pulumi.groups.yaml", groups);
        let res = runPlan(project, ["--stack", "dev", "--config-file", file, "--out", out]);
        assert.strictEqual(res.code, 2, res.stderr);
        assert.match(res.stderr, new RegExp(`${file.replace(/[.]/g, "\\.")}: invalid config`));
        assert.match(res.stderr, /platform\.argocd\.rbac\.groupRoles\[1\]\.group: a group name is written into Argo CD's policy\.csv/);
        assert.match(res.stderr, /platform\.gitops\.projects\[1\]\.roles\[0\]\.groups\[1\]: a group name is written into Argo CD's policy\.csv/);
        assert.doesNotMatch(res.stderr, /everyone|\n\s+at /);
        // Then the relations: a team project (its team is not audit.owner) in Argo CD's namespace, with a cluster-access kind.
        const tenancy = devWith('            - namespace: hello\n          clusterResourceWhitelist:\n            - { group: "", kind: Namespace }\n          roles:', '            - namespace: hello\n            - namespace: argocd\n          clusterResourceWhitelist:\n            - { group: "", kind: Namespace }\n            - { group: rbac.authorization.k8s.io, kind: ClusterRoleBinding }\n          roles:');
        file = stackFile("Pulumi.tenancy.yaml", tenancy);
        res = runPlan(project, ["--stack", "dev", "--config-file", file, "--out", out]);
        assert.strictEqual(res.code, 2, res.stderr);
        assert.match(res.stderr, new RegExp(`${file.replace(/[.]/g, "\\.")}: invalid config`));
        assert.match(res.stderr, /platform\.gitops\.projects\[1\]\.destinations\[1\]\.namespace: "argocd" is Argo CD's own namespace/);
        assert.match(res.stderr, /platform\.gitops\.projects\[1\]\.clusterResourceWhitelist\[1\]: rbac\.authorization\.k8s\.io\/ClusterRoleBinding grants access to the whole cluster/);
        assertPreviousIntact();
    });

    it("fails on credentials in values and keeps them out of stdout, stderr and every file it writes (SARIF included)", () => {
        // Built from parts so this file holds no literal a scanner would flag; each shape a different detector.
        const canaries = ["ghp_" + "CANARYq7x3q7x3q7x3q7x3q7x3q7x3q7x3q7", "AKIA" + "CANARYQ7X3Q7X3Q7", "https://bot:" + "CANARYpw7x3q@git.example.com/x.git", "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiJDQU5BUlkifQ.CANARYsignature7x3", "xoxb-" + "123456789012-1234567890123-CANARYkeyCANARYkey"];
        // The last one is a key, not a value: the key is the credential.
        const text = devWith("          auditValues: true\n", `          auditValues: true\n          values:\n            config:\n              note: ${canaries[0]}\n              key: ${canaries[1]}\n              url: ${canaries[2]}\n              jwt: ${canaries[3]}\n              ${canaries[4]}: enabled\n`);
        const file = stackFile("Pulumi.canary.yaml", text);
        const canaryOut = path.join(project, "out-canary");
        const res = runPlan(project, ["--stack", "dev", "--config-file", file, "--out", canaryOut]);
        assert.strictEqual(res.code, 1, res.stderr);
        assert.match(res.stderr, /mandatory policy violated: .*no-secret-literals/);
        const written = Object.entries(snapshot(path.join(canaryOut, "dev")));
        assert.ok(written.some(([f]) => f === "policy-report.sarif"));
        for (const [where, content] of [["stdout", res.stdout], ["stderr", res.stderr], ...written]) {
            assert.ok(!content.includes("CANARY"), `a credential reached ${where}`);
        }
    });

    it("refuses Terraform endpoints and sources, deep outputs and config, credential-shaped keys (issue 22): exit 2 naming the file and the key path once, no credential printed", () => {
        const canary = "Cnry7pw3xQ9";
        const token = "ghp_" + "CANARYq7x3q7x3q7x3q7x3q7x3q7x3q7x3q7";
        const refuse = (args: string[], ...patterns: RegExp[]) => {
            const res = runPlan(project, [...args, "--out", out]);
            assert.strictEqual(res.code, 2, res.stderr);
            for (const pattern of patterns) assert.match(res.stderr, pattern);
            for (const text of [res.stdout, res.stderr]) assert.ok(!text.includes(canary) && !text.includes("CANARY"), `a credential was printed:\n${text}`);
            assert.doesNotMatch(res.stderr, /Maximum call stack|\n\s+at /);
            return res.stderr;
        };
        const quoted = (file: string) => file.replace(/[.]/g, "\\.");
        // A misspelt workspace is an error, even though recorded outputs stand in for the s3 backend.
        let file = stackFile("Pulumi.workspace.yaml", devWith("        backend: s3\n", "        backend: s3\n        workspce: prod\n"));
        let stderr = refuse(["--stack", "dev", "--config-file", file], new RegExp(`${quoted(file)}: invalid config`), /\n  platform\.terraform\.source\.workspce: unknown key\n/);
        assert.doesNotMatch(stderr, /using the recorded outputs/);
        // Credentials inside a backend address or an S3 endpoint.
        file = stackFile("Pulumi.address.yaml", devWith("        backend: s3\n", `        backend: s3\n        endpoint: https://minio:${canary}@minio.example.com\n`));
        refuse(["--stack", "dev", "--config-file", file], new RegExp(`${quoted(file)}: invalid config`), /\n  platform\.terraform\.source\.endpoint: the endpoint carries user info/);
        // A repository URL with user info: a config error naming its key (was only a policy finding, exit 1).
        file = stackFile("Pulumi.repo-user.yaml", devWith("          url: https://github.com/acme-platform/gitops-platform.git\n", `          url: https://bot:${canary}@github.com/acme-platform/gitops-platform.git\n`));
        refuse(["--stack", "dev", "--config-file", file], new RegExp(`${quoted(file)}: invalid config`), /\n  platform\.gitops\.repositories\[0\]\.url: a URL with user info \(user:password@\) holds a credential: use credentials instead/);
        // A union's discriminator once; a key shaped like a credential described, never shown.
        file = stackFile("Pulumi.keys.yaml", devWith("      mode: eks\n", `      mode: nope\n`).replace("    terraform:\n", `    ${token}: 1\n    terraform:\n`));
        stderr = refuse(["--stack", "dev", "--config-file", file], /\n  platform\.cluster\.mode: Invalid discriminator value/, /\n  platform\[\(a key of 40 characters shaped like a credential, not shown\)\]: looks like a credential/);
        for (const line of stderr.split("\n").filter((l) => /^  platform/.test(l))) {
            const at = line.trim().split(": ")[0];
            assert.ok(!/(\.[\w-]+)\1(\.|\[|$)/.test(at) && !/^platform\.platform/.test(at), `a doubled key path: ${at}`);
        }
        // A cluster endpoint over plain http, and an output nested 10,000 levels, in recorded outputs.
        const outputs = JSON.parse(fs.readFileSync(path.join(project, "test", "fixtures", "terraform", "dev.outputs.json"), "utf8"));
        outputs.cluster_endpoint.value = `http://admin:${canary}@k8s.example.com`;
        fs.writeFileSync(path.join(project, "stacks-test", "http-endpoint.outputs.json"), JSON.stringify(outputs));
        refuse(["--stack", "dev", "--terraform-outputs", "stacks-test/http-endpoint.outputs.json"], /stacks\/Pulumi\.dev\.yaml: invalid config/, /\n  platform\.terraform\.source: terraform output -json file "stacks-test\/http-endpoint\.outputs\.json": output cluster_endpoint is not https:\/\//);
        const n = 10_000;
        fs.writeFileSync(path.join(project, "stacks-test", "deep.outputs.json"), JSON.stringify({ ...outputs, cluster_endpoint: { ...outputs.cluster_endpoint, value: "https://k8s.example.com" } }).replace(/}$/, `,"deep":{"sensitive":false,"value":${"[".repeat(n)}1${"]".repeat(n)}}}`));
        refuse(["--stack", "dev", "--terraform-outputs", "stacks-test/deep.outputs.json"], /stacks-test\/deep\.outputs\.json": output deep: its value nests objects and lists more than 64 levels deep/);
        // A stack file nested 10,000 levels, and 65.
        file = stackFile("Pulumi.deep.yaml", `config:\n  gitops-platform:platform: ${"{a: ".repeat(n)}1${"}".repeat(n)}\n`);
        refuse(["--stack", "local", "--config-file", file], new RegExp(`${quoted(file)}: not valid YAML: nested too deeply to read`));
        file = stackFile("Pulumi.deep65.yaml", `config:\n  gitops-platform:platform: ${"{a: ".repeat(65)}1${"}".repeat(65)}\n`);
        refuse(["--stack", "local", "--config-file", file], new RegExp(`${quoted(file)}: config\\.gitops-platform:platform(\\.a){64}: nested more than 64 levels deep`));
        assertPreviousIntact();
    });

    it("names the file and key of a YAML alias that contains itself", () => {
        const file = stackFile("Pulumi.alias.yaml", "config:\n  gitops-platform:platform: &a [*a]\n");
        const res = runPlan(project, ["--stack", "local", "--config-file", file, "--out", out]);
        assert.strictEqual(res.code, 2);
        assert.match(res.stderr, /Pulumi\.alias\.yaml: config\.gitops-platform:platform\[0\]: a YAML alias refers to the node that contains it/);
        assert.doesNotMatch(res.stderr, /Maximum call stack|\n\s+at /);
        assertPreviousIntact();
    });

    it("refuses --out naming a file, and a stack name that is a path, before running anything", () => {
        fs.writeFileSync(path.join(project, "a-file"), "");
        let res = runPlan(project, ["--stack", "local", "--out", "a-file"]);
        assert.strictEqual(res.code, 2);
        assert.match(res.stderr, /--out a-file: not a directory/);
        res = runPlan(project, ["--stack", "../../etc/x", "--out", out]);
        assert.strictEqual(res.code, 2);
        assert.match(res.stderr, /--stack "\.\.\/\.\.\/etc\/x": not a stack name/);
        assertPreviousIntact();
    });

    it("refuses to replace a directory the plan did not write (--out stacks: stacks/local holds tracked Terraform files)", () => {
        const tracked = path.join(project, "stacks", "local", "terraform");
        const before = fs.readdirSync(tracked).sort();
        const res = runPlan(project, ["--stack", "local", "--out", "stacks"]);
        assert.strictEqual(res.code, 2, res.stderr);
        assert.match(res.stderr, /stacks\/local: exists and was not written by the plan/);
        assert.deepStrictEqual(fs.readdirSync(tracked).sort(), before, "tracked files were touched");
        assert.deepStrictEqual(fs.readdirSync(path.join(project, "stacks")).filter((f) => f.includes("partial")), [], "a staging folder was left");
        assertPreviousIntact();
    });

    it("leaves the previous output whole after a refused config", () => {
        const file = stackFile("Pulumi.local.yaml", fs.readFileSync(path.join(project, "stacks", "Pulumi.local.yaml"), "utf8").replace(/version: \S+/, "version: latest"));
        const res = runPlan(project, ["--stack", "local", "--config-file", file, "--out", out]);
        assert.strictEqual(res.code, 2, res.stderr);
        assertPreviousIntact();
    });

    for (const signal of ["SIGINT", "SIGTERM"] as const) {
        it(`on ${signal} while the policy pack runs: the previous output stays, no child survives`, async () => {
            const marker = `GITOPS_PLAN_TEST_${signal}_${process.pid}`;
            const child = spawn(process.execPath, cliArgs(project, ["--stack", "local", "--out", out]), {
                cwd: project,
                env: { ...process.env, GITHUB_SHA: COMMIT, [marker]: "1" },
                stdio: ["ignore", "pipe", "pipe"],
            });
            let stderr = "";
            const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
            await new Promise<void>((resolve, reject) => {
                child.stderr.on("data", (chunk: Buffer) => {
                    stderr += chunk.toString();
                    // Wait until the pack is serving and the staging directory holds manifests.
                    if (/analyzing every resource/.test(stderr)) setTimeout(resolve, 1500);
                });
                void exited.then(() => reject(new Error(`plan exited before the policy step:\n${stderr}`)));
            });
            assert.ok(processesWithMarker(marker).length >= 2, "the plan and its policy pack are running");
            child.kill(signal);
            const code = await exited;
            assert.strictEqual(code, signal === "SIGINT" ? 130 : 143, stderr);
            await new Promise((r) => setTimeout(r, 500));
            assert.deepStrictEqual(processesWithMarker(marker), [], "no child process survives");
            assertPreviousIntact();
        });
    }

    it("replaces the output whole on success: a file the previous plan wrote and this one does not is gone", () => {
        fs.writeFileSync(path.join(out, "local", "manifests", "stale.yaml"), "stale: true\n");
        const res = runPlan(project, ["--stack", "local", "--out", out]);
        assert.strictEqual(res.code, 0, res.stderr);
        assert.ok(!fs.existsSync(path.join(out, "local", "manifests", "stale.yaml")));
        assert.deepStrictEqual(fs.readdirSync(out), ["local"]);
        previous = snapshot(path.join(out, "local"));
    });

    it("stops quietly when the reader of the report closes the pipe early", () => {
        const res = spawnSync("bash", ["-c", `set -o pipefail; ${JSON.stringify(process.execPath)} ${cliArgs(project, ["--stack", "local", "--out", out, "--format", "sarif"]).map((a) => JSON.stringify(a)).join(" ")} | head -c 20 >/dev/null`], {
            cwd: project,
            encoding: "utf8",
            env: { ...process.env, GITHUB_SHA: COMMIT },
            timeout: 240_000,
        });
        assert.doesNotMatch(res.stderr, /EPIPE|\n\s+at /, res.stderr);
        assert.strictEqual(res.status, 0, res.stderr);
    });
});
