/**
 * tools/chart-version-check.ts against throwaway git repositories: a change under charts/<name>/
 * must come with a greater Chart.yaml version than at the merge base with main.
 */
import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkChartVersions, ChartVersionCheckError } from "../tools/chart-version-check";

const cli = path.resolve(__dirname, "..", "tools", "chart-version-check.ts");

/** A git repository in a temporary folder, deleted after each test. */
class ThrowawayRepo {
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "chart-version-check-"));

    constructor() {
        this.git("init", "--quiet", "--initial-branch=main");
    }

    git(...args: string[]): string {
        return execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false", ...args], {
            cwd: this.dir,
            encoding: "utf8",
        }).trim();
    }

    write(file: string, text: string): void {
        fs.mkdirSync(path.dirname(path.join(this.dir, file)), { recursive: true });
        fs.writeFileSync(path.join(this.dir, file), text);
    }

    chart(name: string, version: string, template = "kind: ConfigMap\n"): void {
        this.write(`charts/${name}/Chart.yaml`, `apiVersion: v2\nname: ${name}\nversion: ${version}\n`);
        this.write(`charts/${name}/templates/cm.yaml`, template);
    }

    commit(message: string): string {
        this.git("add", "--all");
        this.git("commit", "--quiet", "--allow-empty", "-m", message);
        return this.git("rev-parse", "HEAD");
    }

    runCli(...args: string[]): { status: number; stdout: string; stderr: string } {
        const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", cli, "--repo", this.dir, ...args], {
            cwd: path.resolve(__dirname, ".."),
            encoding: "utf8",
            env: { ...process.env, CHART_VERSION_BASE: "" },
        });
        return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
    }

    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

