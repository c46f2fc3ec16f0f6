// `npm run up`: the whole loop on this machine, left running to look around; `npm run down` ends it.
//   up:   pinned tools (built on first run), the local control plane and Argo CD's controllers and
//         API server as processes on loopback, `pulumi up --stack local` with the policy pack against
//         them, then a table of the Applications and how to log in with the argocd CLI.
//   down: `pulumi destroy`, then every process stopped by its recorded pid and the data removed.
//   recover: after a `pulumi up` of the local stack that was killed (SIGKILL, a closed terminal):
//         its stale lock removed, its pending operations settled by a refresh, the update again,
//         and the state read back (tools/engine/recover.ts).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { CliResult, pulumiHome, runPulumi } from "../engine/pulumi-cli";
import { recoverAndUpdate, RecoveryError } from "../engine/recover";
import { applicationStatuses } from "./applications";
import { startArgoCdControllers } from "./argocd-controllers";
import { startControlPlane } from "./control-plane";
import { stopGpgAgents } from "./gpg";
import { Kubectl } from "./kubectl";
import { onLocalCluster, writeLocalStackFile } from "./local-stack";
import { startLoopAuditSink } from "./loop-audit-sink";
import { serveLoopGit } from "./loop-git";
import { auditedStack, makeLoopKeys } from "./loop-keys";
import { loopStoreKeys, startLoopSecrets } from "./loop-secrets";
import { LoopState, loopLayout } from "./loop-state";
import { sleep, stopPid } from "./managed-process";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const LOOP = loopLayout(PROJECT_ROOT);
const DATA = LOOP.data;
const STATE = LOOP.state;
const CONFIG_FILE = LOOP.configFile;
const BIN = path.join(PROJECT_ROOT, ".tools", "bin");
const ws = LOOP.ws;
const STACK_ARGS = LOOP.stackArgs;
const POLICY_ARGS = LOOP.policyArgs;

