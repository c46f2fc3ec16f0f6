/**
 * tools/publish-charts.sh (what .github/workflows/charts.yml runs on merge to main) against a real
 * OCI registry (CNCF Distribution, built by tools/install.sh registry): the chart is pushed under
 * <registry>/charts, stamped with the commit, never overwritten, and what Argo CD pulls by version
 * renders with the packaged values-<env>.yaml.
 */
import { strict as assert } from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { findTool, helm, helmTemplate, repoRoot } from "./support/helm";
import { freePort } from "../tools/engine/free-port";

const COMMIT = "fedcba9876543210fedcba9876543210fedcba98";

async function waitForRegistry(url: string, registry: ChildProcess, log: () => string): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
        if (registry.exitCode !== null) throw new Error(`registry exited with ${registry.exitCode}:\n${log()}`);
        try {
            if ((await fetch(url)).status === 200) return;
        } catch {
            // not listening yet
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`registry did not answer ${url} within 20 s:\n${log()}`);
}

describe("charts/ publishing to an OCI registry (tools/publish-charts.sh)", function () {
    this.timeout(600_000); // the first run builds the registry from Go modules (about 2 minutes)
    let work: string;
    let registry: ChildProcess | undefined;
    let host: string;
    let registryLog = "";
    let chart: { name: string; version: string };

    /** Runs the publish script with Helm's config kept inside the test's folder. */
    function publish(...args: string[]): { status: number; stdout: string; stderr: string } {
        const run = spawnSync("bash", [path.join(repoRoot, "tools", "publish-charts.sh"), "--registry", host, "--plain-http", ...args], {
            cwd: repoRoot,
            encoding: "utf8",
            env: { ...process.env, HELM: findTool("helm"), HELM_CONFIG_HOME: path.join(work, "helm-config"), HELM_CACHE_HOME: path.join(work, "helm-cache") },
        });
        return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
    }

    before(async () => {
        findTool("helm");
        const registryBin = findTool("registry");
        work = fs.mkdtempSync(path.join(os.tmpdir(), "charts-publish-"));
        const port = await freePort();
        host = `127.0.0.1:${port}`;
        const config = path.join(work, "registry.yml");
        fs.writeFileSync(
            config,
            `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(work, "storage")}\nhttp:\n  addr: ${host}\n`,
        );
        registry = spawn(registryBin, ["serve", config], { stdio: ["ignore", "pipe", "pipe"] });
        registry.stdout?.on("data", (d) => (registryLog += d));
        registry.stderr?.on("data", (d) => (registryLog += d));
        await waitForRegistry(`http://${host}/v2/`, registry, () => registryLog);
        const chartYaml = parse(fs.readFileSync(path.join(repoRoot, "charts", "hello-service", "Chart.yaml"), "utf8")) as { name: string; version: string };
        chart = { name: chartYaml.name, version: chartYaml.version };
    });

    after(() => {
        if (registry && registry.exitCode === null) registry.kill("SIGTERM");
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it("pushes the chart to <registry>/charts/<name> at its Chart.yaml version", () => {
        const run = publish("--commit", COMMIT, "hello-service");
        assert.equal(run.status, 0, run.stderr);
        assert.equal(run.stdout.trim(), `published oci://${host}/charts/${chart.name}:${chart.version}`);
    });

    it("serves what Argo CD pulls: the stamped chart with its environment values files", () => {
        const ref = `oci://${host}/charts/${chart.name}`;
        const pulled = path.join(work, "pulled");
        const pull = helm(["pull", ref, "--version", chart.version, "--plain-http", "--untar", "--untardir", pulled]);
        assert.equal(pull.status, 0, pull.stderr);
        const dir = path.join(pulled, chart.name);
        const packaged = parse(fs.readFileSync(path.join(dir, "Chart.yaml"), "utf8")) as { version: string; annotations: Record<string, string> };
        assert.equal(packaged.version, chart.version);
        assert.equal(packaged.annotations["gitops.platform/git-commit"], COMMIT);
        for (const file of ["values.schema.json", "values-dev.yaml", "values-staging.yaml", "values-prod.yaml", "README.md"]) {
            assert.ok(fs.existsSync(path.join(dir, file)), `${file} is not in the package`);
        }
        const objects = helmTemplate(dir, { valuesFiles: [path.join(dir, "values-prod.yaml")] });
        const labels = new Set(objects.map((o) => `${o.metadata.labels?.["gitops.platform/stack"]} ${o.metadata.labels?.["gitops.platform/git-commit"]}`));
        assert.deepEqual([...labels], [`prod ${COMMIT}`]);
    });

    it("never overwrites a published version", () => {
        const run = publish("--commit", "0000000000000000000000000000000000000000", "hello-service");
        assert.equal(run.status, 0, run.stderr);
        assert.equal(run.stdout.trim(), `skipped oci://${host}/charts/${chart.name}:${chart.version}: already published`);
        const show = helm(["show", "chart", `oci://${host}/charts/${chart.name}`, "--version", chart.version, "--plain-http"]);
        assert.match(show.stdout, new RegExp(`gitops.platform/git-commit: ${COMMIT}`));
    });

    it("refuses a commit that is not a full 40-hex SHA (the audit label needs one)", () => {
        const run = publish("--commit", "abc123", "hello-service");
        assert.equal(run.status, 2);
        assert.match(run.stderr, /--commit must be a full 40-hex commit, got 'abc123'/);
    });
});
