/**
 * Adoption on the loop (issue 28): a service installed with `helm install` and a ConfigMap applied
 * by hand are brought under GitOps by `npm run adopt --write`, `pulumi up` and the takeover's sync
 * (`npm run adopt --finish`) with nothing restarted or deleted; the Helm release's records go only
 * once Argo CD owns every object, so `helm uninstall` of the old name deletes nothing; a later commit
 * rolls out through Argo CD.
 */
import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { applicationStatuses } from "../../tools/local-cluster/applications";
import type { GitRepository } from "../../tools/local-cluster/git-repository";
import type { Kubectl } from "../../tools/local-cluster/kubectl";
import { pollUntil } from "../../tools/local-cluster/managed-process";
import { E2eRun, roundSeconds as round } from "./e2e-run";

const NS = "legacy";
const RELEASE = "legacy-hello-service";
const BY_HAND = "legacy-settings";
const OBJECTS_APP = `adopted-${NS}`;

export interface AdoptSummary {
    adoptSeconds: number | null;
    /** From pulumi up's start to both adopted Applications Synced and Healthy. */
    takeoverSeconds: number | null;
    podsRecreated: number | null;
    objectsDeleted: number | null;
    laterCommitRolledOutSeconds: number | null;
    /** npm run adopt --finish: the takeover's syncs and the release records. */
    finishSeconds: number | null;
    /** Applications Argo CD 3.6.1's hydrator left for the next commit (see the takeover step). */
    hydratedAtNextCommit: string | null;
}

export interface AdoptStepsContext {
    kubectl: () => Kubectl;
    git: () => GitRepository;
    kubeconfig: () => string;
    configFile: string;
    namespace: string;
    /** `pulumi up` of the loop's stack with the policy pack, as the loop runs it. */
    up: () => Promise<{ code: number; stdout: string; stderr: string }>;
}

interface Live {
    metadata: { name: string; uid: string; resourceVersion: string; annotations?: Record<string, string>; labels?: Record<string, string>; managedFields?: { manager: string }[]; ownerReferences?: { uid: string }[] };
    spec?: { template?: { metadata?: { annotations?: Record<string, string> } } };
}

