// `npm run up`: the whole loop on this machine, left running to look around; `npm run down` ends it.
//   up:   the pinned tools the loop runs (built on first run), the local control plane and Argo CD's
//         controllers and API server as processes on loopback, `pulumi up --stack local` with the
//         policy pack against them, then a table of the Applications and how to log in with the
//         argocd CLI. A line per step with its time; the details go to out/local-cluster/up.log.
//   down: every process stopped by its recorded pid and the loop's data (the stack's state among
//         it) removed.
//   recover: after a `pulumi up` of the local stack that was killed (SIGKILL, a closed terminal):
//         its stale lock removed, its pending operations settled by a refresh, the update again,
//         and the state read back (tools/engine/recover.ts).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { upArgoCdCrds } from "../engine/argocd-crds-stack";
import { CliResult, pulumiHome, runPulumi } from "../engine/pulumi-cli";
import { recoverAndUpdate, RecoveryError } from "../engine/recover";
import { ApplicationStatus, applicationStatuses } from "./applications";
import { startArgoCdControllers } from "./argocd-controllers";
import { startControlPlane } from "./control-plane";
import { stopGpgAgents } from "./gpg";
import { Kubectl } from "./kubectl";
import { onLocalCluster, writeLocalStackFile } from "./local-stack";
import { startLoopAuditSink } from "./loop-audit-sink";
import { serveLoopGit } from "./loop-git";
import { auditedStack, makeLoopKeys } from "./loop-keys";
import { loopStoreKeys, startLoopSecrets } from "./loop-secrets";
import { LoopState, loopLayout, readLoopState } from "./loop-state";
import { sleep, stopPid } from "./managed-process";
import { Progress } from "./progress";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const LOOP = loopLayout(PROJECT_ROOT);
const DATA = LOOP.data;
const STATE = LOOP.state;
const CONFIG_FILE = LOOP.configFile;
const BIN = path.join(PROJECT_ROOT, ".tools", "bin");
/** Kept after down: the CLI's output and the steps' details of the last up and down. */
const OUT = path.join(PROJECT_ROOT, "out", "local-cluster");
const ws = LOOP.ws;
const STACK_ARGS = LOOP.stackArgs;
const POLICY_ARGS = LOOP.policyArgs;

