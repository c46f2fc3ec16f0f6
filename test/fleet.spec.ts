/**
 * A stack with a fleet: clusters from a Terraform map output and from a state of their own get one
 * cluster Secret each (EKS access through Argo CD's IAM identity, no credential), add-ons and team
 * applications reach them through ApplicationSets, so the declared resources grow with clusters plus
 * add-ons, never with their product; bad fleet input is refused with the key path and the source.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { clusterSecretResources, ofType, PROJECT_ROOT, ProgramRun, runProgram, TEST_COMMIT as COMMIT, withAuditCommit } from "./support/program";

const FIXTURES = "test/fixtures/fleet";
const MAP_ENTRY = { from: "map-output", source: { backend: "json", path: `${FIXTURES}/clusters.outputs.json` }, output: "fleet_clusters" };
const EDGE_ENTRY = {
    from: "state",
    name: "edge-1",
    source: { backend: "json", path: `${FIXTURES}/edge-1.outputs.json` },
    labels: { tier: "edge" },
    addons: ["cert-manager"],
    roleArn: "arn:aws:iam::444455556666:role/argocd-fleet",
};
type Meta = { name: string; labels: Record<string, string>; annotations: Record<string, string> };
type ClusterSecret = { metadata: Meta; stringData: { name: string; server: string; config: string } };

/** The dev stack's projects, with the fleet's clusters admitted where the test needs them. */
function devProjects(): Record<string, unknown>[] {
    const doc = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, "stacks", "Pulumi.dev.yaml"), "utf8"));
    const projects = doc.config["gitops-platform:platform"].gitops.projects as { name: string; destinations: { namespace: string; cluster?: string }[] }[];
    return projects.map((p) => ({
        ...p,
        destinations: [...p.destinations, ...p.destinations.map((d) => ({ namespace: d.namespace, cluster: "eu-*" })), ...p.destinations.map((d) => ({ namespace: d.namespace, cluster: "edge-1" }))],
    }));
}

function fleetRun(platform: Record<string, unknown> = {}): Promise<ProgramRun> {
    return runProgram({ stack: "dev", platform: { fleet: [MAP_ENTRY, EDGE_ENTRY], gitops: { projects: devProjects() }, ...platform } });
}

const clusterSecrets = (run: ProgramRun) => clusterSecretResources(run).map((s) => s.inputs as unknown as ClusterSecret);