export async function adoptSteps(run: E2eRun, ctx: AdoptStepsContext): Promise<AdoptSummary> {
    const summary: AdoptSummary = { adoptSeconds: null, takeoverSeconds: null, podsRecreated: null, objectsDeleted: null, laterCommitRolledOutSeconds: null, hydratedAtNextCommit: null, finishSeconds: null };
    const kubectl = () => ctx.kubectl();
    const helmBin = path.join(run.projectRoot, ".tools", "bin", "helm");
    const helm = (args: string[]) =>
        new Promise<{ code: number; out: string }>((resolve) => {
            execFile(helmBin, [...args, "--kubeconfig", ctx.kubeconfig()], { env: { ...process.env, HELM_CACHE_HOME: path.join(run.work, "helm", "cache"), HELM_CONFIG_HOME: path.join(run.work, "helm", "config"), HELM_DATA_HOME: path.join(run.work, "helm", "data") } }, (e, stdout, stderr) => {
                run.record(`helm ${args.join(" ")}`, `${stdout}\n${stderr}`);
                resolve({ code: e ? (typeof e.code === "number" ? e.code : 1) : 0, out: `${stdout}${stderr}` });
            });
        });
    const adopt = (extra: string[]) =>
        new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
            const args = ["--transpile-only", path.join(run.projectRoot, "tools", "adopt", "cli.ts"), "--stack", "local", "--config-file", ctx.configFile, "--kubeconfig", ctx.kubeconfig(), "--namespace", NS, "--repo-dir", ctx.git().checkoutDir, ...extra];
            execFile(path.join(run.projectRoot, "node_modules", ".bin", "ts-node"), args, { cwd: run.projectRoot, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 }, (e, stdout, stderr) => {
                run.record(`npm run adopt ${extra.join(" ")}`, `${stdout}\n${stderr}`);
                resolve({ code: e ? (typeof e.code === "number" ? e.code : 1) : 0, stdout, stderr });
            });
        });
    /** Every object in the namespace by kind and name, with its UID. */
    const objects = async () => {
        const list = await kubectl().get<{ items: (Live & { kind: string })[] }>(["deployments,replicasets,pods,services,configmaps,serviceaccounts,secrets,networkpolicies,poddisruptionbudgets", "-n", NS]);
        return new Map((list?.items ?? []).map((o) => [`${o.kind}/${o.metadata.name}`, o]));
    };
    const deployment = () => kubectl().get<Live>(["deployment", RELEASE, "-n", NS, "--show-managed-fields"]);
    let before = new Map<string, Live & { kind: string }>();

    await run.step("adoption, before: the chart installed with helm install (an older release of the service, podinfo 6.7.0) and a ConfigMap applied by hand with kubectl", async () => {
        const chart = path.join(ctx.git().checkoutDir, "charts", "hello-service");
        const install = await helm(["install", RELEASE, chart, "--namespace", NS, "--create-namespace", "--set", "image.tag=6.7.0"]);
        assert.strictEqual(install.code, 0, install.out);
        const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: BY_HAND, namespace: NS }, data: { GREETING: "set by hand" } };
        await kubectl().run(["apply", "-f", "-"], { input: JSON.stringify(configMap) });
        await kubectl().run(["rollout", "status", `deployment/${RELEASE}`, "-n", NS, "--timeout=120s"]);
        before = await objects();
        const managers = ((await deployment())?.metadata.managedFields ?? []).map((f) => f.manager);
        assert.ok(managers.includes("helm"), `the Deployment's managers: ${managers.join(", ")}`);
        return `${before.size} objects in ${NS}, the Deployment's managers ${managers.join(", ")}`;
    });

    await run.step("npm run adopt --write proposes the takeover: the stack's entries, a chart for the objects by hand, the plan; nothing changed in the cluster", async () => {
        const started = Date.now();
        const result = await adopt(["--write"]);
        summary.adoptSeconds = round((Date.now() - started) / 1000);
        assert.strictEqual(result.code, 0, `npm run adopt --write exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
        const stack = YAML.parse(fs.readFileSync(ctx.configFile, "utf8")) as { config: Record<string, { gitops: { applications: { name: string; adoption?: { fieldManager: string }; values?: unknown; source: Record<string, unknown> }[] } }> };
        const apps = stack.config["gitops-platform:platform"].gitops.applications;
        const release = apps.find((a) => a.name === RELEASE);
        assert.deepStrictEqual(release?.adoption, { fieldManager: "helm" });
        assert.deepStrictEqual(release?.values, { image: { tag: "6.7.0" } }, "the release's values");
        assert.strictEqual(release?.source.path, "charts/hello-service");
        const byHand = apps.find((a) => a.name === OBJECTS_APP);
        assert.deepStrictEqual(byHand?.adoption, { fieldManager: "kubectl-client-side-apply" });
        const chartFile = path.join(ctx.git().checkoutDir, "charts", OBJECTS_APP, "templates", `configmap-${BY_HAND}.yaml`);
        assert.ok(fs.existsSync(chartFile), `${chartFile} not written`);
        assert.ok(fs.existsSync(path.join(ctx.git().checkoutDir, "docs", "adoption", "local.md")), "no takeover plan written");
        const after = await objects();
        const changed = [...before].filter(([k, o]) => after.get(k)?.metadata.resourceVersion !== o.metadata.resourceVersion).map(([k]) => k);
        assert.deepStrictEqual(changed, [], "npm run adopt changed the cluster");
        ctx.git().commitWorkingTree("Adopt legacy-hello-service and the objects applied by hand in legacy (npm run adopt)");
        return `${summary.adoptSeconds} s; ${apps.length} applications in the stack file, ${RELEASE} and ${OBJECTS_APP} added; the chart and the plan committed`;
    });

    const pods = (m: Map<string, Live>) => [...m.keys()].filter((k) => k.startsWith("Pod/")).sort();
    const replicaSets = (m: Map<string, Live>) => [...m.keys()].filter((k) => k.startsWith("ReplicaSet/")).sort();
    /** Nothing of what ran before deleted or recreated: the same UIDs, ReplicaSets and pods. */
    const isReleaseRecord = (key: string) => key.startsWith(`Secret/sh.helm.release.v1.${RELEASE}.`);
    const assertUndisturbed = async (when: string) => {
        const after = await objects();
        // Helm's release records are its bookkeeping, not what runs: --finish deletes them on purpose.
        const deleted = [...before.keys()].filter((k) => !isReleaseRecord(k) && after.get(k)?.metadata.uid !== before.get(k)!.metadata.uid);
        summary.objectsDeleted = deleted.length;
        summary.podsRecreated = pods(before).filter((p) => !after.has(p)).length;
        assert.deepStrictEqual(deleted, [], `objects deleted or recreated ${when}`);
        assert.deepStrictEqual(replicaSets(after), replicaSets(before), `a new ReplicaSet ${when}: the pod template changed`);
        assert.deepStrictEqual(pods(after), pods(before), `pods recreated ${when}`);
    };
    const managers = async (args: string[]) => ((await kubectl().get<Live>([...args, "-n", NS, "--show-managed-fields"]))?.metadata.managedFields ?? []).map((f) => f.manager);

    await run.step("pulumi up makes the adopted Applications and Argo CD finds them Synced with what runs: nothing restarted, recreated or deleted", async () => {
        const started = Date.now();
        const up = await ctx.up();
        assert.strictEqual(up.code, 0, `pulumi up failed:\n${up.stdout.split("\n").slice(-40).join("\n")}\n${up.stderr}`);
        // Argo CD 3.6.1 hydrates a dry commit once, for the Applications it knows then: an Application
        // made after its commit was hydrated for the branch's others waits for the next commit (the
        // plan says so; the loop pushes it, once).
        let pushed = "";
        await pollUntil(
            async () => {
                const statuses = (await applicationStatuses(kubectl(), ctx.namespace)).filter((a) => a.name === RELEASE || a.name === OBJECTS_APP);
                const unhydrated = statuses.filter((a) => /app path does not exist/.test(a.message ?? "")).map((a) => a.name);
                if (unhydrated.length > 0 && !pushed && Date.now() - started > 30_000) {
                    pushed = unhydrated.join(", ");
                    ctx.git().commitChange("docs/adoption/local.md", (text) => `${text}\nStep 2 done: pulumi up made the Applications.\n`, "Adoption: step 2 done (pulumi up made the Applications)");
                }
                return statuses.length === 2 && statuses.every((a) => a.sync === "Synced" && a.health === "Healthy");
            },
            300_000,
            `${RELEASE} and ${OBJECTS_APP} to be Synced and Healthy`,
        );
        summary.takeoverSeconds = round((Date.now() - started) / 1000);
        summary.hydratedAtNextCommit = pushed || null;
        await assertUndisturbed("after pulumi up");
        const recommit = pushed ? `; ${pushed} hydrated at the next commit (Argo CD 3.6.1)` : "";
        return `${summary.takeoverSeconds} s from pulumi up to both Synced and Healthy${recommit}; ${before.size} objects kept their UIDs; the Deployment's managers still ${(await managers(["deployment", RELEASE])).join(", ")}`;
    });

    await run.step("npm run adopt --finish: one sync per Application moves the fields from helm and kubectl to Argo CD (nothing restarted or deleted), then the Helm release's records go; helm uninstall of the old name deletes nothing", async () => {
        const started = Date.now();
        const result = await adopt(["--finish"]);
        summary.finishSeconds = round((Date.now() - started) / 1000);
        assert.strictEqual(result.code, 0, `--finish exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
        await assertUndisturbed("by the takeover's sync");
        const deployment = await managers(["deployment", RELEASE]);
        assert.ok(deployment.includes("argocd-controller") && !deployment.includes("helm"), `the Deployment's managers after the sync: ${deployment.join(", ")}`);
        const configMap = await managers(["configmap", BY_HAND]);
        assert.ok(configMap.includes("argocd-controller") && !configMap.includes("kubectl-client-side-apply"), `${BY_HAND}'s managers after the sync: ${configMap.join(", ")}`);
        const tracking = (await kubectl().get<Live>(["deployment", RELEASE, "-n", NS]))?.metadata.annotations?.["argocd.argoproj.io/tracking-id"] ?? "";
        assert.match(tracking, new RegExp(`^${RELEASE}:`));
        const records = [...(await objects()).keys()].filter(isReleaseRecord);
        assert.deepStrictEqual(records, [], "Helm's release records are left");
        const listed = await helm(["list", "--namespace", NS, "--short"]);
        assert.strictEqual(listed.out.trim(), "", `helm still lists: ${listed.out}`);
        const uninstall = await helm(["uninstall", RELEASE, "--namespace", NS]);
        assert.notStrictEqual(uninstall.code, 0, "helm uninstall found a release");
        await assertUndisturbed("after helm uninstall");
        return `${summary.finishSeconds} s; the Deployment's managers ${deployment.join(", ")}, ${BY_HAND}'s ${configMap.join(", ")}; helm uninstall: ${uninstall.out.trim().split("\n").pop()}`;
    });

    await run.step("a later commit rolls out the adopted service through Argo CD as usual: a new ReplicaSet with the change", async () => {
        const started = Date.now();
        ctx.git().commitChange("charts/hello-service/values.yaml", (text) => text.replace(/^podAnnotations: \{\}$/m, 'podAnnotations:\n  gitops.platform/adopted: "yes"'), "hello-service: a pod annotation (rolls out every release of the chart)");
        await kubectl().run(["annotate", "applications.argoproj.io", RELEASE, "-n", ctx.namespace, "--overwrite", "argocd.argoproj.io/refresh=hard"]);
        await pollUntil(async () => (await deployment())?.spec?.template?.metadata?.annotations?.["gitops.platform/adopted"] === "yes", 240_000, `the annotation in ${RELEASE}'s pod template`);
        await kubectl().run(["rollout", "status", `deployment/${RELEASE}`, "-n", NS, "--timeout=120s"]);
        summary.laterCommitRolledOutSeconds = round((Date.now() - started) / 1000);
        const replicaSets = [...(await objects()).keys()].filter((k) => k.startsWith("ReplicaSet/"));
        assert.ok(replicaSets.length > [...before.keys()].filter((k) => k.startsWith("ReplicaSet/")).length, "no new ReplicaSet");
        return `${summary.laterCommitRolledOutSeconds} s from the commit to the rollout; ReplicaSets ${replicaSets.join(", ")}`;
    });
    return summary;
}
