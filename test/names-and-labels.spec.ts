/**
 * Issue 22, names and labels: a label Kubernetes would refuse, an invisible character in a selector, a
 * label the program sets itself (`environment`, `enable_<add-on>`, the audit labels), two Secrets
 * Manager containers or two Applications of one name, and a renamed hub whose destinations no longer
 * match are each refused before anything is applied, with the key path of the config (or the
 * Terraform output) that causes it; the valid neighbours of each are accepted.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import * as fc from "fast-check";
import { clusterSecretResources, configError, PROJECT_ROOT, problemPaths as paths, runProgram, withAuditCommit } from "./support/program";
import { labelKeyProblem, labelValueProblem, LabelsSchema } from "../stacks/schema";
import { formatZodIssues } from "../lib/zodIssues";
import { check } from "./properties/property";

const FLEET = "test/fixtures/fleet";
const MAP_ENTRY = { from: "map-output", source: { backend: "json", path: `${FLEET}/clusters.outputs.json` }, output: "fleet_clusters" };

type Entry = Record<string, unknown> & { name: string };
type Destination = { namespace: string; cluster?: string };
/** The parts of the dev stack's platform config these tests edit. */
interface DevPlatform {
    gitops: {
        repositories: Entry[];
        projects: (Entry & { destinations: Destination[] })[];
        applications: (Entry & { clusterSelector?: object; destination: Destination })[];
    };
    addons: (Entry & { installedBy?: string; enabled?: boolean })[];
}

/** The committed dev stack's `platform`. */
function dev(): DevPlatform {
    return YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, "stacks", "Pulumi.dev.yaml"), "utf8")).config["gitops-platform:platform"];
}

/** Dev's projects, admitting the map output's clusters (`eu-*`). */
function fleetProjects(): Record<string, unknown>[] {
    return dev().gitops.projects.map((p) => ({
        ...p,
        destinations: [...p.destinations, ...p.destinations.map((d) => ({ namespace: d.namespace, cluster: "eu-*" }))],
    }));
}

