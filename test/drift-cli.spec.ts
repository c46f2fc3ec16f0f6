/**
 * `npm run drift`'s bad input and unreadable layers (tools/drift/cli.ts): a clear message naming the
 * flag or the source, exit 2, and never a report that says "no drift" when a layer could not be read.
 */
import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "./support/program";

function drift(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    const clean = { ...process.env, ...env };
    for (const key of ["PULUMI_BACKEND_URL", "PULUMI_ACCESS_TOKEN"]) if (!(key in env)) delete clean[key];
    return new Promise((resolve) =>
        execFile(path.join(PROJECT_ROOT, "node_modules", ".bin", "ts-node"), ["--transpile-only", path.join(PROJECT_ROOT, "tools", "drift", "cli.ts"), ...args], { cwd: PROJECT_ROOT, env: clean, timeout: 120_000 }, (error, stdout, stderr) =>
            resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
        ),
    );
}

describe("npm run drift: bad input and unreadable layers", function () {
    this.timeout(180_000);
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-cli-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("names the flag at fault: no --stack, an unknown stack, an unknown format, a missing kubeconfig", async () => {
        const cases: [string[], RegExp][] = [
            [[], /--stack is required/],
            [["--stack", "qa"], /--stack qa: not a stack of this project/],
            [["--stack", "local", "--format", "xml"], /--format xml: expected one of text, md, json, sarif/],
            [["--stack", "local", "--kubeconfig", path.join(dir, "nope")], /--kubeconfig .*nope: no such file/],
            [["--stack", "local", "--bogus"], /Unknown option '--bogus'/],
        ];
        for (const [args, message] of cases) {
            const r = await drift(args);
            assert.strictEqual(r.code, 2, `${args.join(" ")}: exit ${r.code}`);
            assert.match(r.stderr, message);
            assert.strictEqual(r.stdout, "", "printed a report on bad input");
        }
    });

    it("a cluster that cannot be reached and no Pulumi backend: every layer says why, exit 2, never 'no drift'", async () => {
        const kubeconfig = path.join(dir, "kubeconfig");
        fs.writeFileSync(kubeconfig, JSON.stringify({
            apiVersion: "v1", kind: "Config", "current-context": "gone",
            clusters: [{ name: "gone", cluster: { server: "https://127.0.0.1:1", "insecure-skip-tls-verify": true } }],
            users: [{ name: "gone", user: { token: "t" } }],
            contexts: [{ name: "gone", context: { cluster: "gone", user: "gone" } }],
        }));
        const r = await drift(["--stack", "local", "--config-file", "stacks/Pulumi.local.yaml", "--kubeconfig", kubeconfig, "--format", "json"]);
        assert.strictEqual(r.code, 2, r.stderr);
        const report = JSON.parse(r.stdout) as { layers: { layer: string; status: string; error?: string }[] };
        for (const l of report.layers) assert.strictEqual(l.status, "error", `${l.layer}: ${l.status}`);
        assert.match(report.layers.find((l) => l.layer === "argocd")!.error!, /127\.0\.0\.1:1|connection refused|Applications/);
        assert.match(report.layers.find((l) => l.layer === "pulumi")!.error!, /no Pulumi workspace|backend/);
        const text = await drift(["--stack", "local", "--config-file", "stacks/Pulumi.local.yaml", "--kubeconfig", kubeconfig]);
        assert.match(text.stdout, /could not tell/);
        assert.doesNotMatch(text.stdout, /: no drift\n/);
    });
});
