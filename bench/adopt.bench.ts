/**
 * `npm run adopt` on a cluster with 50 Helm releases (generated: charts/hello-service installed with
 * the real helm into 10 namespaces on the local control plane, so their Deployments, ReplicaSets and
 * pods exist too) and 10 ConfigMaps applied by hand. Measured: installing them (for scale), the
 * adopter's read of the cluster, the proposal, the stack file edit and its validation, the whole CLI
 * as a user runs it, and the size of the proposal (entries, lines added to the stack file, the plan).
 * Figures only, never asserted: the machines are shared and noisy.
 */
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { readInventory } from "../tools/adopt/inventory";
import { takeoverPlan } from "../tools/adopt/plan";
import { propose } from "../tools/adopt/proposal";
import { editStackFile } from "../tools/adopt/stack-edit";
import { startControlPlane } from "../tools/local-cluster/control-plane";
import { readStackConfig } from "../tools/plan/stack-file";
import { parsePlatform } from "../stacks/load";
import { printTable, recordResults, ROOT } from "./results";

const RELEASES = 50;
const NAMESPACES = 10;
const BY_HAND = 10;
/** helm installs at once (2 cores). */
const PARALLEL = 4;

const seconds = (ms: number) => Math.round(ms / 100) / 10;

async function main(): Promise<void> {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-bench-adopt-"));
    const binDir = path.join(ROOT, ".tools", "bin");
    const repo = path.join(work, "repo");
    fs.mkdirSync(path.join(repo, "charts"), { recursive: true });
    fs.cpSync(path.join(ROOT, "charts", "hello-service"), path.join(repo, "charts", "hello-service"), { recursive: true });
    for (const args of [["init", "--quiet", "--initial-branch", "main"], ["add", "--all"], ["commit", "--quiet", "-m", "charts"]]) {
        execFileSync("git", ["-C", repo, "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false", ...args]);
    }
    const stackFile = path.join(work, "Pulumi.local.yaml");
    fs.copyFileSync(path.join(ROOT, "stacks", "Pulumi.local.yaml"), stackFile);
    const cp = await startControlPlane({ binDir, dataDir: path.join(work, "cluster") });
    try {
        const helmEnv = { ...process.env, HELM_CACHE_HOME: path.join(work, "helm"), HELM_CONFIG_HOME: path.join(work, "helm"), HELM_DATA_HOME: path.join(work, "helm") };
        const install = (i: number) =>
            new Promise<void>((resolve, reject) => {
                const name = `svc-${String(i).padStart(2, "0")}-hello-service`;
                const args = ["install", name, path.join(repo, "charts", "hello-service"), "--namespace", `team-${i % NAMESPACES}`, "--create-namespace", "--set", `image.tag=6.7.${i % 2}`, "--kubeconfig", cp.kubeconfigPath];
                execFile(path.join(binDir, "helm"), args, { env: helmEnv }, (e, _out, stderr) => (e ? reject(new Error(`helm install ${name}: ${stderr}`)) : resolve()));
            });
        const installStarted = performance.now();
        for (let i = 0; i < RELEASES; i += PARALLEL) await Promise.all(Array.from({ length: Math.min(PARALLEL, RELEASES - i) }, (_, k) => install(i + k)));
        const installSeconds = seconds(performance.now() - installStarted);
        const configMaps = Array.from({ length: BY_HAND }, (_, i) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `by-hand-${i}`, namespace: `team-${i % NAMESPACES}` }, data: { setting: String(i) } }));
        await cp.kubectl.run(["apply", "-f", "-"], { input: JSON.stringify({ apiVersion: "v1", kind: "List", items: configMaps }) });

        const platform = parsePlatform(readStackConfig(ROOT, "local", stackFile).config["gitops-platform:platform"]).platform!;
        let t = performance.now();
        const inventory = await readInventory(cp.kubectl, { namespaces: [], argocdNamespace: "argocd" });
        const readSeconds = seconds(performance.now() - t);
        t = performance.now();
        const proposal = await propose(inventory, platform, { stack: "local", checkout: { dir: repo, repository: "gitops-platform" } });
        const proposeMs = Math.round(performance.now() - t);
        t = performance.now();
        const before = fs.readFileSync(stackFile, "utf8");
        const edited = editStackFile(before, stackFile, proposal);
        const editMs = Math.round(performance.now() - t);
        if (proposal.problems.length > 0 || edited.problems.length > 0) throw new Error(`the proposal has problems:\n${[...proposal.problems, ...edited.problems].join("\n")}`);
        const plan = takeoverPlan(proposal, { stackFile });
        t = performance.now();
        execFileSync(path.join(ROOT, "node_modules", ".bin", "ts-node"), ["--transpile-only", path.join(ROOT, "tools", "adopt", "cli.ts"), "--stack", "local", "--config-file", stackFile, "--kubeconfig", cp.kubeconfigPath, "--repo-dir", repo], { cwd: ROOT, stdio: "ignore" });
        const cliSeconds = seconds(performance.now() - t);

        const lines = (s: string) => s.split("\n").length;
        const figures = {
            releases: inventory.releases.length,
            handApplied: inventory.handApplied.length,
            namespaces: inventory.namespaces.length,
            installSeconds,
            readSeconds,
            proposeMs,
            editMs,
            cliSeconds,
            applications: proposal.applications.length,
            projects: proposal.projects.length,
            stackFileLinesAdded: lines(edited.text!) - lines(before),
            planKiB: Math.round(Buffer.byteLength(plan) / 102.4) / 10,
            chartFiles: Object.keys(proposal.files).length,
        };
        printTable([
            ["found", "helm install (scale) s", "read s", "propose ms", "edit+validate ms", "npm run adopt s", "entries", "stack file +lines", "plan KiB"],
            [
                `${figures.releases} releases, ${figures.handApplied} by hand, ${figures.namespaces} namespaces`,
                `${installSeconds}`,
                `${readSeconds}`,
                `${proposeMs}`,
                `${editMs}`,
                `${cliSeconds}`,
                `${figures.applications} apps, ${figures.projects} projects`,
                `${figures.stackFileLinesAdded}`,
                `${figures.planKiB}`,
            ],
        ]);
        recordResults({ adopt: figures });
    } finally {
        await Promise.all(cp.processes.map((p) => p.stop()));
        fs.rmSync(work, { recursive: true, force: true });
    }
}

main().catch((e: Error) => {
    console.error(e.stack ?? e.message);
    process.exit(1);
});
