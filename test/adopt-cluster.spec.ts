/**
 * `npm run adopt` against a real API server (the local control plane, with nodes) and real Helm
 * releases: it finds what `helm install` and `kubectl apply` left, proposes the stack entries and the
 * chart of the objects applied by hand, names the secret values without copying them, writes only
 * with --write and never touches the cluster; it refuses a chart no allowed repository has, an
 * unreachable cluster, and deleting release records before Argo CD owns the objects (the takeover itself is `npm run e2e`'s).
 */
import * as assert from "assert";
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { ControlPlane, startControlPlane } from "../tools/local-cluster/control-plane";
import { findCanary, newCanary } from "./e2e/canary";
import { PROJECT_ROOT } from "./support/program";

const BIN_DIR = path.join(PROJECT_ROOT, ".tools", "bin");
const NS = "legacy";

interface Run {
    code: number;
    stdout: string;
    stderr: string;
}

describe("npm run adopt against a real API server and real Helm releases", function () {
    this.timeout(300_000);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-adopt-"));
    const repo = path.join(work, "repo");
    const stackFile = path.join(work, "Pulumi.local.yaml");
    const canary = newCanary();
    let cp: ControlPlane | undefined;

    const helm = (args: string[]) =>
        execFileSync(path.join(BIN_DIR, "helm"), [...args, "--kubeconfig", cp!.kubeconfigPath], { env: { ...process.env, HELM_CACHE_HOME: path.join(work, "helm"), HELM_CONFIG_HOME: path.join(work, "helm"), HELM_DATA_HOME: path.join(work, "helm") }, encoding: "utf8" });
    const adopt = (args: string[], kubeconfig = cp!.kubeconfigPath): Promise<Run> =>
        new Promise((resolve) => {
            const all = ["--transpile-only", path.join(PROJECT_ROOT, "tools", "adopt", "cli.ts"), "--stack", "local", "--config-file", stackFile, "--kubeconfig", kubeconfig, "--repo-dir", repo, ...args];
            execFile(path.join(PROJECT_ROOT, "node_modules", ".bin", "ts-node"), all, { cwd: PROJECT_ROOT, timeout: 120_000 }, (e, stdout, stderr) =>
                resolve({ code: e ? (typeof e.code === "number" ? e.code : 1) : 0, stdout, stderr }),
            );
        });
    const versions = async () => {
        const list = await cp!.kubectl.get<{ items: { kind: string; metadata: { name: string; resourceVersion: string } }[] }>(["all,configmaps,secrets,serviceaccounts", "-n", NS]);
        return Object.fromEntries((list?.items ?? []).map((o) => [`${o.kind}/${o.metadata.name}`, o.metadata.resourceVersion]));
    };

    before(async () => {
        // This repository as a team has it: its charts in Git.
        fs.mkdirSync(path.join(repo, "charts"), { recursive: true });
        fs.cpSync(path.join(PROJECT_ROOT, "charts", "hello-service"), path.join(repo, "charts", "hello-service"), { recursive: true });
        const git = (args: string[]) => execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false", ...args]);
        git(["init", "--quiet", "--initial-branch", "main"]);
        git(["add", "--all"]);
        git(["commit", "--quiet", "-m", "charts"]);
        fs.copyFileSync(path.join(PROJECT_ROOT, "stacks", "Pulumi.local.yaml"), stackFile);
        cp = await startControlPlane({ binDir: BIN_DIR, dataDir: path.join(work, "cluster") });
        helm(["install", "legacy-hello-service", path.join(repo, "charts", "hello-service"), "--namespace", NS, "--create-namespace", "--set", "image.tag=6.7.0", "--set-string", `podAnnotations.api-token=${canary}`]);
        const byHand = [
            { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "legacy-settings", namespace: NS }, data: { GREETING: "{{ not a template }}" } },
            { apiVersion: "v1", kind: "Secret", metadata: { name: "legacy-credentials", namespace: NS }, stringData: { "api-key": canary } },
        ];
        await cp.kubectl.run(["apply", "-f", "-"], { input: JSON.stringify({ apiVersion: "v1", kind: "List", items: byHand }) });
        await cp.kubectl.run(["rollout", "status", "deployment/legacy-hello-service", "-n", NS, "--timeout=120s"]);
    });
    after(async () => {
        await Promise.all((cp?.processes ?? []).map((p) => p.stop()));
        fs.rmSync(work, { recursive: true, force: true });
    });

    it("proposes the Helm release and the objects applied by hand, changes nothing without --write, and names secrets by key only", async () => {
        const stackBefore = fs.readFileSync(stackFile, "utf8");
        const cluster = await versions();
        const r = await adopt(["--namespace", NS]);
        assert.strictEqual(r.code, 0, `${r.stdout}\n${r.stderr}`);
        // The release runs whatever version the repository's chart is at.
        const version = (YAML.parse(fs.readFileSync(path.join(repo, "charts", "hello-service", "Chart.yaml"), "utf8")) as { version: string }).version;
        assert.ok(r.stdout.includes(`Helm release legacy/legacy-hello-service (hello-service ${version}, revision 1)`), r.stdout);
        assert.match(r.stdout, /ConfigMap legacy\/legacy-settings/);
        assert.match(r.stdout, /Secret legacy\/legacy-credentials \(applied by kubectl-client-side-apply\): api-key/);
        assert.match(r.stdout, /values: podAnnotations\.api-token: put each in an ExternalSecret/);
        assert.doesNotMatch(r.stdout, /ReplicaSet legacy|Pod legacy|kube-root-ca/, "controller-made objects proposed");
        assert.deepStrictEqual(findCanary(canary, { files: [], texts: { stdout: r.stdout, stderr: r.stderr } }), []);
        assert.strictEqual(fs.readFileSync(stackFile, "utf8"), stackBefore, "the stack file changed without --write");
        assert.ok(!fs.existsSync(path.join(repo, "charts", "adopted-legacy")), "a chart written without --write");
        assert.deepStrictEqual(await versions(), cluster, "the cluster changed");
    });

    it("--write adds the entries to the stack file (comments kept, valid for the program) and the chart of the objects by hand, and nothing else changes", async () => {
        const cluster = await versions();
        const r = await adopt(["--namespace", NS, "--write"]);
        assert.strictEqual(r.code, 0, `${r.stdout}\n${r.stderr}`);
        const text = fs.readFileSync(stackFile, "utf8");
        assert.match(text, /# The embedded default stack/, "the stack file's comments are gone");
        const platform = (YAML.parse(text) as { config: Record<string, { gitops: { applications: Record<string, unknown>[]; projects: Record<string, unknown>[] } }> }).config["gitops-platform:platform"];
        const app = (name: string) => platform.gitops.applications.find((a) => a.name === name);
        assert.deepStrictEqual(app("legacy-hello-service"), {
            name: "legacy-hello-service",
            project: "adopted-legacy",
            source: { repository: "gitops-platform", path: "charts/hello-service", revision: "main", trackBranch: true },
            destination: { namespace: NS },
            values: { image: { tag: "6.7.0" } },
            adoption: { fieldManager: "helm" },
        });
        assert.deepStrictEqual(app("adopted-legacy")?.adoption, { fieldManager: "kubectl-client-side-apply" });
        assert.deepStrictEqual(platform.gitops.projects.find((p) => p.name === "adopted-legacy")?.destinations, [{ namespace: NS }]);
        const template = fs.readFileSync(path.join(repo, "charts", "adopted-legacy", "templates", "configmap-legacy-settings.yaml"), "utf8");
        assert.doesNotMatch(template, /uid:|resourceVersion|managedFields|last-applied/);
        // The chart renders the ConfigMap as it runs: helm template of the written chart gives back the text.
        const rendered = YAML.parse(helm(["template", "x", path.join(repo, "charts", "adopted-legacy"), "--namespace", NS])) as { data: Record<string, string> };
        assert.deepStrictEqual(rendered.data, { GREETING: "{{ not a template }}" });
        assert.ok(!fs.readdirSync(path.join(repo, "charts", "adopted-legacy", "templates")).some((f) => f.startsWith("secret")), "a Secret copied into the chart");
        const leaks = findCanary(canary, { files: [stackFile, path.join(repo, "docs", "adoption", "local.md"), ...fs.readdirSync(path.join(repo, "charts", "adopted-legacy", "templates")).map((f) => path.join(repo, "charts", "adopted-legacy", "templates", f))], texts: {} });
        assert.deepStrictEqual(leaks, []);
        assert.deepStrictEqual(await versions(), cluster, "the cluster changed");
    });

    it("a second run finds both already declared and writes nothing", async () => {
        const stackBefore = fs.readFileSync(stackFile, "utf8");
        const r = await adopt(["--namespace", NS, "--write"]);
        assert.strictEqual(r.code, 1, `${r.stdout}\n${r.stderr}`);
        assert.match(r.stdout, /gitops\.applications\[\d+\] is already named legacy-hello-service/);
        assert.match(r.stderr, /nothing written/);
        assert.strictEqual(fs.readFileSync(stackFile, "utf8"), stackBefore);
    });

    it("--finish before pulumi up made the Applications keeps the release records and says why", async () => {
        const r = await adopt(["--namespace", NS, "--finish"]);
        assert.strictEqual(r.code, 1, `${r.stdout}\n${r.stderr}`);
        assert.match(r.stdout, /legacy-hello-service: not Argo CD's whole yet, the release records are kept:\n  - Application argocd\/legacy-hello-service: not found \(run pulumi up first\)/);
        assert.match(helm(["list", "--namespace", NS, "--short"]), /legacy-hello-service/);
    });

    it("a release of a chart in no allowed repository is refused, nothing written", async () => {
        const other = path.join(work, "other-chart");
        execFileSync(path.join(BIN_DIR, "helm"), ["create", other], { env: { ...process.env, HELM_CACHE_HOME: path.join(work, "helm"), HELM_CONFIG_HOME: path.join(work, "helm"), HELM_DATA_HOME: path.join(work, "helm") } });
        helm(["install", "stray", other, "--namespace", "elsewhere", "--create-namespace"]);
        const stackBefore = fs.readFileSync(stackFile, "utf8");
        const r = await adopt(["--namespace", "elsewhere", "--write"]);
        assert.strictEqual(r.code, 1, `${r.stdout}\n${r.stderr}`);
        assert.match(r.stdout, /Helm release elsewhere\/stray \(other-chart 0\.1\.0, revision 1\): chart other-chart 0\.1\.0 is in no repository the stack allows/);
        assert.strictEqual(fs.readFileSync(stackFile, "utf8"), stackBefore);
        assert.ok(!fs.existsSync(path.join(repo, "charts", "adopted-elsewhere")));
    });

    it("the two steps in one run, and an unknown stack, are bad input (exit 2)", async () => {
        const both = await adopt(["--write", "--finish"]);
        assert.strictEqual(both.code, 2);
        assert.match(both.stderr, /--write and --finish are two steps of the takeover/);
        const unknown = await new Promise<Run>((resolve) =>
            execFile(path.join(PROJECT_ROOT, "node_modules", ".bin", "ts-node"), ["--transpile-only", path.join(PROJECT_ROOT, "tools", "adopt", "cli.ts"), "--stack", "nope", "--kubeconfig", cp!.kubeconfigPath], { cwd: PROJECT_ROOT }, (e, stdout, stderr) =>
                resolve({ code: e ? (typeof e.code === "number" ? e.code : 1) : 0, stdout, stderr }),
            ),
        );
        assert.strictEqual(unknown.code, 2);
        assert.match(unknown.stderr, /--stack nope: not a stack of this project/);
    });

    it("an unreachable cluster is a clear error naming the kubeconfig (exit 2)", async () => {
        const dead = path.join(work, "dead.kubeconfig");
        const config = JSON.parse(fs.readFileSync(cp!.kubeconfigPath, "utf8")) as { clusters: { cluster: { server: string } }[] };
        config.clusters[0].cluster.server = "https://127.0.0.1:1";
        fs.writeFileSync(dead, JSON.stringify(config));
        const r = await adopt(["--namespace", NS], dead);
        assert.strictEqual(r.code, 2, `${r.stdout}\n${r.stderr}`);
        assert.match(r.stderr, new RegExp(`adopt: reading .* from the cluster \\(kubeconfig ${dead.replace(/[.]/g, "\\.")}\\): .*refused`));
    });
});
