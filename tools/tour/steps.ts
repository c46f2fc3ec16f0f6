/**
 * The tour's steps, in the order of the GitOps flow. Each does one real thing on the running loop
 * and returns what to tell the reader: sentences built from what it checked (never a claim it did
 * not check) and the commands that show the same evidence again.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AUDIT_LABELS } from "../../lib/auditLabels";
import { runPulumi } from "../engine/pulumi-cli";
import { writeLocalStackFile } from "../local-cluster/local-stack";
import { isAlive, pollUntil } from "../local-cluster/managed-process";
import { addBaseWorktree } from "../review/base-worktree";
import type { Review } from "../review/model";
import type { ArgoApplication, AuditReport } from "../audit/model";
import { DIRECT, HYDRATED, NAMESPACE, TourContext, VALUES_FILE } from "./tour-context";

/** What a step tells the reader. */
export interface Told {
    /** Two or three plain sentences: what happened and why it matters. */
    said: string[];
    /** Commands the reader can run to see it again. */
    evidence: string[];
}

export interface TourStep {
    title: string;
    run(ctx: TourContext): Promise<Told>;
}

const MESSAGE = /PODINFO_UI_MESSAGE: .*/;
const short = (sha: string | undefined) => (sha ?? "").slice(0, 12);

async function application(ctx: TourContext, name: string): Promise<ArgoApplication> {
    const app = await ctx.kubectl().get<ArgoApplication>(["applications.argoproj.io", name, "-n", NAMESPACE]);
    if (!app) throw new Error(`Application ${NAMESPACE}/${name} is not in the cluster`);
    return app;
}

async function message(ctx: TourContext, namespace: string, configMap: string): Promise<string | undefined> {
    return (await ctx.kubectl().get<{ data?: Record<string, string> }>(["configmap", configMap, "-n", namespace]))?.data?.PODINFO_UI_MESSAGE;
}

/** What a Git webhook does on a push: both Applications look at Git (and hydrate) now, not at their next resync. */
async function refresh(ctx: TourContext): Promise<void> {
    for (const app of [DIRECT.app, HYDRATED.app]) {
        await ctx.kubectl().run(["annotate", "applications.argoproj.io", app, "-n", NAMESPACE, "--overwrite", "argocd.argoproj.io/refresh=hard", "argocd.argoproj.io/hydrate=normal"]);
    }
}

/** Waits until both Applications run `dry` (the hydrated one through its hydrated commit) with `text` in their ConfigMaps; returns the hydrated commit. */
async function rolledOut(ctx: TourContext, dry: string, text: string): Promise<{ hydrated: string; seconds: number }> {
    const started = Date.now();
    let last = "";
    let hydrated = "";
    await pollUntil(
        async () => {
            const direct = await application(ctx, DIRECT.app);
            const audited = await application(ctx, HYDRATED.app);
            const done = audited.status?.sourceHydrator?.lastSuccessfulOperation;
            last = JSON.stringify({ direct: direct.status?.sync, hydrated: audited.status?.sync, hydrator: audited.status?.sourceHydrator });
            if (direct.status?.sync?.status !== "Synced" || direct.status.sync.revision !== dry) return false;
            if (done?.drySHA !== dry || audited.status?.sync?.status !== "Synced" || audited.status.sync.revision !== done.hydratedSHA) return false;
            hydrated = done.hydratedSHA!;
            return (await message(ctx, DIRECT.namespace, DIRECT.configMap)) === text && (await message(ctx, HYDRATED.namespace, HYDRATED.configMap)) === text;
        },
        300_000,
        `commit ${short(dry)} synced in ${DIRECT.app} and hydrated and synced in ${HYDRATED.app}`,
        () => last.slice(0, 2000),
    );
    return { hydrated, seconds: Math.round((Date.now() - started) / 100) / 10 };
}

const kubeconfigEnv = (ctx: TourContext) => `export KUBECONFIG=${ctx.rel(ctx.state().kubeconfig)}`;

