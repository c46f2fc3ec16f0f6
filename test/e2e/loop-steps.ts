/**
 * The GitOps loop for real (issue 11): the local stack deployed by the real engine to a local
 * control plane, reconciled by the real Argo CD from a Git repository made from this working tree.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { upArgoCdCrds } from "../../tools/engine/argocd-crds-stack";
import { startArgoCdControllers } from "../../tools/local-cluster/argocd-controllers";
import { ArgoCdServer } from "../../tools/local-cluster/argocd-server";
import { ControlPlane, startControlPlane } from "../../tools/local-cluster/control-plane";
import { stopGpgAgents } from "../../tools/local-cluster/gpg";
import { LoopAuditSink, startLoopAuditSink } from "../../tools/local-cluster/loop-audit-sink";
import { CredentialKeys, LoopGit, serveLoopGit } from "../../tools/local-cluster/loop-git";
import { LoopSecrets, loopStoreKeys, startLoopSecrets } from "../../tools/local-cluster/loop-secrets";
import { isAlive, ManagedProcess, pollUntil, sleep } from "../../tools/local-cluster/managed-process";
import { applicationStatuses, waitForApplication } from "../../tools/local-cluster/applications";
import { E2eRun, roundSeconds as round } from "./e2e-run";
import { onLocalCluster, writeLocalStackFile } from "../../tools/local-cluster/local-stack";
import { ArgoCdApiSummary, argoCdApiSteps } from "./argocd-api-steps";
import { AuditSummary, auditSteps } from "./audit-steps";
import { SecretsSummary, secretsSteps } from "./secrets-steps";
import { DriftSummary, driftSteps } from "./drift-steps";
import { AdoptSummary, adoptSteps } from "./adopt-steps";
import { auditedStack, LoopKeys, makeLoopKeys } from "../../tools/local-cluster/loop-keys";
import { ChaosLoop, FaultReport } from "../../tools/chaos/chaos-loop";
import { faultSteps } from "./fault-steps";

const STACK = "local";
const NAMESPACE = "argocd";
const APP = "hello-service";
const APP_NAMESPACE = "hello";
const APP_PROJECT = "team-hello";

export interface LoopSummary {
    cluster: { kubernetes: string; argocd: string };
    argocd: { synced: boolean; healthy: boolean; commitToSyncedSeconds: number | null; driftHealedSeconds: number | null; applicationSetApps: number; prunedSeconds: number | null };
    /** Argo CD's API server and the CLI against it. */
    argocdApi?: ArgoCdApiSummary;
    /** Hydrated manifests, signed commits, the audit trail. */
    audit?: AuditSummary;
    /** The Git credentials through External Secrets Operator: rotation, an unreachable store, a missing key. */
    secrets?: SecretsSummary & { externalSecretsReadySeconds: number | null };
    /** Drift made at each layer, reported by npm run drift and remediated. */
    drift?: DriftSummary;
    /** A Helm release and objects applied by hand taken over by npm run adopt, pulumi up and Argo CD. */
    adopt?: AdoptSummary;
    /** Each fault injected into the loop, what was seen and checked, and how long it took to converge. */
    faults?: FaultReport[];
}

export interface LoopOptions {
    /** `all` (npm run e2e) or the loop's basics and its faults only (npm run chaos). Default all. */
    groups?: "all" | "faults";
    /** Times each fault runs. Default 1. */
    faultRounds?: number;
    /** Only the faults whose description contains this (npm run chaos -- --only pulumi). */
    onlyFaults?: string;
}