describe("a fleet of clusters", function () {
    this.timeout(120_000);
    let run: ProgramRun;
    let single: ProgramRun;
    withAuditCommit();
    before(async () => {
        single = await runProgram({ stack: "dev" });
        run = await fleetRun();
    });

    it("registers the cluster Argo CD runs on and every cluster of the map output and of its own state", () => {
        const names = clusterSecrets(run).map((s) => s.stringData.name);
        assert.deepStrictEqual(names.sort(), ["edge-1", "eu-1", "eu-2", "eu-3", "in-cluster"]);
        assert.strictEqual(run.outputs.fleetClusters, 4);
    });

    it("a fleet cluster's Secret reaches EKS with Argo CD's IAM identity and holds no credential", () => {
        const edge = clusterSecrets(run).find((s) => s.stringData.name === "edge-1")!;
        const config = JSON.parse(edge.stringData.config);
        assert.strictEqual(edge.stringData.server, "https://EDGE10000000000000000.gr7.us-east-1.eks.amazonaws.com");
        assert.deepStrictEqual(config.awsAuthConfig, { clusterName: "gitops-edge-1", roleARN: "arn:aws:iam::444455556666:role/argocd-fleet" });
        assert.strictEqual(config.tlsClientConfig.insecure, false);
        assert.match(config.tlsClientConfig.caData, /^[A-Za-z0-9+/=]+$/);
        assert.ok(!("bearerToken" in config) && !("keyData" in config.tlsClientConfig), "no credential in the Secret");
        assert.strictEqual(edge.metadata.name, "cluster-edge-1");
    });

    it("labels carry the environment, the selection labels and the add-ons each cluster turns on", () => {
        const byName = new Map(clusterSecrets(run).map((s) => [s.stringData.name, s.metadata]));
        const edge = byName.get("edge-1")!;
        assert.strictEqual(edge.labels.environment, "dev");
        assert.strictEqual(edge.labels.tier, "edge");
        assert.strictEqual(edge.labels.enable_cert_manager, "true");
        assert.strictEqual(edge.labels.enable_envoy_gateway, undefined, "only the add-ons the entry names");
        assert.strictEqual(edge.labels.enable_external_secrets, undefined, "a bootstrap add-on stays on the cluster Argo CD runs on");
        const eu2 = byName.get("eu-2")!;
        assert.strictEqual(eu2.labels.tier, "batch", "labels from the map output");
        assert.strictEqual(eu2.labels.enable_envoy_gateway, "true", "by default every add-on Argo CD installs");
        assert.strictEqual(eu2.annotations.aws_region, "eu-central-1");
        assert.strictEqual(eu2.annotations.cert_manager_iam_role_arn, "arn:aws:iam::111122223333:role/eu-2-cert-manager");
        assert.strictEqual(eu2.labels["gitops.platform/git-commit"], COMMIT);
    });

    it("declares two resources per cluster and nothing per cluster and add-on", async () => {
        const sets = (r: ProgramRun) => ofType(r, "kubernetes:argoproj.io/v1alpha1:ApplicationSet").length;
        assert.strictEqual(sets(run), sets(single), "one ApplicationSet per add-on, whatever the fleet");
        assert.strictEqual(run.resources.length - single.resources.length, 2 * 4, "a ClusterRegistration and its Secret per cluster");

        // Ten times the clusters: still two resources each.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-spec-"));
        try {
            const base = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, FIXTURES, "clusters.outputs.json"), "utf8"));
            const template = base.fleet_clusters.value["eu-1"];
            // Each its own endpoint, as real clusters have: a server registered twice is refused.
            const cluster = (i: number) => ({ ...template, cluster_endpoint: template.cluster_endpoint.replace("://", `://c${i}-`) });
            base.fleet_clusters.value = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`eu-${i + 1}`, cluster(i + 1)]));
            const file = path.join(dir, "thirty.outputs.json");
            fs.writeFileSync(file, JSON.stringify(base));
            const big = await fleetRun({ fleet: [{ ...MAP_ENTRY, source: { backend: "json", path: file } }, EDGE_ENTRY] });
            assert.strictEqual(big.resources.length - single.resources.length, 2 * 31);
            assert.strictEqual(sets(big), sets(single));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("add-on ApplicationSets select clusters by label; value templates use only annotations every selected cluster has", () => {
        const set = ofType(run, "kubernetes:argoproj.io/v1alpha1:ApplicationSet").find((s) => s.name === "addon-cert-manager")!;
        const spec = set.inputs.spec as { generators: { clusters: { selector: { matchLabels: Record<string, string> } } }[]; template: { spec: { destination: { name: string } } } };
        assert.deepStrictEqual(spec.generators[0].clusters.selector.matchLabels, { environment: "dev", enable_cert_manager: "true" });
        assert.strictEqual(spec.template.spec.destination.name, "{{.name}}");
    });

    it("an add-on template naming an annotation a selected fleet cluster lacks is an error", async () => {
        const doc = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, "stacks", "Pulumi.dev.yaml"), "utf8"));
        const addons = doc.config["gitops-platform:platform"].addons.map((a: { name: string; values?: object }) =>
            a.name === "envoy-gateway" ? { ...a, values: { vpc: "{{.metadata.annotations.aws_vpc_id}}" } } : a,
        );
        // The cluster Argo CD runs on has aws_vpc_id; the fleet's clusters do not.
        await assert.rejects(fleetRun({ addons }), /add-on "envoy-gateway": values refer to cluster annotations the cluster Secret does not carry: aws_vpc_id/);
    });

    it("a team application with a clusterSelector is one ApplicationSet for every cluster it selects", async () => {
        const app = {
            name: "hello-web",
            project: "team-hello",
            source: { repository: "gitops-platform", path: "charts/hello-service", revision: "v0.1.0", valueFiles: ["values-dev.yaml"] },
            destination: { namespace: "hello" },
            clusterSelector: { tier: "web" },
        };
        const withApp = await fleetRun({ gitops: { projects: devProjects(), applications: [app] } });
        assert.strictEqual(ofType(withApp, "kubernetes:argoproj.io/v1alpha1:Application").length, 0);
        const set = ofType(withApp, "kubernetes:argoproj.io/v1alpha1:ApplicationSet").find((s) => s.name === "appset-hello-web")!;
        const spec = set.inputs.spec as { generators: { clusters: { selector: { matchLabels: Record<string, string> } } }[]; template: { metadata: { name: string }; spec: Record<string, unknown> } };
        assert.deepStrictEqual(spec.generators[0].clusters.selector.matchLabels, { tier: "web", environment: "dev" });
        assert.strictEqual(spec.template.metadata.name, "{{.name}}-hello-web");
        assert.deepStrictEqual(spec.template.spec.destination, { name: "{{.name}}", namespace: "hello" });
        assert.strictEqual(spec.template.spec.project, "team-hello");
    });

    it("refuses a cluster its project does not admit, naming the entry and the project", async () => {
        const doc = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, "stacks", "Pulumi.dev.yaml"), "utf8"));
        await assert.rejects(
            fleetRun({ gitops: { projects: doc.config["gitops-platform:platform"].gitops.projects } }),
            (e: Error) => {
                assert.match(e.message, /platform\.fleet\[0\] \(output fleet_clusters, key "eu-1"\): add-on "cert-manager" is turned on, but project "platform-addons" has no destination eu-1\/cert-manager/);
                assert.match(e.message, /platform\.fleet\[1\]: add-on "cert-manager"/);
                return true;
            },
        );
    });

    it("refuses an unknown add-on and a duplicate cluster name with their key paths", async () => {
        await assert.rejects(fleetRun({ fleet: [{ ...EDGE_ENTRY, addons: ["cert-manager", "no-such-addon"] }] }), /platform\.fleet\[0\]\.addons\[1\]: "no-such-addon" is not an enabled add-on installed by Argo CD/);
        await assert.rejects(fleetRun({ fleet: [EDGE_ENTRY, EDGE_ENTRY] }), /platform\.fleet\[1\]\.name: duplicate cluster name "edge-1" \(also platform\.fleet\[0\]\.name\)/);
        await assert.rejects(fleetRun({ fleet: [MAP_ENTRY, { ...MAP_ENTRY, labels: { tier: "again" } }] }), /platform\.fleet\[1\] \(output fleet_clusters, key "eu-1"\): duplicate cluster name "eu-1"/);
        await assert.rejects(fleetRun({ fleet: [{ ...EDGE_ENTRY, from: "everywhere" }] }), /platform\.fleet\[0\]\.from/);
    });

    it("refuses a missing or mistyped output, a bad cluster name and a sensitive output, naming the source", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-spec-"));
        const write = (name: string, doc: unknown) => {
            const file = path.join(dir, name);
            fs.writeFileSync(file, JSON.stringify(doc));
            return file;
        };
        try {
            const base = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, FIXTURES, "clusters.outputs.json"), "utf8"));
            const entry = (file: string, output = "fleet_clusters") => ({ fleet: [{ ...MAP_ENTRY, output, source: { backend: "json", path: file } }] });
            const file = write("ok.json", base);
            await assert.rejects(fleetRun(entry(file, "no_such_output")), /platform\.fleet\[0\]: terraform output -json file ".*ok\.json".*no_such_output: missing/s);
            const badName = structuredClone(base);
            badName.fleet_clusters.value = { EU_1: base.fleet_clusters.value["eu-1"] };
            await assert.rejects(fleetRun(entry(write("bad-name.json", badName))), /fleet_clusters\["EU_1"\]: a cluster name must be a lowercase RFC 1123 name/);
            const missing = structuredClone(base);
            delete missing.fleet_clusters.value["eu-2"].cluster_endpoint;
            await assert.rejects(fleetRun(entry(write("missing.json", missing))), /cluster_endpoint/);
            const sensitive = structuredClone(base);
            sensitive.fleet_clusters.sensitive = true;
            await assert.rejects(fleetRun(entry(write("sensitive.json", sensitive))), /fleet_clusters: marked sensitive, but a cluster's facts go into its Secret's labels and annotations/);
            await assert.rejects(fleetRun(entry(path.join(dir, "absent.json"))), /platform\.fleet\[0\]\.source: .*absent\.json/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("a project destination may admit a fleet by name prefix, never by * alone", async () => {
        const projects = devProjects().map((p) => ({ ...p, destinations: [...(p.destinations as object[]), { namespace: "hello", cluster: "*" }] }));
        await assert.rejects(fleetRun({ gitops: { projects } }), /platform\.gitops\.projects\[0\]\.destinations\[\d+\]\.cluster: expected a lowercase RFC 1123 cluster name, or a name prefix ending in \* \(never \* alone\)/);
        const project = ofType(run, "kubernetes:argoproj.io/v1alpha1:AppProject").find((p) => p.name === "platform-addons")!;
        const destinations = (project.inputs.spec as { destinations: { name: string }[] }).destinations.map((d) => d.name);
        assert.ok(destinations.includes("eu-*"));
    });
});
