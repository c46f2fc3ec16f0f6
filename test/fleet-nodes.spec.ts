/**
 * Health on the simulated fleet for real (tools/local-cluster/cluster-nodes.ts): a fleet cluster of
 * the loop (fleet-clusters.ts) has its own controller-manager, scheduler and KWOK node, so a
 * Deployment applied to it rolls out on that node and becomes Available, while one whose image holds
 * the never-ready mark (kwok-stages.ts) is scheduled but never Ready, so its rollout fails as a
 * release that does not start would. The hub, on the same stages, still readies its pods.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ControlPlane, KWOK_NODE, startControlPlane } from "../tools/local-cluster/control-plane";
import { FleetClusters, fleetNodeName, startFleetClusters } from "../tools/local-cluster/fleet-clusters";
import { Kubectl } from "../tools/local-cluster/kubectl";
import { NEVER_READY_IMAGE_MARK } from "../tools/local-cluster/kwok-stages";
import { isAlive, pollUntil, sleep } from "../tools/local-cluster/managed-process";
import { PROJECT_ROOT } from "./support/program";

const BIN_DIR = path.join(PROJECT_ROOT, ".tools", "bin");
const NAMESPACE = "apps";
const CLUSTER = "fleet-01";
const IMAGE = "ghcr.io/stefanprodan/podinfo:6.7.1";
const NEVER_READY_IMAGE = `${IMAGE}-${NEVER_READY_IMAGE_MARK}`;
/** Short, so the failed rollout is reported within the test, as Argo CD would see it (Degraded). */
const PROGRESS_DEADLINE_SECONDS = 10;

interface Condition {
    type: string;
    status: string;
    reason?: string;
}

interface Pod {
    metadata: { name: string };
    spec: { nodeName?: string; containers: { image: string }[] };
    status: { phase?: string; conditions?: Condition[] };
}

interface Deployment {
    status?: { readyReplicas?: number; availableReplicas?: number; conditions?: Condition[] };
}

function deployment(name: string, image: string): Record<string, unknown> {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, namespace: NAMESPACE },
        spec: {
            replicas: 2,
            progressDeadlineSeconds: PROGRESS_DEADLINE_SECONDS,
            selector: { matchLabels: { app: name } },
            template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image }] } },
        },
    };
}

const condition = (conditions: Condition[] | undefined, type: string) => conditions?.find((c) => c.type === type);

async function pods(kubectl: Kubectl, app: string): Promise<Pod[]> {
    return (await kubectl.get<{ items: Pod[] }>(["pods", "-n", NAMESPACE, "-l", `app=${app}`]))?.items ?? [];
}

async function waitAvailable(kubectl: Kubectl, name: string): Promise<void> {
    await kubectl.waitFor(["wait", "-n", NAMESPACE, "--for=condition=Available", `deployment/${name}`, "--timeout=10s"], 180_000, `Deployment ${name} to be Available`);
}

async function applyNamespaced(kubectl: Kubectl, objects: Record<string, unknown>[]): Promise<void> {
    await kubectl.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } }, "the namespace");
    await kubectl.apply(objects, "the Deployments");
}