async function up(): Promise<number> {
    if (fs.existsSync(STATE)) {
        console.error(`up: a local cluster is already running (${STATE}); npm run down first`);
        return 2;
    }
    console.log("up: pinned tools (the first run builds them from Go modules: 30 to 60 minutes on 2 cores)");
    if (spawnSync("bash", [path.join(PROJECT_ROOT, "tools", "install.sh")], { stdio: "inherit" }).status !== 0) return 1;
    console.log("up: local: the control plane, Argo CD, Git and state are on this machine; the nodes are KWOK's (no container runs)");
    console.log("up: the argo-cd chart cannot be pulled offline: Argo CD's own manifests come from .tools/charts/argo-cd");
    fs.mkdirSync(DATA, { recursive: true });
    const state: LoopState = { pids: [], kubeconfig: path.join(DATA, "cluster", "kubeconfig") };
    const save = () => fs.writeFileSync(STATE, JSON.stringify(state, null, 2));
    try {
        const cp = await startControlPlane({ binDir: BIN, dataDir: path.join(DATA, "cluster"), detached: true, log: console.log });
        state.pids.push(...cp.processes.map((p) => ({ name: p.name, pid: p.pid })));
        save();
        const secrets = await startLoopSecrets({ binDir: BIN, etcdUrl: cp.etcdUrl, hub: cp, dataDir: path.join(DATA, "secrets"), detached: true, log: console.log });
        state.pids.push({ name: secrets.operator.name, pid: secrets.operator.pid }, { name: secrets.store.process.name, pid: secrets.store.process.pid });
        save();
        // Signed commits and strict source integrity, as in CI's loop: the trusted keys are the
        // developer's and the commit server's, written where the stack file points (removed by down).
        const keys = makeLoopKeys(PROJECT_ROOT, path.join(DATA, "gpg"), path.relative(PROJECT_ROOT, path.join(DATA, "signing-keys")));
        state.developer = keys.developer;
        state.verifier = keys.verifier;
        state.trustedKeys = [keys.developer.fingerprint, keys.commitServer.fingerprint];
        const git = await serveLoopGit({ projectRoot: PROJECT_ROOT, dir: path.join(DATA, "git"), signer: keys.developer, detached: true });
        state.pids.push({ name: git.server.process.name, pid: git.server.process.pid });
        save();
        // The commit server's own first commit of a branch is unsigned (3.6.1): the branch is opened signed.
        git.repo.openBranch("environments/local", "Open environments/local for Argo CD's source hydrator");
        const sink = await startLoopAuditSink({ dir: path.join(DATA, "audit-sink"), detached: true });
        state.pids.push({ name: sink.receiver.process.name, pid: sink.receiver.process.pid });
        save();
        writeLocalStackFile(PROJECT_ROOT, CONFIG_FILE, (platform) => {
            onLocalCluster(git.url)(platform);
            auditedStack(keys)(platform);
            sink.stackChange(platform);
            secrets.stackChange(platform);
        });
        // In the store before the ExternalSecrets exist, as a platform team would: outside Pulumi.
        const storeKeys = loopStoreKeys(CONFIG_FILE);
        await git.putCredentials(secrets, storeKeys);
        await sink.putToken(secrets, storeKeys.notifications!);
        const init = await runPulumi(ws, ["stack", "init", "local", "--secrets-provider", "passphrase"]);
        if (init.code !== 0 && !/already exists/.test(init.stderr)) throw new Error(init.stderr);
        const set = await runPulumi(ws, ["config", "set", "--secret", "kubeconfig", ...STACK_ARGS], { input: fs.readFileSync(cp.kubeconfigPath, "utf8") });
        if (set.code !== 0) throw new Error(set.stderr);
        console.log("up: pulumi up --stack local --policy-pack policies/launch");
        const pulumiUp = await runPulumi(ws, ["up", "--yes", ...STACK_ARGS, ...POLICY_ARGS]);
        const upLog = keepCliOutput("pulumi-up.log", pulumiUp);
        if (pulumiUp.code !== 0) throw new Error(`pulumi up failed (exit ${pulumiUp.code}); its output: ${upLog}\n${lastLines(pulumiUp, 30)}`);
        for (const line of outcomeLines(pulumiUp)) console.log(`up: pulumi up: ${line}`);
        console.log(`up: pulumi up done in ${pulumiUp.seconds.toFixed(1)} s; its output: ${upLog}`);
        await cp.kubectl.waitFor(["wait", "--for=condition=Ready", "externalsecrets", "--all", "-n", "argocd", "--timeout=5s"], 120_000, "External Secrets Operator to make the repository and notifications Secrets");
        await keys.applySigningKeySecret(cp.kubectl, "argocd");
        const argocd = await startArgoCdControllers({
            binDir: BIN,
            kubeconfigPath: cp.kubeconfigPath,
            namespace: "argocd",
            dataDir: path.join(DATA, "argocd"),
            detached: true,
            log: console.log,
            apiServer: true,
            trustedCertificates: [git.server.certificateFile, sink.receiver.certificateFile].map((certificateFile) => ({ host: "127.0.0.1", certificateFile })),
            notifications: { trustedCertificates: [sink.receiver.certificateFile] },
        });
        state.pids.push(...argocd.processes.map((p) => ({ name: p.name, pid: p.pid })));
        save();
        await printApplications(cp.kubectl);
        const server = argocd.server!;
        const rel = (p: string) => path.relative(PROJECT_ROOT, p);
        // The password stays in the stack config: the printed command reads it there (passphrase:
        // the local stack's public one) and pipes it to the CLI, which reads it from stdin.
        const pulumiEnv = `PULUMI_BACKEND_URL=file://${ws.backendDir} PULUMI_CONFIG_PASSPHRASE=${ws.passphrase} PULUMI_HOME=${pulumiHome(PROJECT_ROOT)} PULUMI_SKIP_UPDATE_CHECK=true`;
        console.log(`
Argo CD's API server: https://${server.address} (TLS, certificate ${rel(server.certificateFile)}); the web UI's assets cannot be built here, so it serves the API only.
Log in as admin (the password is the stack's argocdAdminPassword; argocd login checks the certificate with SSL_CERT_FILE, later commands with --server-crt):
  export ARGOCD_OPTS="--config ${rel(path.join(DATA, "argocd", "cli-config"))} --server-crt ${rel(server.certificateFile)}"
  ${pulumiEnv} .tools/bin/pulumi config get argocdAdminPassword ${STACK_ARGS.join(" ")} \\
    | SSL_CERT_FILE=${rel(server.certificateFile)} .tools/bin/argocd login ${server.address} --username admin
  .tools/bin/argocd app list; .tools/bin/argocd app history hello-service; .tools/bin/argocd app diff hello-service

Look around:
  export KUBECONFIG=${cp.kubeconfigPath}
  .tools/bin/kubectl get applications -n argocd
  .tools/bin/kubectl get applications hello-service -n argocd -o yaml   # sync and health status
  (\`argocd --core\` would port-forward to the in-cluster Redis pod, which KWOK only pretends to run)
  git clone ${git.url} (its certificate: ${rel(git.server.certificateFile)}; reading needs the credentials of the Secret argocd/repo-gitops-platform)
  commit as the developer the stack trusts (unsigned commits do not sync; hello-audited syncs what the commit server hydrates to environments/local):
    cd ${rel(git.repo.checkoutDir)} && GNUPGHOME=${path.resolve(keys.developer.home)} git -c user.signingkey=${keys.developer.fingerprint} commit -S -am "..." && git push origin main
  npm run tour                                  # the whole flow step by step (on a loop of its own: npm run down first)
  the secrets store: KUBECONFIG=${secrets.store.kubeconfigPath} .tools/bin/kubectl get secrets -n gitops-secrets   # rotate a value there: External Secrets Operator refreshes it within the stack's refreshInterval
  the audit webhook's events (every sync, failed verification, ...): ${rel(sink.receiver.eventsFile)}; npm run audit -- --stack local
  logs: ${DATA}/cluster/logs, ${DATA}/argocd/logs, ${DATA}/git/server/lighttpd.log, ${secrets.operator.logFile}
  npm run down                                  # destroy the stack and stop every process`);
        return 0;
    } catch (e) {
        console.error(`up: ${(e as Error).message}`);
        console.error("up: stopping what was started (npm run down)");
        await down();
        return 1;
    }
}

