/**
 * A team application rolled out in waves: the ApplicationSet gets `strategy: RollingSync` with one
 * step per wave, its Applications a wave label and no automated sync (the rollout syncs them), and
 * the waves are checked against the clusters the fleet registers, each problem with its key path.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ofType, PROJECT_ROOT, runProgram, withAuditCommit } from "./support/program";

const FIXTURES = "test/fixtures/fleet";
const MAP_ENTRY = { from: "map-output", source: { backend: "json", path: `${FIXTURES}/clusters.outputs.json` }, output: "fleet_clusters" };
const EDGE_ENTRY = { from: "state", name: "edge-1", source: { backend: "json", path: `${FIXTURES}/edge-1.outputs.json` }, labels: { tier: "edge" }, roleArn: "arn:aws:iam::444455556666:role/argocd-fleet" };
const WAVES = [
    { name: "canary", clusters: { tier: "edge" } },
    { name: "web", clusters: { tier: "web" }, maxUpdate: "50%" },
    { name: "rest" },
];

type Step = { matchExpressions: { key: string; operator: string; values: string[] }[]; maxUpdate?: number | string };
type AppSetSpec = {
    strategy?: { type: string; rollingSync: { steps: Step[] } };
    template: { metadata: { labels: Record<string, string> }; spec: { syncPolicy: Record<string, unknown> } };
};

/** The dev stack with the fleet fixture (eu-1, eu-3 web; eu-2 batch; edge-1 edge) admitted everywhere, and one application across it. */
function rolloutRun(app: Record<string, unknown>) {
    const doc = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, "stacks", "Pulumi.dev.yaml"), "utf8"));
    const projects = (doc.config["gitops-platform:platform"].gitops.projects as { destinations: { namespace: string; cluster?: string }[] }[]).map((p) => ({
        ...p,
        destinations: [...p.destinations, ...p.destinations.flatMap((d) => [{ namespace: d.namespace, cluster: "eu-*" }, { namespace: d.namespace, cluster: "edge-1" }])],
    }));
    const application = {
        name: "hello-fleet",
        project: "team-hello",
        source: { repository: "gitops-platform", path: "charts/hello-service", revision: "v0.1.0", valueFiles: ["values-dev.yaml"] },
        destination: { namespace: "hello" },
        clusterSelector: {},
        ...app,
    };
    return runProgram({ stack: "dev", platform: { fleet: [MAP_ENTRY, EDGE_ENTRY], gitops: { projects, applications: [application] } } });
}