describe("the loop's fleet clusters have nodes: Deployments roll out, or fail to on purpose", function () {
    this.timeout(600_000);
    let work: string;
    let cp: ControlPlane | undefined;
    let fleet: FleetClusters | undefined;
    const cluster = () => fleet!.clusters.find((c) => c.name === CLUSTER)!;

    before(async () => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-nodes-"));
        cp = await startControlPlane({ binDir: BIN_DIR, dataDir: path.join(work, "hub") });
        fleet = await startFleetClusters({ binDir: BIN_DIR, etcdUrl: cp.etcdUrl, dataDir: path.join(work, "fleet"), names: [CLUSTER] });
        // Both at once: the never-ready one has had as long as the good one once that is Available.
        await applyNamespaced(cluster().kubectl, [deployment("good", IMAGE), deployment("never-ready", NEVER_READY_IMAGE)]);
    });

    after(async () => {
        const processes = [...(fleet ? fleet.clusters.flatMap((c) => fleet!.processesOf(c.name)) : []), ...(cp?.processes ?? [])];
        await fleet?.stop();
        for (const p of [...(cp?.processes ?? [])].reverse()) await p.stop();
        assert.deepStrictEqual(processes.filter((p) => isAlive(p.pid)).map((p) => p.name), []);
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it("runs a controller-manager, a scheduler and KWOK for the fleet cluster, its node Ready in it alone", async () => {
        assert.deepStrictEqual(fleet!.processesOf(CLUSTER).map((p) => p.name), [`kube-apiserver-${CLUSTER}`, `kube-controller-manager-${CLUSTER}`, `kube-scheduler-${CLUSTER}`, `kwok-${CLUSTER}`]);
        assert.ok(fleet!.processesOf(CLUSTER).every((p) => p.running()));
        const names = async (kubectl: Kubectl) => ((await kubectl.get<{ items: { metadata: { name: string } }[] }>(["nodes"]))?.items ?? []).map((n) => n.metadata.name);
        assert.deepStrictEqual(await names(cluster().kubectl), [fleetNodeName(CLUSTER)]);
        assert.deepStrictEqual(await names(cp!.kubectl), [KWOK_NODE]);
    });

    it("rolls a Deployment out on the fleet cluster's own KWOK node", async () => {
        await waitAvailable(cluster().kubectl, "good");
        const good = await pods(cluster().kubectl, "good");
        assert.strictEqual(good.length, 2);
        for (const p of good) {
            assert.strictEqual(p.spec.nodeName, fleetNodeName(CLUSTER), `${p.metadata.name}'s node`);
            assert.strictEqual(p.status.phase, "Running", `${p.metadata.name}'s phase`);
            assert.strictEqual(condition(p.status.conditions, "Ready")?.status, "True", `${p.metadata.name} Ready`);
        }
    });

    it("never readies a pod whose image holds the never-ready mark: scheduled, Pending, its rollout past its deadline", async () => {
        await waitAvailable(cluster().kubectl, "good");
        await sleep(5_000);
        const stuck = await pods(cluster().kubectl, "never-ready");
        assert.strictEqual(stuck.length, 2, "its pods exist");
        for (const p of stuck) {
            assert.strictEqual(p.spec.nodeName, fleetNodeName(CLUSTER), `${p.metadata.name} is scheduled`);
            assert.strictEqual(condition(p.status.conditions, "PodScheduled")?.status, "True");
            assert.strictEqual(p.status.phase, "Pending", `${p.metadata.name}'s phase`);
            assert.notStrictEqual(condition(p.status.conditions, "Ready")?.status, "True", `${p.metadata.name} Ready`);
        }
        const get = () => cluster().kubectl.get<Deployment>(["deployment", "never-ready", "-n", NAMESPACE]);
        assert.strictEqual((await get())?.status?.readyReplicas ?? 0, 0);
        // What Argo CD reports as Degraded.
        let last: Deployment | undefined;
        await pollUntil(
            async () => condition((last = await get())?.status?.conditions, "Progressing")?.reason === "ProgressDeadlineExceeded",
            120_000,
            "the never-ready rollout to pass its progress deadline",
            () => JSON.stringify(last?.status),
        );
        assert.strictEqual(last?.status?.readyReplicas ?? 0, 0);
        assert.strictEqual(condition(last?.status?.conditions, "Available")?.status, "False");
    });

    it("still readies the hub's pods on the same stages", async () => {
        await applyNamespaced(cp!.kubectl, [deployment("hub-good", IMAGE)]);
        await waitAvailable(cp!.kubectl, "hub-good");
        const ready = await pods(cp!.kubectl, "hub-good");
        assert.strictEqual(ready.length, 2);
        for (const p of ready) {
            assert.strictEqual(p.spec.nodeName, KWOK_NODE);
            assert.strictEqual(condition(p.status.conditions, "Ready")?.status, "True", `${p.metadata.name} Ready`);
        }
    });
});