describe("chart-version-check (tools/chart-version-check.ts)", () => {
    let repo: ThrowawayRepo;

    beforeEach(() => {
        repo = new ThrowawayRepo();
        repo.chart("web", "0.1.0");
        repo.chart("worker", "1.2.3");
        repo.write("README.md", "root\n");
        repo.commit("initial charts");
    });
    afterEach(() => repo.remove());

    describe("on a branch off main", () => {
        beforeEach(() => repo.git("checkout", "--quiet", "-b", "feature"));

        it("fails naming the chart whose template changed without a version bump", () => {
            repo.write("charts/web/templates/cm.yaml", "kind: ConfigMap\ndata: {a: b}\n");
            repo.commit("change web");
            const result = checkChartVersions({ repoDir: repo.dir });
            assert.equal(result.ok, false);
            assert.deepEqual(
                result.charts.map((c) => [c.name, c.baseVersion, c.currentVersion, c.files]),
                [["web", "0.1.0", "0.1.0", ["charts/web/templates/cm.yaml"]]],
            );
            assert.match(result.charts[0].problem ?? "", /chart "web" changed .* not greater than 0\.1\.0: bump "version" in charts\/web\/Chart\.yaml/);

            const run = repo.runCli();
            assert.equal(run.status, 1, run.stderr);
            assert.match(run.stderr, /1 chart\(s\) need a version bump/);
            assert.match(run.stderr, /chart "web" changed \(charts\/web\/templates\/cm\.yaml\)/);
            assert.doesNotMatch(run.stderr, /worker/);
        });

        it("passes when the changed chart's version is greater", () => {
            repo.write("charts/web/templates/cm.yaml", "kind: ConfigMap\ndata: {a: b}\n");
            repo.chart("web", "0.2.0-rc.1", "kind: ConfigMap\ndata: {a: b}\n");
            repo.commit("change and bump web");
            const result = checkChartVersions({ repoDir: repo.dir });
            assert.equal(result.ok, true, JSON.stringify(result.charts));
            assert.equal(result.baseDescription, "merge base of HEAD and main");
            const run = repo.runCli();
            assert.equal(run.status, 0, run.stderr);
            assert.match(run.stdout, /ok {2}web: 0\.1\.0 -> 0\.2\.0-rc\.1/);
        });

        it("fails a version that went down, and names every failing chart in one message", () => {
            repo.chart("web", "0.0.9", "kind: ConfigMap\ndata: {x: y}\n");
            repo.write("charts/worker/values.yaml", "replicas: 2\n");
            repo.commit("two charts, no proper bump");
            const run = repo.runCli();
            assert.equal(run.status, 1);
            assert.match(run.stderr, /2 chart\(s\) need a version bump/);
            assert.match(run.stderr, /"web" .* 0\.0\.9 is not greater than 0\.1\.0/);
            assert.match(run.stderr, /"worker" changed \(charts\/worker\/values\.yaml\) .* 1\.2\.3 is not greater than 1\.2\.3/);
        });

        it("sees uncommitted and untracked changes in the work tree", () => {
            repo.write("charts/worker/templates/new.yaml", "kind: Service\n");
            const result = checkChartVersions({ repoDir: repo.dir });
            assert.deepEqual(result.charts.map((c) => [c.name, c.problem !== undefined]), [["worker", true]]);
        });

        it("accepts a new chart and a deleted chart, and ignores files outside charts/<name>/", () => {
            repo.chart("api", "0.0.1");
            fs.rmSync(path.join(repo.dir, "charts", "worker"), { recursive: true });
            repo.write("charts/README.md", "index of charts\n");
            repo.write("README.md", "changed\n");
            repo.commit("add api, drop worker");
            const result = checkChartVersions({ repoDir: repo.dir });
            assert.equal(result.ok, true, JSON.stringify(result.charts));
            assert.deepEqual(result.charts.map((c) => [c.name, c.baseVersion, c.currentVersion]).sort(), [
                ["api", undefined, "0.0.1"],
                ["worker", undefined, undefined],
            ]);
        });

        it("rejects a Chart.yaml whose version is not semver", () => {
            repo.write("charts/web/Chart.yaml", "apiVersion: v2\nname: web\nversion: one\n");
            const result = checkChartVersions({ repoDir: repo.dir });
            assert.match(result.charts[0].problem ?? "", /charts\/web\/Chart\.yaml has no valid semver "version" \(found "one"\)/);
        });

        it("prefers origin/main to a stale local main", () => {
            // origin/main moved on (web bumped to 0.3.0 there); the branch is based on it.
            repo.git("checkout", "--quiet", "main");
            repo.chart("web", "0.3.0");
            const upstream = repo.commit("upstream bump");
            repo.git("update-ref", "refs/remotes/origin/main", upstream);
            repo.git("reset", "--quiet", "--hard", "HEAD~1"); // local main is stale
            repo.git("checkout", "--quiet", "-B", "feature", upstream);
            repo.chart("web", "0.2.0", "kind: ConfigMap\ndata: {late: true}\n");
            repo.commit("bump below upstream");
            const result = checkChartVersions({ repoDir: repo.dir });
            assert.equal(result.baseCommit, upstream);
            assert.equal(result.baseDescription, "merge base of HEAD and origin/main");
            assert.match(result.charts[0].problem ?? "", /0\.2\.0 is not greater than 0\.3\.0/);
        });
    });

    describe("on main itself", () => {
        it("compares with HEAD~1 when HEAD is the merge base", () => {
            repo.write("charts/web/templates/cm.yaml", "kind: ConfigMap\ndata: {pushed: directly}\n");
            const head = repo.commit("direct push without bump");
            const result = checkChartVersions({ repoDir: repo.dir });
            assert.equal(result.baseCommit, repo.git("rev-parse", `${head}~1`));
            assert.equal(result.baseDescription, "HEAD~1 (HEAD is main)");
            assert.equal(result.ok, false);
            assert.equal(result.charts[0].name, "web");
        });

        it("passes with a message when main has a single commit", () => {
            const result = checkChartVersions({ repoDir: repo.dir });
            assert.equal(result.ok, true);
            assert.equal(result.baseCommit, undefined);
            const run = repo.runCli();
            assert.equal(run.status, 0, run.stderr);
            assert.match(run.stdout, /nothing to compare against \(HEAD is main and has no parent\); passing/);
        });
    });

    it("honours an explicit base and reports an unknown one as unusable (exit 2)", () => {
        const first = repo.git("rev-parse", "HEAD");
        repo.chart("web", "0.1.1");
        repo.commit("bump");
        repo.write("charts/web/values.yaml", "a: 1\n");
        repo.commit("change without bump");
        assert.equal(checkChartVersions({ repoDir: repo.dir, base: first }).ok, true);
        assert.equal(checkChartVersions({ repoDir: repo.dir, base: "HEAD~1" }).ok, false);
        assert.throws(() => checkChartVersions({ repoDir: repo.dir, base: "no-such-ref" }), ChartVersionCheckError);
        const run = repo.runCli("--base", "no-such-ref");
        assert.equal(run.status, 2);
        assert.match(run.stderr, /base ref "no-such-ref" is not a commit/);
    });

    it("cannot run without main or origin/main", () => {
        repo.git("branch", "-m", "main", "trunk");
        assert.throws(() => checkChartVersions({ repoDir: repo.dir }), /neither origin\/main nor main exists .* \(pass --base <ref>\)/);
    });
});