describe("a rollout in waves", function () {
    this.timeout(120_000);
    withAuditCommit();

    it("is one RollingSync step per wave, in order, selecting the Applications by their wave label", async () => {
        const run = await rolloutRun({ rollout: { waves: WAVES } });
        const spec = ofType(run, "kubernetes:argoproj.io/v1alpha1:ApplicationSet").find((s) => s.name === "appset-hello-fleet")!.inputs.spec as AppSetSpec;
        assert.strictEqual(spec.strategy?.type, "RollingSync");
        assert.deepStrictEqual(spec.strategy.rollingSync.steps, [
            { matchExpressions: [{ key: "gitops.platform/rollout-wave", operator: "In", values: ["canary"] }] },
            { matchExpressions: [{ key: "gitops.platform/rollout-wave", operator: "In", values: ["web"] }], maxUpdate: "50%" },
            { matchExpressions: [{ key: "gitops.platform/rollout-wave", operator: "In", values: ["rest"] }] },
        ]);
        // Each cluster's wave, by name, as the ApplicationSet controller renders it; the rest by default.
        assert.strictEqual(
            spec.template.metadata.labels["gitops.platform/rollout-wave"],
            '{{- if has .name (list "edge-1") }}canary{{- else if has .name (list "eu-1" "eu-3") }}web{{- else }}rest{{- end }}',
        );
        // The rollout syncs them: no automated sync (RollingSync would turn it off), retry and options kept.
        assert.strictEqual(spec.template.spec.syncPolicy.automated, undefined);
        assert.deepStrictEqual(spec.template.spec.syncPolicy.syncOptions, ["CreateNamespace=true", "ServerSideApply=true"]);
        assert.strictEqual((spec.template.spec.syncPolicy.retry as { limit: number }).limit, 5);
    });

    it("without a rollout the ApplicationSet syncs every cluster at once, automatically", async () => {
        const run = await rolloutRun({});
        const spec = ofType(run, "kubernetes:argoproj.io/v1alpha1:ApplicationSet").find((s) => s.name === "appset-hello-fleet")!.inputs.spec as AppSetSpec;
        assert.strictEqual(spec.strategy, undefined);
        assert.deepStrictEqual(spec.template.spec.syncPolicy.automated, { prune: true, selfHeal: true });
        assert.strictEqual(spec.template.metadata.labels["gitops.platform/rollout-wave"], undefined);
    });

    it("refuses a wave that takes no cluster, a cluster in two waves and clusters in no wave, with key paths", async () => {
        const at = "platform.gitops.applications[0].rollout";
        await assert.rejects(rolloutRun({ rollout: { waves: [{ name: "canary", clusters: { tier: "moon" } }, { name: "rest" }] } }), (e: Error) => {
            assert.match(e.message, new RegExp(`${at.replace(/[.[\]]/g, "\\$&")}\\.waves\\[0\\]\\.clusters: wave "canary" takes no cluster: none of 5 selected \\(in-cluster, eu-1, eu-2, eu-3, edge-1\\) matches labels \\{"tier":"moon"\\}`));
            return true;
        });
        await assert.rejects(rolloutRun({ rollout: { waves: [{ name: "web", clusters: { tier: "web" } }, { name: "again", clusters: { tier: "web" } }, { name: "rest" }] } }), (e: Error) => {
            assert.match(e.message, /rollout\.waves\[1\]\.clusters: cluster "eu-1" is in wave "web" and in wave "again": a cluster belongs to one wave/);
            assert.match(e.message, /rollout\.waves\[1\]\.clusters: cluster "eu-3" is in wave "web" and in wave "again"/);
            return true;
        });
        await assert.rejects(rolloutRun({ rollout: { waves: [{ name: "canary", clusters: { tier: "edge" } }, { name: "web", clusters: { tier: "web" } }] } }), /rollout\.waves: clusters in-cluster, eu-2 are in no wave and would never be synced: add a last wave without clusters/);
        // The rest wave, when nothing is left for it.
        await assert.rejects(rolloutRun({ clusterSelector: { tier: "web" }, rollout: { waves: [{ name: "web", clusters: { tier: "web" } }, { name: "rest" }] } }), /rollout\.waves\[1\]\.clusters: wave "rest" takes no cluster: none of 2 selected \(eu-1, eu-3\) matches the rest/);
    });

    it("refuses shapes Argo CD would not roll out, before any cluster is read", async () => {
        const refused = async (app: Record<string, unknown>, message: RegExp) => assert.rejects(rolloutRun(app), message);
        await refused({ rollout: { waves: [{ name: "all" }] } }, /rollout\.waves: at least two waves/);
        await refused({ rollout: { waves: [{ name: "rest" }, { name: "canary", clusters: { tier: "edge" } }] } }, /rollout\.waves\[0\]\.clusters: only the last wave may leave out clusters/);
        await refused({ rollout: { waves: [{ name: "a", clusters: { tier: "edge" } }, { name: "a" }] } }, /rollout\.waves\[1\]\.name: wave "a" is named twice/);
        await refused({ rollout: { waves: [{ name: "a", clusters: { tier: "edge" }, maxUpdate: "150%" }, { name: "b" }] } }, /rollout\.waves\[0\]\.maxUpdate.*1% to 100%/s);
        await refused({ rollout: { waves: [{ name: "a", clusters: { tier: "edge" }, maxUpdate: 0 }, { name: "b" }] } }, /rollout\.waves\[0\]\.maxUpdate.*at least 1/s);
        await refused({ rollout: { waves: [{ name: "a", clusters: { tier: "edge" }, maxUpdate: "half" }, { name: "b" }] } }, /rollout\.waves\[0\]\.maxUpdate.*a count like 2 or a share like 25%/s);
        await refused({ clusterSelector: undefined, destination: { namespace: "hello", cluster: "in-cluster" }, rollout: { waves: WAVES } }, /platform\.gitops\.applications\[0\]\.rollout: a rollout orders the clusters of clusterSelector in waves: set clusterSelector/);
    });
});