/** The CLI's whole output, kept under out/local-cluster (the loop's own data goes with npm run down); returns the path to show. */
function keepCliOutput(name: string, r: CliResult): string {
    const dir = path.join(PROJECT_ROOT, "out", "local-cluster");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, name), `$ pulumi ${r.args.join(" ")}\n${r.stdout}\n${r.stderr}\n[exit ${r.code}, ${r.seconds.toFixed(1)} s]\n`);
    return path.relative(PROJECT_ROOT, path.join(dir, name));
}

function lastLines(r: CliResult, n: number): string {
    return `${r.stdout}\n${r.stderr}`.trim().split("\n").slice(-n).join("\n");
}

/** What the update did, as the CLI sums it up (`+ 80 created`, `Duration: 41s`) and the policy pack's findings count. */
function outcomeLines(r: CliResult): string[] {
    const lines = r.stdout.split("\n").map((l) => l.trim());
    const resources = lines.filter((l) => /^[+~-]?\s*\d+ (created|updated|deleted|replaced|unchanged)$/.test(l));
    const advisory = lines.filter((l) => /\[advisory\]/.test(l)).length;
    return [resources.join(", "), ...(advisory ? [`${advisory} advisory policy findings (in the output)`] : [])].filter((l) => l !== "");
}

async function printApplications(kubectl: Kubectl): Promise<void> {
    const deadline = Date.now() + 180_000;
    let apps = await applicationStatuses(kubectl, "argocd");
    while (Date.now() < deadline && !apps.some((a) => a.sync === "Synced" && a.health === "Healthy")) {
        await sleep(2000);
        apps = await applicationStatuses(kubectl, "argocd");
    }
    const note = (m?: string) => (!m ? "" : /cannot be reached|no such host|dial tcp/.test(m) ? "chart repository not reachable offline" : m.slice(0, 60));
    const rows = apps.map((a) => [a.name, a.sync, a.health, a.revision.slice(0, 12), note(a.message)]);
    const header = ["APPLICATION", "SYNC", "HEALTH", "REVISION", "NOTE"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    for (const r of [header, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i])).join("  "));
}

async function down(): Promise<number> {
    if (!fs.existsSync(STATE)) {
        console.log("down: no local cluster is running");
        fs.rmSync(DATA, { recursive: true, force: true });
        return 0;
    }
    const state = JSON.parse(fs.readFileSync(STATE, "utf8")) as LoopState;
    if (fs.existsSync(CONFIG_FILE)) {
        // Destroy while Argo CD still runs: it removes the Applications' finalizers and resources.
        const destroy = await runPulumi(ws, ["destroy", "--yes", ...STACK_ARGS]);
        const destroyLog = keepCliOutput("pulumi-destroy.log", destroy);
        console.log(destroy.code === 0 ? `down: pulumi destroy done in ${destroy.seconds.toFixed(1)} s; its output: ${destroyLog}` : `down: pulumi destroy failed (the cluster goes anyway); its output: ${destroyLog}\n${lastLines(destroy, 15)}`);
    }
    for (const p of [...state.pids].reverse()) await stopPid(p.pid);
    stopGpgAgents(DATA);
    console.log(`down: stopped ${state.pids.length} processes`);
    fs.rmSync(DATA, { recursive: true, force: true });
    return 0;
}

async function recover(): Promise<number> {
    if (!fs.existsSync(STATE)) {
        console.error("recover: no local cluster is running (npm run up)");
        return 2;
    }
    try {
        console.log("recover: then pulumi up --stack local --policy-pack policies/launch, and a refresh");
        const recovery = await recoverAndUpdate(ws, STACK_ARGS, () => runPulumi(ws, ["up", "--yes", ...STACK_ARGS, ...POLICY_ARGS], { inherit: true }));
        for (const lock of recovery.staleLocks) console.log(`recover: stale lock of pid ${lock.pid} (gone) since ${lock.timestamp}: ${lock.file}`);
        for (const op of recovery.pendingOperations) console.log(`recover: pending operation ${op.type} ${op.urn}${op.id ? ` (imported as ${op.id})` : ""}`);
        for (const command of recovery.commands) console.log(`recover: ran ${command}`);
        return 0;
    } catch (e) {
        if (!(e instanceof RecoveryError)) throw e;
        console.error(`recover: ${e.message}`);
        return 1;
    }
}

const command = process.argv[2];
const commands: Record<string, () => Promise<number>> = { up, down, recover };
if (!commands[command]) {
    console.error("usage: ts-node tools/local-cluster/cli.ts up|down|recover");
    process.exit(2);
}
commands[command]().then((code) => process.exit(code));