export async function loopSteps(run: E2eRun, options: LoopOptions = {}): Promise<LoopSummary> {
    const everything = (options.groups ?? "all") === "all";
    const { projectRoot, work } = run;
    const binDir = path.join(projectRoot, ".tools", "bin");
    const configFile = path.join(work, "Pulumi.local-cluster.yaml");
    const stackArgs = ["--stack", STACK, "--config-file", configFile];
    const policyArgs = ["--policy-pack", "policies/launch", "--policy-pack-config", "policies/config/local.json"];
    const summary: LoopSummary = {
        cluster: { kubernetes: "not started", argocd: "not started" },
        argocd: { synced: false, healthy: false, commitToSyncedSeconds: null, driftHealedSeconds: null, applicationSetApps: 0, prunedSeconds: null },
    };
    let cp: ControlPlane | undefined;
    const controllers: ManagedProcess[] = [];
    let loopGit: LoopGit | undefined;
    let keys: LoopKeys | undefined;
    let sink: LoopAuditSink | undefined;
    let secrets: LoopSecrets | undefined;
    let storeKeys: (CredentialKeys & { notifications?: string }) | undefined;
    let apiServer: ArgoCdServer | undefined;

    await run.step("local control plane: etcd, kube-apiserver, controller-manager, scheduler, KWOK node", async () => {
        cp = await startControlPlane({ binDir, dataDir: path.join(work, "cluster"), log: (l) => console.log(`        ${l}`) });
        summary.cluster.kubernetes = cp.version;
        return cp.version;
    });

    await run.step("the secrets store (a kube-apiserver of its own, standing in for AWS Secrets Manager) and External Secrets Operator's controller, built from its module with the kubernetes provider", async () => {
        secrets = await startLoopSecrets({ binDir, etcdUrl: cp!.etcdUrl, hub: cp!, dataDir: path.join(work, "secrets"), log: (l) => console.log(`        ${l}`) });
        controllers.push(secrets.operator, secrets.store.process);
        return `store ${secrets.store.server}`;
    });

    await run.step("GnuPG keys: the developer's and the commit server's (trusted, public keys written for the stack config), a stranger's", async () => {
        keys = makeLoopKeys(projectRoot, path.join(work, "gpg"));
        return `developer ${keys.developer.fingerprint}, commit server ${keys.commitServer.fingerprint}, stranger ${keys.stranger.fingerprint}`;
    });

    await run.step("a Git repository made from the working tree's charts/, signed by the developer, served over HTTPS with credentials (git-http-backend behind lighttpd, reached through Toxiproxy)", async () => {
        loopGit = await serveLoopGit({ projectRoot, dir: path.join(work, "git"), signer: keys!.developer, proxied: true });
        controllers.push(loopGit.server.process, loopGit.proxy!.process);
        // Argo CD 3.6.1's commit server starts a branch it creates with an unsigned "Initial commit",
        // which strict verification refuses for good: the platform opens the branch, signed, first.
        const opened = loopGit.repo.openBranch(
            "environments/local",
            'Open environments/local for Argo CD\'s source hydrator\n\nSigned, so strict source integrity holds from the first commit of the branch (the commit server\'s own "Initial commit" is unsigned in 3.6.1).',
        );
        return `${loopGit.url} at ${loopGit.repo.head().slice(0, 12)}; environments/local opened at ${opened.slice(0, 12)}`;
    });

    await run.step("the audit sink: a webhook receiver on loopback (HTTPS, bearer token) that Argo CD's notifications controller will post to", async () => {
        sink = await startLoopAuditSink({ dir: path.join(work, "audit-sink") });
        controllers.push(sink.receiver.process);
        return sink.receiver.url;
    });
    const git = () => loopGit!.repo;

    // The foundation the stack reads: a copy of the local one, so the drift steps can re-apply it.
    const terraformDir = path.join(work, "terraform");
    fs.mkdirSync(terraformDir, { recursive: true });
    for (const file of ["main.tf", "terraform.tfstate"]) fs.copyFileSync(path.join(projectRoot, "stacks", "local", "terraform", file), path.join(terraformDir, file));

    const upStarted = Date.now();
    await run.step("pulumi up to the local control plane (kubeconfig mode, policy pack)", async () => {
        writeLocalStackFile(projectRoot, configFile, (platform) => {
            onLocalCluster(loopGit!.url)(platform);
            auditedStack(keys!)(platform);
            sink!.stackChange(platform);
            secrets!.stackChange(platform);
            platform.terraform = { source: { backend: "local", path: path.join(terraformDir, "terraform.tfstate") } };
        });
        // Put in the store before the ExternalSecrets exist, as a platform team would: outside Pulumi.
        storeKeys = loopStoreKeys(configFile);
        await loopGit!.putCredentials(secrets!, storeKeys);
        await sink!.putToken(secrets!, storeKeys.notifications!);
        const init = await run.cli(["stack", "init", STACK, "--secrets-provider", "passphrase"]);
        assert.ok(init.code === 0 || /already exists/.test(init.stderr), init.stderr);
        for (const [key, value] of [
            ["argocdAdminPassword", run.canary],
            ["kubeconfig", fs.readFileSync(cp!.kubeconfigPath, "utf8")],
        ]) {
            const set = await run.cli(["config", "set", "--secret", key, ...stackArgs], value);
            assert.strictEqual(set.code, 0, set.stderr);
        }
        // Argo CD's CRDs first, from their own stack, as npm run up brings them.
        await upArgoCdCrds(run.ws, stackArgs, policyArgs);
        const up = await run.cli(["up", "--yes", ...stackArgs, ...policyArgs]);
        assert.strictEqual(up.code, 0, `pulumi up failed:\n${up.stdout.split("\n").slice(-40).join("\n")}\n${up.stderr}`);
    });

    await run.step("the cluster's credentials are left in no file of the temporary directory", async () => {
        // The provider writes its kubeconfig to $TMPDIR and never removes it; runPulumi gives each run
        // a TMPDIR of its own and removes it.
        const token = (JSON.parse(fs.readFileSync(cp!.kubeconfigPath, "utf8")) as { users: { user: { token: string } }[] }).users[0].user.token;
        const tmp = os.tmpdir();
        const written = fs.readdirSync(tmp).map((f) => path.join(tmp, f)).filter((f) => {
            const st = fs.lstatSync(f, { throwIfNoEntry: false });
            return st?.isFile() && st.mtimeMs >= upStarted && st.size < 10_000_000;
        });
        const leaks = written.filter((f) => fs.readFileSync(f, "latin1").includes(token));
        assert.deepStrictEqual(leaks, [], `files in ${tmp} hold the control plane's bearer token`);
        return `${written.length} files written to ${tmp} since the run began, none with the token`;
    });

    await run.step("every AppProject, Application and ApplicationSet is accepted by the API server", async () => {
        const counts: Record<string, number> = {};
        for (const kind of ["appprojects", "applications", "applicationsets"]) {
            const list = await cp!.kubectl.get<{ items: unknown[] }>([`${kind}.argoproj.io`, "-n", NAMESPACE]);
            counts[kind] = list?.items.length ?? 0;
            assert.ok(counts[kind] > 0, `no ${kind} in the cluster`);
        }
        return JSON.stringify(counts);
    });

    await run.step("External Secrets Operator makes Argo CD's repository Secrets (read, write) and the notifications Secret from the store: every ExternalSecret Ready", async () => {
        const started = Date.now();
        const list = await cp!.kubectl.get<{ items: { metadata: { name: string } }[] }>(["externalsecrets", "-n", NAMESPACE]);
        const names = (list?.items ?? []).map((e) => e.metadata.name).sort();
        assert.deepStrictEqual(names, ["argocd-notifications-secret", "repo-gitops-platform", "repo-write-gitops-platform"]);
        await cp!.kubectl.waitFor(["wait", "--for=condition=Ready", "externalsecrets", "--all", "-n", NAMESPACE, "--timeout=5s"], 120_000, "every ExternalSecret to be Ready");
        for (const [name, type] of [["repo-gitops-platform", "repository"], ["repo-write-gitops-platform", "repository-write"]]) {
            const secret = await cp!.kubectl.get<{ metadata: { labels?: Record<string, string> }; data?: Record<string, string> }>(["secret", name, "-n", NAMESPACE]);
            assert.strictEqual(secret?.metadata.labels?.["argocd.argoproj.io/secret-type"], type, `${name} is no Argo CD ${type} Secret`);
            assert.deepStrictEqual(Object.keys(secret?.data ?? {}).sort(), ["name", "password", "type", "url", "username"]);
        }
        summary.secrets = { externalSecretsReadySeconds: round((Date.now() - started) / 1000), rotationToSecretSeconds: null, rotationToSyncSeconds: null, refreshInterval: null, unreachableStore: null, missingKey: null };
        await keys!.applySigningKeySecret(cp!.kubectl, NAMESPACE);
        return `${names.join(", ")} Ready ${summary.secrets.externalSecretsReadySeconds} s after pulumi up; the commit server's signing key made outside Pulumi`;
    });

    await run.step("Argo CD's controllers start (Redis, repo server, commit server, application, ApplicationSet and notifications controllers) and its API server (TLS on loopback)", async () => {
        const started = await startArgoCdControllers({
            binDir,
            kubeconfigPath: cp!.kubeconfigPath,
            namespace: NAMESPACE,
            dataDir: path.join(work, "argocd"),
            apiServer: true,
            trustedCertificates: [loopGit!.server.certificateFile, sink!.receiver.certificateFile].map((certificateFile) => ({ host: "127.0.0.1", certificateFile })),
            notifications: { trustedCertificates: [sink!.receiver.certificateFile] },
        });
        assert.ok(started.commitServer?.signing, "the commit server does not sign: argocd-cmd-params-cm names no signing key");
        controllers.push(...started.processes);
        apiServer = started.server;
        summary.cluster.argocd = started.version;
        return `${started.version}, API server https://${apiServer!.address}`;
    });

    await run.step(`${APP} from Git is Synced and Healthy, its Deployment rolled out on KWOK`, async () => {
        const status = await waitForApplication(cp!.kubectl, NAMESPACE, APP, (s) => s.sync === "Synced" && s.health === "Healthy", 240_000);
        summary.argocd.synced = true;
        summary.argocd.healthy = true;
        await cp!.kubectl.run(["rollout", "status", `deployment/${APP}`, "-n", APP_NAMESPACE, "--timeout=120s"]);
        return `revision ${status.revision.slice(0, 12)}`;
    });

    await run.step("the ApplicationSets generate their Applications from the cluster Secret's labels", async () => {
        const deadline = Date.now() + 120_000;
        let generated = 0;
        let sets = 0;
        while (Date.now() < deadline) {
            const apps = await cp!.kubectl.get<{ items: { metadata: { ownerReferences?: { kind: string }[] } }[] }>(["applications.argoproj.io", "-n", NAMESPACE]);
            const appSets = await cp!.kubectl.get<{ items: unknown[] }>(["applicationsets.argoproj.io", "-n", NAMESPACE]);
            sets = appSets?.items.length ?? 0;
            generated = (apps?.items ?? []).filter((a) => a.metadata.ownerReferences?.some((o) => o.kind === "ApplicationSet")).length;
            if (sets > 0 && generated >= sets) break;
            await sleep(1000);
        }
        summary.argocd.applicationSetApps = generated;
        assert.ok(sets > 0 && generated >= sets, `${generated} Applications generated by ${sets} ApplicationSets`);
        return `${generated} Applications from ${sets} ApplicationSets (their charts are on the internet: generated, not synced)`;
    });

    await run.step("drift: an object edited behind Argo CD's back is reverted", async () => {
        const configMap = ["configmap", APP, "-n", APP_NAMESPACE];
        const before = (await cp!.kubectl.get<{ data: Record<string, string> }>(configMap))!.data.PODINFO_LEVEL;
        const started = Date.now();
        await cp!.kubectl.run(["patch", ...configMap, "--type=merge", "-p", JSON.stringify({ data: { PODINFO_LEVEL: "drifted" } })]);
        await pollUntil(async () => (await cp!.kubectl.get<{ data: Record<string, string> }>(configMap))?.data.PODINFO_LEVEL === before, 120_000, "self-heal to revert the ConfigMap");
        summary.argocd.driftHealedSeconds = round((Date.now() - started) / 1000);
        return `${summary.argocd.driftHealedSeconds} s`;
    });

    await run.step("a new commit (a chart change) rolls out: refreshed as a Git webhook would", async () => {
        const message = `hello from commit ${Date.now()}`;
        const started = Date.now();
        const commit = git().commitChange("charts/hello-service/values-dev.yaml", (text) => text.replace(/PODINFO_UI_MESSAGE: .*/, `PODINFO_UI_MESSAGE: "${message}"`), "change the dev message");
        await cp!.kubectl.run(["annotate", "applications.argoproj.io", APP, "-n", NAMESPACE, "--overwrite", "argocd.argoproj.io/refresh=hard"]);
        await waitForApplication(cp!.kubectl, NAMESPACE, APP, (s) => s.sync === "Synced" && s.revision === commit, 180_000);
        await pollUntil(async () => (await cp!.kubectl.get<{ data: Record<string, string> }>(["configmap", APP, "-n", APP_NAMESPACE]))?.data.PODINFO_UI_MESSAGE === message, 60_000, "the new message in the cluster");
        summary.argocd.commitToSyncedSeconds = round((Date.now() - started) / 1000);
        return `${summary.argocd.commitToSyncedSeconds} s from commit to Synced`;
    });

    await run.step("an object removed from Git is pruned", async () => {
        const started = Date.now();
        const commit = git().commitChange("charts/hello-service/values-dev.yaml", (text) => `${text}\nnetworkPolicy:\n  enabled: false\n`, "drop the NetworkPolicy");
        assert.ok(await cp!.kubectl.get(["networkpolicy", APP, "-n", APP_NAMESPACE]), "the NetworkPolicy was never deployed");
        await cp!.kubectl.run(["annotate", "applications.argoproj.io", APP, "-n", NAMESPACE, "--overwrite", "argocd.argoproj.io/refresh=hard"]);
        await waitForApplication(cp!.kubectl, NAMESPACE, APP, (s) => s.sync === "Synced" && s.revision === commit, 180_000);
        await pollUntil(async () => (await cp!.kubectl.get(["networkpolicy", APP, "-n", APP_NAMESPACE])) === undefined, 60_000, "the NetworkPolicy to be pruned");
        summary.argocd.prunedSeconds = round((Date.now() - started) / 1000);
        return `${summary.argocd.prunedSeconds} s`;
    });

    // The faults' own run (npm run chaos) needs only the loop's basics above.
    if (everything) await featureSteps();

    // npm run e2e: the short version; npm run chaos: every fault.
    summary.faults = await faultSteps(run, chaosLoop, { all: !everything, rounds: options.faultRounds ?? 1, only: options.onlyFaults });

    async function featureSteps(): Promise<void> {
        // Skipped (and recorded so) when a step above failed.
        summary.argocdApi = await argoCdApiSteps(run, {
            server: apiServer,
            kubectl: () => cp!.kubectl,
            namespace: NAMESPACE,
            app: APP,
            appNamespace: APP_NAMESPACE,
            project: APP_PROJECT,
            head: () => git().head(),
        });

        await run.step("a wrong Git password put in the store is a clear Application error once the operator refreshes, not a hang; the right one heals it", async () => {
            const started = Date.now();
            const password = async () => Buffer.from((await cp!.kubectl.get<{ data?: Record<string, string> }>(["secret", "repo-gitops-platform", "-n", NAMESPACE]))?.data?.password ?? "", "base64").toString();
            await loopGit!.putCredentials(secrets!, storeKeys!, "not-the-password");
            await pollUntil(async () => (await password()) === "not-the-password", 120_000, "the operator to write the wrong password");
            const refreshed = round((Date.now() - started) / 1000);
            await cp!.kubectl.run(["annotate", "applications.argoproj.io", APP, "-n", NAMESPACE, "--overwrite", "argocd.argoproj.io/refresh=hard"]);
            const failed = await waitForApplication(cp!.kubectl, NAMESPACE, APP, (s) => /authentication|401|credentials/i.test(s.message ?? ""), 120_000);
            const seconds = round((Date.now() - started) / 1000);
            await loopGit!.putCredentials(secrets!, storeKeys!);
            await pollUntil(async () => (await password()) !== "not-the-password", 120_000, "the operator to write the right password");
            // The controller reads the Secret from its informer: a refresh that comes first still fails,
            // so refresh again until it heals, as a user would.
            await pollUntil(
                async () => {
                    await cp!.kubectl.run(["annotate", "applications.argoproj.io", APP, "-n", NAMESPACE, "--overwrite", "argocd.argoproj.io/refresh=hard"]);
                    await sleep(5000);
                    const [status] = (await applicationStatuses(cp!.kubectl, NAMESPACE)).filter((a) => a.name === APP);
                    return status?.sync === "Synced" && !status.message;
                },
                120_000,
                `${APP} to heal with the right password`,
            );
            return `in the Secret after ${refreshed} s, an Application error ${seconds} s after the store write: "${failed.message!.slice(0, 160)}"`;
        });

        // Skipped (and recorded so) when a step above failed.
        const secretsSummary = await secretsSteps(run, {
            kubectl: () => cp!.kubectl,
            secrets: () => secrets!,
            git: () => loopGit!,
            keys: () => storeKeys!,
            namespace: NAMESPACE,
            app: APP,
            appNamespace: APP_NAMESPACE,
            places: () => ({ logs: work, stackFile: configFile, backend: run.ws.backendDir, reports: path.join(projectRoot, "out"), projectRoot }),
        });
        if (summary.secrets) Object.assign(summary.secrets, secretsSummary);

        // Skipped (and recorded so) when a step above failed.
        summary.audit = await auditSteps(run, { kubectl: () => cp!.kubectl, git, keys: () => keys!, events: () => sink!.receiver.events(),
            namespace: NAMESPACE,
            direct: { app: APP, namespace: APP_NAMESPACE },
            kubeconfig: () => cp!.kubeconfigPath,
            eventsFile: () => sink!.receiver.eventsFile,
            configFile,
            stackArgs,
        });

        // Skipped (and recorded so) when a step above failed.
        summary.drift = await driftSteps(run, {
            kubectl: () => cp!.kubectl,
            terraformDir,
            configFile,
            kubeconfig: () => cp!.kubeconfigPath,
            namespace: NAMESPACE,
            app: APP,
            appNamespace: APP_NAMESPACE,
        });

        // Skipped (and recorded so) when a step above failed.
        summary.adopt = await adoptSteps(run, {
            kubectl: () => cp!.kubectl,
            git,
            kubeconfig: () => cp!.kubeconfigPath,
            configFile,
            namespace: NAMESPACE,
            up: () => run.cli(["up", "--yes", ...stackArgs, ...policyArgs]),
        });
    }

    function chaosLoop(): ChaosLoop {
        return {
            kubectl: cp!.kubectl,
            namespace: NAMESPACE,
            app: APP,
            appNamespace: APP_NAMESPACE,
            git: git(),
            gitProxy: loopGit!.proxy!,
            process: (name) => {
                const all = [...controllers, ...cp!.processes];
                const found = all.find((p) => p.name === name);
                if (!found) throw new Error(`the loop has no process ${name} (it has ${all.map((p) => p.name).join(", ")})`);
                return found;
            },
            stack: { ws: run.ws, stackArgs, policyArgs },
            pulumi: (args, cliOptions) => run.cli(args, undefined, cliOptions),
            log: (line) => console.log(`        ${line}`),
        };
    }

    await run.step(
        "pulumi destroy leaves no Argo CD resource and nothing stuck Terminating",
        async () => {
            if (!cp) throw new Error("no control plane");
            let destroy = await run.cli(["destroy", "--yes", ...stackArgs]);
            // Seen once here: the API server answered an Application's DELETE with a 504 while Argo CD
            // was pruning its resources. A user would run destroy again; the note says it happened.
            const retried = destroy.code !== 0;
            if (retried) destroy = await run.cli(["destroy", "--yes", ...stackArgs]);
            assert.strictEqual(destroy.code, 0, `pulumi destroy failed:\n${destroy.stdout.split("\n").slice(-30).join("\n")}\n${destroy.stderr}`);
            for (const kind of ["applications.argoproj.io", "applicationsets.argoproj.io", "appprojects.argoproj.io"]) {
                const crd = await cp.kubectl.get(["crd", kind]);
                if (!crd) continue; // gone with the chart: nothing of that kind can be left
                const left: { items: unknown[] } | undefined = await cp.kubectl.get([kind, "-A"]);
                assert.strictEqual(left?.items.length ?? 0, 0, `${kind} left after destroy`);
            }
            const namespaces = await cp.kubectl.get<{ items: { metadata: { name: string }; status: { phase: string } }[] }>(["namespaces"]);
            const stuck = (namespaces?.items ?? []).filter((n) => n.status.phase === "Terminating").map((n) => n.metadata.name);
            assert.deepStrictEqual(stuck, [], "namespaces stuck Terminating");
            assert.ok(!(namespaces?.items ?? []).some((n) => n.metadata.name === NAMESPACE), `namespace ${NAMESPACE} left`);
            return retried ? "the first destroy failed (see out/e2e/transcript.log); the second succeeded" : undefined;
        },
        { always: true },
    );

    await run.step(
        "every process of the loop stopped by pid",
        async () => {
            const all = [...controllers, ...(cp?.processes ?? [])];
            await Promise.all(all.map((p) => p.stop()));
            stopGpgAgents(work);
            const alive = all.filter((p) => isAlive(p.pid)).map((p) => `${p.name} (${p.pid})`);
            assert.deepStrictEqual(alive, [], "processes still running");
            const logs = all.map((p) => fs.readFileSync(p.logFile, "utf8"));
            logs.forEach((text, i) => run.record(`${all[i].name} log`, text));
            return `${all.length} processes`;
        },
        { always: true },
    );
    return summary;
}