export const STEPS: TourStep[] = [
    {
        title: "Bring the platform up",
        async run(ctx) {
            const up = await ctx.run("npm", ["run", "--silent", "up"], { show: (l) => /^(up|argocd|control plane|secrets):/.test(l) });
            if (up.code !== 0) throw new Error(`npm run up failed (exit ${up.code}); its output is in ${ctx.rel(path.join(ctx.outDir, "tour.log"))}:\n${up.output.trim().split("\n").slice(-15).join("\n")}`);
            const state = ctx.state();
            for (const app of [DIRECT.app, HYDRATED.app]) {
                await pollUntil(async () => {
                    const a = await application(ctx, app);
                    return a.status?.sync?.status === "Synced" && a.status.health?.status === "Healthy";
                }, 240_000, `${app} Synced and Healthy`);
            }
            const apps = (await ctx.kubectl().get<{ items: ArgoApplication[] }>(["applications.argoproj.io", "-n", NAMESPACE]))?.items ?? [];
            const running = state.pids.filter((p) => isAlive(p.pid)).length;
            assert.strictEqual(running, state.pids.length, `${state.pids.length - running} of the loop's processes are not running`);
            return {
                said: [
                    `Argo CD's CRDs went up first, from a stack of their own (argocd-crds); then Terraform's outputs went into \`pulumi up --stack local\` with the policy pack, which installed Argo CD and declared ${apps.length} Applications; Argo CD then synced the charts from Git.`,
                    `${running} processes on this machine are the cluster (etcd, kube-apiserver, KWOK's node), Argo CD, External Secrets Operator, the Git server and an audit webhook; ${DIRECT.app} and ${HYDRATED.app} are Synced and Healthy.`,
                ],
                evidence: [kubeconfigEnv(ctx), ".tools/bin/kubectl get applications -n argocd"],
            };
        },
    },
    {
        title: "Where each Application's state comes from",
        async run(ctx) {
            const app = await application(ctx, DIRECT.app);
            const labels = app.metadata.labels ?? {};
            const source = app.spec?.source;
            assert.ok(source?.repoURL && source.path, `${DIRECT.app} has no Git source`);
            assert.strictEqual(labels[AUDIT_LABELS.managedBy], "pulumi", `${DIRECT.app} is not labelled as Pulumi's`);
            const git = ctx.git();
            const head = git.head();
            assert.strictEqual(app.status?.sync?.revision, head, `${DIRECT.app} runs ${short(app.status?.sync?.revision)}, not main's head ${short(head)}`);
            const { status, fingerprint } = git.signature(head, ctx.state().verifier!);
            assert.strictEqual(status, "G", `main's head ${short(head)} has no good signature (git says ${status})`);
            const hydrated = await application(ctx, HYDRATED.app);
            const hydrateTo = hydrated.spec?.sourceHydrator?.syncSource?.targetBranch;
            assert.strictEqual(hydrateTo, HYDRATED.branch, `${HYDRATED.app} is not hydrated to ${HYDRATED.branch}`);
            return {
                said: [
                    `The Application object is Pulumi's (labels: ${AUDIT_LABELS.stack}=${labels[AUDIT_LABELS.stack]}, ${AUDIT_LABELS.gitCommit}=${labels[AUDIT_LABELS.gitCommit]}); what it deploys is Git's: ${source.path} of ${source.repoURL} at ${source.targetRevision}.`,
                    `Argo CD runs main's head ${short(head)}, signed by the developer's key ${fingerprint.slice(-16)}: the project verifies every commit strictly, so an unsigned one would not sync.`,
                    `${HYDRATED.app} deploys the same chart through Argo CD's source hydrator: the rendered manifests are committed to ${HYDRATED.branch}, and that is what syncs.`,
                ],
                evidence: [`.tools/bin/kubectl get application ${DIRECT.app} -n argocd -o yaml`, `git -C ${ctx.rel(git.bare)} log -3 --format='%h %G? %s' main ${HYDRATED.branch}`],
            };
        },
    },
    {
        title: "Change a chart value as a signed commit, on a pull request's branch",
        async run(ctx) {
            const git = ctx.git();
            const text = `hello from the tour, ${new Date().toISOString()}`;
            const current = git.show("main", VALUES_FILE);
            ctx.change.before = /PODINFO_UI_MESSAGE: "?([^"\n]*)"?/.exec(current)?.[1] ?? "";
            assert.ok(ctx.change.before, `${VALUES_FILE} sets no PODINFO_UI_MESSAGE`);
            ctx.change.after = text;
            ctx.change.commit = git.proposeChange("tour/new-message", VALUES_FILE, (t) => t.replace(MESSAGE, `PODINFO_UI_MESSAGE: "${text}"`), "hello-service: a new message on dev");
            const { status, fingerprint } = git.signature(ctx.change.commit, ctx.state().verifier!);
            assert.strictEqual(status, "G", `the commit ${short(ctx.change.commit)} has no good signature (git says ${status})`);
            const apps = [await application(ctx, DIRECT.app), await application(ctx, HYDRATED.app)];
            assert.ok(apps.every((a) => a.status?.sync?.revision !== ctx.change.commit), "a branch commit was synced before its merge");
            return {
                said: [
                    `Commit ${short(ctx.change.commit)} sets PODINFO_UI_MESSAGE in ${VALUES_FILE} from "${ctx.change.before}" to "${text}", on branch tour/new-message.`,
                    `It is signed by ${fingerprint.slice(-16)}, a key the stack trusts; nothing is deployed yet, because Argo CD follows main, not the branch.`,
                ],
                evidence: [`git -C ${ctx.rel(git.checkoutDir)} show --show-signature tour/new-message`],
            };
        },
    },
    {
        title: "Read the change review a pull request gets",
        async run(ctx) {
            // The same change to this repository's chart, in a throwaway worktree of HEAD: what CI's review runs on.
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-tour-"));
            const worktree = addBaseWorktree(ctx.projectRoot, "HEAD", path.join(dir, "pull-request"), () => undefined);
            try {
                fs.symlinkSync(path.join(ctx.projectRoot, ".tools"), path.join(worktree.dir, ".tools"));
                const file = path.join(worktree.dir, VALUES_FILE);
                fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(MESSAGE, `PODINFO_UI_MESSAGE: "${ctx.change.after}"`));
                const out = path.join(ctx.outDir, "pull-request");
                const r = await ctx.tool("tools/review/cli.ts", ["--base", "HEAD", "--stack", "local", "--out", out], { cwd: worktree.dir });
                assert.ok(r.code === 0 || r.code === 1, `npm run review failed (exit ${r.code}):\n${r.output.trim().split("\n").slice(-10).join("\n")}`);
                const review = JSON.parse(fs.readFileSync(path.join(out, "review", "review.json"), "utf8")) as Review;
                const local = review.stacks.find((s) => s.stack === "local");
                assert.ok(local, "the review has no local stack");
                const changed = local.changes.filter((c) => c.properties.some((p) => p.path.includes("PODINFO_UI_MESSAGE")));
                assert.ok(changed.length > 0, `the review shows no change of PODINFO_UI_MESSAGE: ${local.changes.map((c) => `${c.kind} ${c.name}`).join(", ") || "no change at all"}`);
                const others = local.changes.length - changed.length;
                return {
                    said: [
                        `npm run review planned the local stack on both sides and found ${local.changes.length} changed object${local.changes.length === 1 ? "" : "s"}: ${changed.map((c) => `${c.kind} ${c.name}${c.origin ? ` (rendered by ${c.origin})` : ""}`).join(", ")}${others ? `, and ${others} more` : ""}.`,
                        `Policy findings: ${local.findings.new.length} new, ${local.findings.fixed.length} fixed; ${local.headMandatory} mandatory in the change. The verdict: ${review.verdict.split("\n")[0]}`,
                        "A reviewer reads this before the merge; no cluster was touched to make it.",
                    ],
                    evidence: [`${ctx.rel(path.join(out, "review", "summary.md"))} (and report.html beside it)`, "npm run review -- --base main --stack local   # on your own branch"],
                };
            } finally {
                worktree.remove();
                fs.rmSync(dir, { recursive: true, force: true });
            }
        },
    },
    {
        title: "Merge it: Argo CD rolls it out, through the hydrated manifests in Git",
        async run(ctx) {
            const git = ctx.git();
            const merged = git.mergeFastForward("tour/new-message");
            assert.strictEqual(merged, ctx.change.commit, "main is not at the reviewed commit after the merge");
            await refresh(ctx);
            const { hydrated, seconds } = await rolledOut(ctx, merged, ctx.change.after);
            const manifest = git.show(HYDRATED.branch, `in-cluster/${HYDRATED.app}/manifest.yaml`);
            assert.ok(manifest.includes(ctx.change.after), `the hydrated manifest of ${HYDRATED.app} does not hold the new message`);
            const { status, fingerprint } = git.signature(hydrated, ctx.state().verifier!);
            assert.strictEqual(status, "G", `the hydrated commit ${short(hydrated)} has no good signature (git says ${status})`);
            return {
                said: [
                    `main moved to ${short(merged)} (a fast-forward of the reviewed commit) and, ${seconds} s later, both Applications run it: ${DIRECT.app} straight from main, ${HYDRATED.app} through hydrated commit ${short(hydrated)} on ${HYDRATED.branch}.`,
                    `The hydrated commit holds the exact manifests that were applied, and is signed by Argo CD's commit server (${fingerprint.slice(-16)}): what runs can be read in Git, byte for byte.`,
                ],
                evidence: [`git -C ${ctx.rel(git.bare)} show ${HYDRATED.branch}:in-cluster/${HYDRATED.app}/manifest.yaml`, `.tools/bin/kubectl get configmap ${DIRECT.configMap} -n ${DIRECT.namespace} -o yaml`],
            };
        },
    },
    {
        title: "Edit an object by hand: Argo CD finds the drift and heals it",
        async run(ctx) {
            const configMap = ["configmap", DIRECT.configMap, "-n", DIRECT.namespace];
            const started = Date.now();
            await ctx.kubectl().run(["patch", ...configMap, "--type=merge", "-p", JSON.stringify({ data: { PODINFO_UI_MESSAGE: "edited by hand" } })]);
            await pollUntil(async () => (await message(ctx, DIRECT.namespace, DIRECT.configMap)) === ctx.change.after, 120_000, "self-heal to revert the ConfigMap");
            const seconds = Math.round((Date.now() - started) / 100) / 10;
            return {
                said: [
                    `kubectl patched ConfigMap ${DIRECT.namespace}/${DIRECT.configMap} to "edited by hand"; ${seconds} s later Argo CD had put Git's value back.`,
                    "The Application syncs automatically with self-heal on (a policy requires it): Git, not whoever has cluster access, decides what runs.",
                ],
                evidence: [`.tools/bin/kubectl patch configmap ${DIRECT.configMap} -n ${DIRECT.namespace} --type=merge -p '{"data":{"PODINFO_UI_MESSAGE":"mine"}}'`, "npm run drift -- --stack local   # drift across Terraform, Pulumi and Argo CD at once"],
            };
        },
    },
    {
        title: "Ask the audit trail who put an object there",
        async run(ctx) {
            const state = ctx.state();
            const object = `deployment/${HYDRATED.namespace}/${HYDRATED.configMap}`;
            const r = await ctx.tool("tools/audit/cli.ts", ["--stack", "local", "--object", object, "--format", "json", "--gnupghome", state.verifier!, "--trusted-keys", (state.trustedKeys ?? []).join(",")]);
            assert.strictEqual(r.code, 0, `npm run audit failed (exit ${r.code}):\n${r.output.trim().split("\n").slice(-10).join("\n")}`);
            const report = JSON.parse(r.stdout) as AuditReport;
            const chain = report.chain;
            assert.ok(chain, "the audit has no chain for the object");
            assert.strictEqual(chain.dryCommit?.sha, ctx.change.commit, `the chain's commit is ${short(chain.dryCommit?.sha)}, not the tour's ${short(ctx.change.commit)}`);
            assert.ok(chain.dryCommit.signature.verified, "the chain does not show the commit verified");
            assert.ok(chain.hydratedCommit && chain.sync, "the chain has no hydrated commit or sync");
            assert.ok(chain.pulumiUpdate, "the chain has no Pulumi update");
            return {
                said: [
                    `Deployment ${HYDRATED.namespace}/${HYDRATED.configMap} was applied by Application ${chain.application?.name} in sync #${chain.sync.historyId}, from hydrated commit ${short(chain.hydratedCommit.sha)}, rendered from commit ${short(chain.dryCommit.sha)} "${chain.dryCommit.subject}" signed by ${chain.dryCommit.signature.signer ?? chain.dryCommit.signature.fingerprint}.`,
                    `The Application itself came from Pulumi update ${chain.pulumiUpdate.version}${chain.terraform?.serial !== undefined ? `, which read Terraform state serial ${chain.terraform.serial}` : ""}: every link from the live object back to a person and a commit.`,
                ],
                evidence: [`npm run audit -- --stack local --object ${object}`, "npm run audit -- --stack local   # the stack's timeline"],
            };
        },
    },
    {
        title: "Try a change the policy pack refuses",
        async run(ctx) {
            const bad = path.join(ctx.outDir, "Pulumi.local-refused.yaml");
            const planted = "tour-planted-password-" + Math.random().toString(36).slice(2, 10);
            writeLocalStackFile(ctx.projectRoot, bad, (platform) => {
                const app = (platform.gitops as { applications: Record<string, unknown>[] }).applications.find((a) => a.name === DIRECT.app)!;
                app.values = { database: { url: `postgres://hello:${planted}@db.hello.svc:5432/hello` } };
            }, ctx.layout.configFile);
            // Its spec and labels (generation counts spec changes; Argo CD writes its status all the time).
            const declared = async () => {
                const a = await application(ctx, DIRECT.app);
                return JSON.stringify({ generation: (a.metadata as { generation?: number }).generation, labels: a.metadata.labels });
            };
            const before = await declared();
            const up = await runPulumi(ctx.layout.ws, ["up", "--yes", "--stack", "local", "--config-file", bad, ...ctx.layout.policyArgs]);
            fs.rmSync(bad, { force: true });
            const output = `${up.stdout}\n${up.stderr}`;
            fs.appendFileSync(path.join(ctx.outDir, "tour.log"), `\n$ pulumi up (a plaintext password in ${DIRECT.app}'s values)\n${output}`);
            assert.notStrictEqual(up.code, 0, "pulumi up with a plaintext password in Helm values succeeded");
            const line = output.split("\n").find((l) => /\[mandatory\].*no-secret-literals/.test(l));
            assert.ok(line, "the output does not name the mandatory policy no-secret-literals");
            assert.ok(!output.includes(planted), "the planted password was echoed");
            assert.strictEqual(await declared(), before, `the refused update changed Application ${DIRECT.app}`);
            return {
                said: [
                    `A database URL with a password, put in ${DIRECT.app}'s Helm values, stopped \`pulumi up\` before any change: ${line.trim()}`,
                    "The pack runs in the engine, in CI on every pull request and in Pulumi Deployments, so a secret in plaintext never reaches state, Git or the cluster; the password was not echoed.",
                ],
                evidence: ["policies/ (the rules), policies/config/local.json (their levels on this stack)"],
            };
        },
    },
    {
        title: "Roll back: a revert is a commit like any other",
        async run(ctx) {
            const git = ctx.git();
            const revert = git.revert(ctx.change.commit);
            await refresh(ctx);
            const { hydrated, seconds } = await rolledOut(ctx, revert, ctx.change.before);
            return {
                said: [
                    `Commit ${short(revert)} reverts ${short(ctx.change.commit)}, signed like every commit; ${seconds} s later both Applications run it (hydrated as ${short(hydrated)}) and the message is "${ctx.change.before}" again.`,
                    "Nobody ran a command against the cluster: the rollback is in the history, reviewed and signed like the change it undoes.",
                ],
                evidence: [`git -C ${ctx.rel(git.bare)} log -3 --format='%h %G? %an: %s'`],
            };
        },
    },
    {
        title: "Shut down",
        async run(ctx) {
            const pids = ctx.state().pids;
            const down = await ctx.run("npm", ["run", "--silent", "down"], { show: (l) => /^down:/.test(l) });
            assert.strictEqual(down.code, 0, `npm run down failed (exit ${down.code})`);
            const left = pids.filter((p) => isAlive(p.pid));
            assert.deepStrictEqual(left.map((p) => p.name), [], "processes of the loop still run");
            assert.ok(!fs.existsSync(ctx.layout.data), `${ctx.rel(ctx.layout.data)} is still there`);
            return {
                said: [`${pids.length} processes were stopped and ${ctx.rel(ctx.layout.data)} removed, the stack's state with it: nothing of the loop is left running. (No \`pulumi destroy\`: what it would delete goes with the data; the e2e proves the destroy.)`],
                evidence: ["npm run up   # again, any time"],
            };
        },
    },
];