async function up(): Promise<number> {
    if (fs.existsSync(STATE)) {
        console.error(`up: a local cluster is already running (${STATE}); npm run down first`);
        return 2;
    }
    const progress = new Progress("up", path.join(OUT, "up.log"));
    progress.note(`local: the control plane, Argo CD, Git and state are on this machine; the nodes are KWOK's (no container runs). Details: ${path.relative(PROJECT_ROOT, progress.logFile)}`);
    progress.note("the argo-cd chart cannot be pulled offline: Argo CD's own manifests come from .tools/charts/argo-cd");
    // Only what the loop runs; the first run builds these (48 minutes on 2 cores), the tests the rest.
    const tools = await progress.step("pinned tools", () => installLoopTools(progress));
    if (!tools) return 1;
    fs.mkdirSync(DATA, { recursive: true });
    const state: LoopState = { pids: [], kubeconfig: path.join(DATA, "cluster", "kubeconfig") };
    const save = () => fs.writeFileSync(STATE, JSON.stringify(state, null, 2));
    const log = progress.log;
    try {
        const cp = await progress.step("control plane: etcd, kube-apiserver, a KWOK node", async () => {
            const cp = await startControlPlane({ binDir: BIN, dataDir: path.join(DATA, "cluster"), detached: true, log });
            state.pids.push(...cp.processes.map((p) => ({ name: p.name, pid: p.pid })));
            save();
            return cp;
        });
        // The secrets store and Git need only the control plane, not each other: side by side.
        const secretsStarted = progress.step("secrets store and External Secrets Operator", async () => {
            const secrets = await startLoopSecrets({ binDir: BIN, etcdUrl: cp.etcdUrl, hub: cp, dataDir: path.join(DATA, "secrets"), detached: true, log });
            state.pids.push({ name: secrets.operator.name, pid: secrets.operator.pid }, { name: secrets.store.process.name, pid: secrets.store.process.pid });
            save();
            return secrets;
        });
        const gitStarted = progress.step("signing keys, Git server, audit webhook", async () => {
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
            return { keys, git, sink };
        });
        // Argo CD's CRDs need only the cluster and the stack file (docs/adr-0011-argocd-crds-stack.md):
        // the file is written once Git is up, and they go up while the secrets store still starts.
        const written = gitStarted.then(({ keys, git, sink }) =>
            progress.step("stack local written (kubeconfig as a secret)", async () => {
                writeLocalStackFile(PROJECT_ROOT, CONFIG_FILE, (platform) => {
                    onLocalCluster(git.url)(platform);
                    auditedStack(keys)(platform);
                    sink.stackChange(platform);
                });
                const init = await runPulumi(ws, ["stack", "init", "local", "--secrets-provider", "passphrase"]);
                if (init.code !== 0 && !/already exists/.test(init.stderr)) throw new Error(init.stderr);
                const set = await runPulumi(ws, ["config", "set", "--secret", "kubeconfig", ...STACK_ARGS], { input: fs.readFileSync(cp.kubeconfigPath, "utf8") });
                if (set.code !== 0) throw new Error(set.stderr);
            }),
        );
        const crdsUp = written.then(() =>
            progress.step("pulumi up of Argo CD's CRDs (argocd-crds, stack local)", async () => {
                const r = await upArgoCdCrds(ws, STACK_ARGS, POLICY_ARGS);
                if (r) keepCliOutput("pulumi-up-argocd-crds.log", r);
            }),
        );
        const configured = Promise.all([secretsStarted, gitStarted, written]).then(([secrets, { keys, git, sink }]) =>
            progress.step("stack local configured (credentials in the secrets store)", async () => {
                // The file renamed into place whole: the CRDs' update may be reading it.
                writeLocalStackFile(PROJECT_ROOT, CONFIG_FILE, secrets.stackChange, CONFIG_FILE);
                // In the store before the ExternalSecrets exist, as a platform team would: outside Pulumi.
                const storeKeys = loopStoreKeys(CONFIG_FILE);
                await git.putCredentials(secrets, storeKeys);
                await sink.putToken(secrets, storeKeys.notifications!);
                return { secrets, keys, git, sink };
            }),
        );
        const [{ secrets, keys, git, sink }] = await both(configured, crdsUp);
        // No separate preview: nobody reads it here, and the policy pack judges every resource of
        // the update itself (a mandatory finding stops it, and down removes what was made).
        const pulumiUp = await progress.step("pulumi up --stack local --policy-pack policies/launch", async () => {
            const r = await runPulumi(ws, ["up", "--yes", "--skip-preview", ...STACK_ARGS, ...POLICY_ARGS, "--event-log", path.join(OUT, "pulumi-up.events.jsonl")]);
            const upLog = keepCliOutput("pulumi-up.log", r);
            if (r.code !== 0) throw new Error(`pulumi up failed (exit ${r.code}); its output: ${upLog}\n${lastLines(r, 30)}`);
            return { ...r, log: upLog };
        });
        for (const line of outcomeLines(pulumiUp)) progress.note(`  ${line}`);
        await progress.step("External Secrets Operator made the repository and notifications Secrets", async () => {
            await cp.kubectl.waitFor(["wait", "--for=condition=Ready", "externalsecrets", "--all", "-n", "argocd", "--timeout=5s"], 120_000, "External Secrets Operator to make the repository and notifications Secrets");
            await keys.applySigningKeySecret(cp.kubectl, "argocd");
        });
        const argocd = await progress.step("Argo CD: controllers, repo server, commit server, API server", async () => {
            const argocd = await startArgoCdControllers({
                binDir: BIN,
                kubeconfigPath: cp.kubeconfigPath,
                namespace: "argocd",
                dataDir: path.join(DATA, "argocd"),
                detached: true,
                log,
                apiServer: true,
                trustedCertificates: [git.server.certificateFile, sink.receiver.certificateFile].map((certificateFile) => ({ host: "127.0.0.1", certificateFile })),
                notifications: { trustedCertificates: [sink.receiver.certificateFile] },
            });
            state.pids.push(...argocd.processes.map((p) => ({ name: p.name, pid: p.pid })));
            save();
            return argocd;
        });
        const apps = await progress.step("Applications synced (those whose source is reachable offline)", () => settledApplications(cp.kubectl));
        printApplications(apps);
        const unsettled = apps.filter((a) => !settled(a)).map((a) => a.name);
        if (apps.length === 0 || unsettled.length > 0) progress.note(`not settled after 3 minutes: ${unsettled.join(", ") || "no Application at all"} (Argo CD's logs: ${path.relative(PROJECT_ROOT, path.join(DATA, "argocd", "logs"))})`);
        progress.note(`ready in ${progress.elapsed.toFixed(1)} s; pulumi's output: ${pulumiUp.log}, the steps' details: ${path.relative(PROJECT_ROOT, progress.logFile)}`);
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

/** Both results; when one fails, its error once the other has settled too (so its pids are in the state down reads). */
async function both<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
    const [ra, rb] = await Promise.allSettled([a, b]);
    if (ra.status === "rejected") throw ra.reason;
    if (rb.status === "rejected") throw rb.reason;
    return [ra.value, rb.value];
}

/** The CLI's whole output, kept under out/local-cluster (the loop's own data goes with npm run down); returns the path to show. */
function keepCliOutput(name: string, r: CliResult): string {
    fs.mkdirSync(OUT, { recursive: true });
    fs.writeFileSync(path.join(OUT, name), `$ pulumi ${r.args.join(" ")}\n${r.stdout}\n${r.stderr}\n[exit ${r.code}, ${r.seconds.toFixed(1)} s]\n`);
    return path.relative(PROJECT_ROOT, path.join(OUT, name));
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

/** An Application whose chart repository is on the internet cannot sync here; its status says so. */
const unreachableOffline = (m?: string) => m !== undefined && /cannot be reached|no such host|dial tcp/.test(m);

/** Synced and Healthy, or failing only for want of the internet. */
const settled = (a: ApplicationStatus) => (a.sync === "Synced" && a.health === "Healthy") || unreachableOffline(a.message);

/** Waits (up to 3 minutes) until every Application has settled. */
async function settledApplications(kubectl: Kubectl): Promise<ApplicationStatus[]> {
    const deadline = Date.now() + 180_000;
    let apps = await applicationStatuses(kubectl, "argocd");
    while (Date.now() < deadline && !(apps.length > 0 && apps.every(settled))) {
        await sleep(500);
        apps = await applicationStatuses(kubectl, "argocd");
    }
    return apps;
}

function printApplications(apps: ApplicationStatus[]): void {
    const note = (m?: string) => (!m ? "" : unreachableOffline(m) ? "chart repository not reachable offline" : m.slice(0, 60));
    const rows = apps.map((a) => [a.name, a.sync, a.health, a.revision.slice(0, 12), note(a.message)]);
    const header = ["APPLICATION", "SYNC", "HEALTH", "REVISION", "NOTE"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    for (const r of [header, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
}

async function down(): Promise<number> {
    const progress = new Progress("down", path.join(OUT, "down.log"));
    const state = readLoopState(LOOP);
    if (!state) {
        progress.note("no local cluster is running");
        fs.rmSync(DATA, { recursive: true, force: true });
        return 0;
    }
    // No pulumi destroy: the stack's state, the cluster, Git and the secrets store all live under the
    // loop's data and go with it (the e2e destroys the stack for real). The processes go at once,
    // nothing left needs an order, and after 2 s they are killed: the kube-apiservers' graceful
    // shutdown takes over 10 s and protects data that is removed next.
    await progress.step(`${state.pids.length} processes stopped`, async () => {
        await Promise.all(state.pids.map((p) => stopPid(p.pid, 2_000)));
        stopGpgAgents(DATA);
    });
    await progress.step(`${path.relative(PROJECT_ROOT, DATA)} removed (the stack's state, the cluster's etcd, Git, keys)`, () => fs.rmSync(DATA, { recursive: true, force: true }));
    progress.note(`done in ${progress.elapsed.toFixed(1)} s`);
    return 0;
}

/**
 * `tools/install.sh loop`: the tools the loop runs, built on the first run. Their table goes to the
 * log; install.sh's own progress (a line per build started and finished) reaches the terminal.
 */
function installLoopTools(progress: Progress): boolean {
    const install = spawnSync("bash", [path.join(PROJECT_ROOT, "tools", "install.sh"), "loop"], { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
    progress.log(install.stdout);
    if (install.status !== 0) progress.note(`tools/install.sh loop failed (exit ${install.status}); its table:\n${install.stdout}`);
    return install.status === 0;
}

async function recover(): Promise<number> {
    if (!fs.existsSync(STATE)) {
        console.error("recover: no local cluster is running (npm run up)");
        return 2;
    }
    try {
        console.log("recover: then pulumi up --stack local --policy-pack policies/launch, and the objects it recorded as they were before it read back");
        const recovery = await recoverAndUpdate(ws, STACK_ARGS, () => runPulumi(ws, ["up", "--yes", ...STACK_ARGS, ...POLICY_ARGS], { inherit: true }));
        for (const lock of recovery.staleLocks) console.log(`recover: stale lock of pid ${lock.pid} (gone) since ${lock.timestamp}: ${lock.file}`);
        for (const op of recovery.pendingOperations) console.log(`recover: pending operation ${op.type} ${op.urn}${op.id ? ` (imported as ${op.id})` : ""}`);
        for (const record of recovery.staleRecords) console.log(`recover: ${record.urn} was recorded as it was before the update (${record.differences.join("; ")}); read back`);
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