describe("names and labels (issue 22)", function () {
    this.timeout(120_000);
    withAuditCommit();

    it("refuses label keys and values Kubernetes refuses, wherever labels are given, and accepts its valid forms", async () => {
        const bad = { "-tier": "a", "a_b/c": "x", "example.com/": "x", [`k${"x".repeat(63)}`]: "x", tier: "has space", zone: "z".repeat(64), ring: "-canary" };
        const err = await configError({
            stack: "dev",
            platform: {
                cluster: { labels: bad },
                gitops: { labels: { "team name": "x" }, applications: dev().gitops.applications.map((a, i) => (i === 0 ? { ...a, clusterSelector: { "tier ": "edge" } } : a)) },
            },
        });
        assert.deepStrictEqual(paths(err), [
            ...Object.keys(bad).map((k) => `platform.cluster.labels${/^[A-Za-z_$][\w$-]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`}`),
            'platform.gitops.applications[0].clusterSelector["tier "]',
            'platform.gitops.labels["team name"]',
        ].sort());
        assert.match(err.message, /platform\.cluster\.labels\.zone: not a label value Kubernetes accepts \(a value of 64 characters\)/);
        assert.ok(!err.message.includes("z".repeat(64)), "the value is described, not echoed");
        // What Kubernetes accepts passes: a prefixed key, dots, underscores, an empty value.
        const run = await runProgram({ stack: "dev", platform: { cluster: { labels: { "app.kubernetes.io/part-of": "platform", tier_1: "a.b-c", empty: "" } } } });
        const hub = clusterSecretResources(run).map((s) => s.inputs as { metadata: { labels: Record<string, string> } })[0];
        assert.strictEqual(hub.metadata.labels["app.kubernetes.io/part-of"], "platform");
        assert.strictEqual(hub.metadata.labels.empty, "");
    });

    it("refuses an invisible character in a selector, showing it escaped in the key path", async () => {
        const apps = dev().gitops.applications.map((a, i) => (i === 0 ? { ...a, clusterSelector: { "tier\u200b": "edge", region: "eu\u202e1" } } : a));
        const err = await configError({ stack: "dev", platform: { gitops: { applications: apps } } });
        assert.deepStrictEqual(paths(err), ["platform.gitops.applications[0].clusterSelector.region", 'platform.gitops.applications[0].clusterSelector["tier\\u200b"]']);
        assert.ok(!/[\u200b\u202e]/.test(err.message), "no invisible character reaches the message");
    });

    it("refuses the labels the program sets itself: environment, enable_<add-on>, Argo CD's secret type and the audit labels", async () => {
        const err = await configError({
            stack: "dev",
            platform: {
                cluster: { labels: { enable_cert_manager: "true", "argocd.argoproj.io/secret-type": "repository" } },
                fleet: [{ ...MAP_ENTRY, labels: { environment: "prod", "gitops.platform/owner": "someone" } }],
                gitops: { projects: fleetProjects(), labels: { "gitops.platform/git-commit": "f".repeat(40) } },
            },
        });
        assert.deepStrictEqual(err.problems.map((p) => `${p.path}: ${p.message}`).sort(), [
            'platform.cluster.labels["argocd.argoproj.io/secret-type"]: set by the program (the Secret is a cluster Secret); remove it',
            "platform.cluster.labels.enable_cert_manager: turns an add-on on; list the add-on in the fleet entry's addons instead, so its project is checked",
            "platform.fleet[0].labels.environment: set by the program to the stack's environment; remove it",
            'platform.fleet[0].labels["gitops.platform/owner"]: an audit label, set by the program on everything it creates; remove it',
            'platform.gitops.labels["gitops.platform/git-commit"]: an audit label, set by the program on everything it creates; remove it',
        ].sort());
    });

    it("refuses a selector's environment other than the stack's, and accepts the stack's own", async () => {
        const withSelector = (selector: Record<string, string>) => dev().gitops.applications.map((a, i) => (i === 0 ? { ...a, clusterSelector: selector } : a));
        const err = await configError({ stack: "dev", platform: { gitops: { applications: withSelector({ environment: "prod" }) } } });
        assert.deepStrictEqual(err.problems, [
            { path: "platform.gitops.applications[0].clusterSelector.environment", message: 'the program always selects the stack\'s environment, "dev", never "prod": remove it' },
        ]);
        const run = await runProgram({ stack: "dev", platform: { gitops: { applications: withSelector({ environment: "dev" }) } } });
        assert.ok(run.resources.some((r) => r.type === "gitops:platform:TeamApplicationSet"));
    });

    it("refuses a map output's cluster labels that Kubernetes refuses or that turn an add-on on, naming the output key", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-labels-"));
        try {
            const outputs = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, FLEET, "clusters.outputs.json"), "utf8"));
            outputs.fleet_clusters.value["eu-2"].labels = { enable_cert_manager: "true", "bad key": "x", ok: "yes" };
            const file = path.join(dir, "clusters.outputs.json");
            fs.writeFileSync(file, JSON.stringify(outputs));
            const err = await configError({ stack: "dev", platform: { fleet: [{ ...MAP_ENTRY, source: { backend: "json", path: file } }], gitops: { projects: fleetProjects() } } });
            assert.deepStrictEqual(paths(err), ["platform.fleet[0].source", "platform.fleet[0].source"]);
            const text = err.problems.map((p) => p.message).join("\n");
            assert.match(text, /output fleet_clusters\.eu-2\.labels\.enable_cert_manager: turns an add-on on/);
            assert.match(text, /output fleet_clusters\.eu-2\.labels\["bad key"\]: not a label key Kubernetes accepts/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses two Secrets Manager containers of one name, or of one Pulumi resource name, naming both keys", async () => {
        const repos = dev().gitops.repositories;
        const withCreds = (name: string, secretsManagerName?: string) => ({ name, type: "helm", url: `https://${name}.example.com/charts`, credentials: { externalSecret: secretsManagerName ? { secretsManagerName } : {} } });
        const err = await configError({
            stack: "dev",
            platform: {
                gitops: {
                    repositories: [
                        ...repos,
                        withCreds("mirror-a", "shared/charts"),
                        withCreds("mirror-b", "shared/charts"),
                        withCreds("mirror-c", "gitops-platform/dev/repositories/gitops-platform"),
                        withCreds("mirror-d", "shared-charts"),
                        withCreds("mirror-e", "gitops-platform/dev/argocd-notifications"),
                    ],
                },
            },
        });
        const n = repos.length;
        assert.deepStrictEqual(err.problems.map((p) => p.path), [n + 1, n + 2, n + 3].map((i) => `platform.gitops.repositories[${i}].credentials.externalSecret.secretsManagerName`).concat("platform.argocd.notifications.secretsManagerName"));
        assert.match(err.problems[0].message, /Secrets Manager secret "shared\/charts" is also the one of platform\.gitops\.repositories\[\d+\]\.credentials/);
        assert.match(err.problems[1].message, /is also the one of platform\.gitops\.repositories\[0\]: give each its own secretsManagerName/);
        assert.match(err.problems[2].message, /"shared\/charts" .* and "shared-charts" differ only in characters other than letters/);
        // The notifications container comes last, so it is the one reported against mirror-e's.
        assert.match(err.problems[3].message, new RegExp(`also the one of platform\\.gitops\\.repositories\\[${n + 4}\\]\\.credentials\\.externalSecret\\.secretsManagerName`));
        // Distinct names pass.
        const run = await runProgram({ stack: "dev", platform: { gitops: { repositories: [...repos, withCreds("mirror-a", "shared/charts-a"), withCreds("mirror-b")] } } });
        assert.ok(run.resources.some((r) => r.type === "aws:secretsmanager/secret:Secret" && (r.inputs as { name: string }).name === "gitops-platform/dev/repositories/mirror-b"));
    });

    it("refuses a renamed hub whose applications and project destinations still name in-cluster, and accepts them renamed too", async () => {
        const err = await configError({ stack: "dev", platform: { cluster: { name: "hub" } } });
        const platform = dev();
        const expected = [
            ...platform.gitops.applications.flatMap((a, i) =>
                a.clusterSelector || (a.destination.cluster ?? "in-cluster") !== "in-cluster" ? [] : [`platform.gitops.applications[${i}].destination.cluster`],
            ),
            ...platform.gitops.projects.flatMap((p, i) =>
                p.destinations.flatMap((d, j) => ((d.cluster ?? "in-cluster") === "in-cluster" ? [`platform.gitops.projects[${i}].destinations[${j}].cluster`] : [])),
            ),
        ];
        assert.ok(expected.length >= 2);
        assert.deepStrictEqual(paths(err), expected.sort());
        assert.match(err.message, /no cluster is named "in-cluster": Argo CD knows "hub" \(the hub, platform\.cluster\.name, is "hub"\)/);
        const applications = platform.gitops.applications.map((a) => ({ ...a, destination: { ...a.destination, cluster: "hub" } }));
        const projects = platform.gitops.projects.map((p) => ({ ...p, destinations: p.destinations.map((d) => ({ ...d, cluster: "hub" })) }));
        const run = await runProgram({ stack: "dev", platform: { cluster: { name: "hub" }, gitops: { applications, projects } } });
        assert.deepStrictEqual(clusterSecretResources(run).map((s) => (s.inputs as { stringData: { name: string } }).stringData.name), ["hub"]);
    });

    it("refuses two Applications of one name from a team application, a team ApplicationSet and an add-on's, naming both", async () => {
        const platform = dev();
        const base = platform.gitops.applications[0];
        const addon = platform.addons.find((a) => (a.installedBy ?? "argocd") === "argocd" && a.enabled !== false);
        assert.ok(addon, "dev has an add-on Argo CD installs");
        const apps = [
            ...platform.gitops.applications,
            { ...base, name: "web", clusterSelector: { tier: "general" } },
            { ...base, name: "eu-1-web" }, // what the selector makes for eu-1
            { ...base, name: `eu-2-${addon.name}` }, // what the add-on makes for eu-2
        ];
        const err = await configError({ stack: "dev", platform: { fleet: [{ ...MAP_ENTRY, labels: { tier: "general" } }], gitops: { projects: fleetProjects(), applications: apps } } });
        const n = platform.gitops.applications.length;
        const text = err.problems.map((p) => `${p.path}: ${p.message}`);
        assert.ok(text.includes(`platform.gitops.applications[${n + 1}]: Application "eu-1-web" of team application "eu-1-web" is also the one of team application "web" on cluster "eu-1" (platform.gitops.applications[${n}]): rename one`), text.join("\n"));
        assert.ok(text.some((t) => t.startsWith("platform.addons[") && t.includes(`Application "eu-2-${addon.name}" of add-on "${addon.name}" on cluster "eu-2" is also the one of team application "eu-2-${addon.name}"`)), text.join("\n"));
        assert.strictEqual(err.problems.length, 2, text.join("\n"));
    });
});

describe("property: labels", function () {
    // Characters a label can never hold: controls, invisible formatting, odd spaces.
    const invisible = fc.constantFrom("\u0000", "\n", "\t", "\u200b", "\u200e", "\u202e", "\u2060", "\ufeff", "\u00a0", "\u2028");
    const plain = fc.stringMatching(/^[a-z0-9]{1,20}$/);

    it("a label key or value with an invisible or control character anywhere is refused, and its key path shows it escaped", async () => {
        await check(
            fc.property(plain, plain, invisible, fc.nat(20), fc.boolean(), (key, value, bad, at, inKey) => {
                const spoilt = (s: string) => s.slice(0, at % (s.length + 1)) + bad + s.slice(at % (s.length + 1));
                const labels = inKey ? { [spoilt(key)]: value } : { [key]: spoilt(value) };
                const parsed = LabelsSchema.safeParse(labels);
                assert.ok(!parsed.success);
                const lines = formatZodIssues(parsed.error.issues, ["platform", "cluster", "labels"]);
                assert.strictEqual(lines.length, 1);
                assert.ok(!/[\u0000-\u001f\u200b\u200e\u202e\u2060\ufeff\u00a0\u2028]/.test(lines[0]), JSON.stringify(lines[0]));
            }),
            300,
        );
    });

    it("a label is accepted exactly when its key's name part and its value are at most 63 label characters, alphanumeric at both ends", async () => {
        const labelChar = fc.constantFrom(..."abcXYZ019-_.");
        await check(
            fc.property(fc.array(labelChar, { maxLength: 70 }).map((cs) => cs.join("")), (text) => {
                const valid = text.length <= 63 && (text === "" || (/^[A-Za-z0-9]/.test(text) && /[A-Za-z0-9]$/.test(text)));
                assert.strictEqual(labelValueProblem(text) === undefined, valid, JSON.stringify(text));
                assert.strictEqual(labelKeyProblem(text) === undefined, valid && text !== "", JSON.stringify(text));
                assert.strictEqual(labelKeyProblem(`example.com/${text}`) === undefined, valid && text !== "", JSON.stringify(text));
            }),
            500,
        );
    });
});
