/**
 * The policy pack's second entry point: what Argo CD applies. The plan renders the chart of every
 * Application it declares and of every Application its ApplicationSets generate per cluster, and the
 * same running pack (same config, levels and rules) judges each rendered object; findings appear per
 * Application and cluster in policy-report.json, policy-report.sarif and the text summary, mandatory
 * ones fail the plan and the review, and a chart from the internet is listed as not judged, once.
 */
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { applicationsToRender } from "../tools/manifests/applications";
import { kubernetesTypeToken, renderedObjectResource } from "../tools/manifests/policy-resources";
import { Manifest } from "../tools/manifests/types";
import { renderApplications } from "../tools/plan/manifests-step";
import { addRenderedSecrets, Redactor } from "../tools/plan/redaction";
import { PolicyReport, ReportedViolation } from "../tools/policy-analyzer/report-json";
import { findTool } from "./support/helm";
import { PROJECT_ROOT } from "./support/program";
import { copyProject } from "./support/project-copy";
import { commitAll, git, projectRepository } from "./support/review-repo";
import { runReview } from "./support/review-cli";

const COMMIT = "0123456789abcdef0123456789abcdef01234567";
/** The insecure fixture chart's ConfigMap token: it must never appear in anything the plan writes or prints. */
const TOKEN_CANARY = "canary-manifests-T0ken-9f3b2c7d1e";
const FIXTURE_CHART = path.join(PROJECT_ROOT, "test", "fixtures", "charts", "insecure-web");
const PLATFORM = "gitops-platform:platform";

interface PlanRun {
    code: number;
    stdout: string;
    stderr: string;
}

/** `npm run plan` as a user runs it, in `cwd` (asynchronous, so several stacks plan side by side). */
function runPlan(cwd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<PlanRun> {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(cwd, "tools", "plan", "cli.ts"), ...args], {
        cwd,
        env: { ...env, GITHUB_SHA: COMMIT },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve) => child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr })));
}

/** Changes the platform config of `stacks/Pulumi.<stack>.yaml` in a copy, keeping its comments. */
function editPlatform(dir: string, stack: string, change: (platform: Record<string, unknown>) => void): void {
    const file = path.join(dir, "stacks", `Pulumi.${stack}.yaml`);
    const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"));
    const platform = (doc.getIn(["config", PLATFORM]) as YAML.YAMLMap).toJSON() as Record<string, unknown>;
    change(platform);
    doc.setIn(["config", PLATFORM], doc.createNode(platform));
    fs.writeFileSync(file, doc.toString());
}

/** An Application of the insecure fixture chart, copied into the project's charts/. */
function insecureApplication(dir: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    fs.cpSync(FIXTURE_CHART, path.join(dir, "charts", "insecure-web"), { recursive: true });
    return {
        name: "insecure-web",
        project: "team-hello",
        source: { repository: "gitops-platform", path: "charts/insecure-web", revision: "main", trackBranch: true },
        destination: { namespace: "hello" },
        ...extra,
    };
}

const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, "utf8")) as T;
const rendered = (report: PolicyReport) => report.violations.filter((v) => v.renderedBy);
/** Findings on what the ApplicationSet of the insecure chart generates (it is named by the program: `<something>-insecure-web`). */
const fromInsecureSet = (v: ReportedViolation) => v.renderedBy?.applicationSet?.endsWith("insecure-web") === true;
const describeAll = (vs: ReportedViolation[]) => vs.map((v) => `[${v.enforcementLevel}] ${v.policyName} ${v.renderedBy ? `${v.renderedBy.application}@${v.renderedBy.cluster} ${v.renderedBy.object}` : v.urn}`).join("\n");

describe("manifests entry point: rendered objects as policy resources", () => {
    const deployment: Manifest = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "apps" } };

    it("gives an object the provider's type token, a URN naming stack, Application and cluster, and the Application on that cluster as parent", () => {
        assert.equal(kubernetesTypeToken({ apiVersion: "v1", kind: "ConfigMap" }), "kubernetes:core/v1:ConfigMap");
        assert.equal(kubernetesTypeToken({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy" }), "kubernetes:networking.k8s.io/v1:NetworkPolicy");
        const r = renderedObjectResource(deployment, { stack: "dev", project: "gitops-platform", application: "hello-service", cluster: "hub" });
        assert.equal(r.type, "kubernetes:apps/v1:Deployment");
        assert.equal(r.urn, "urn:pulumi:dev::gitops-platform::gitops:manifests:Application$kubernetes:apps/v1:Deployment::hub/hello-service/apps/web");
        assert.equal(r.parent, "urn:pulumi:dev::gitops-platform::gitops:manifests:Application::hello-service@hub");
        assert.deepEqual(r.properties, deployment);
    });

    const clusterSecret = (name: string, labels: Record<string, string>): Manifest => ({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: `cluster-${name}`, namespace: "argocd", labels: { "argocd.argoproj.io/secret-type": "cluster", ...labels } },
        stringData: { name: "[redacted]", server: "[redacted]" },
    });
    const internetAddon: Manifest = {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "ApplicationSet",
        metadata: { name: "addon-cert-manager", namespace: "argocd" },
        spec: {
            goTemplate: true,
            generators: [{ clusters: { selector: { matchLabels: { addons: "on" } } } }],
            template: {
                metadata: { name: "{{.name}}-cert-manager" },
                spec: { project: "platform-addons", destination: { name: "{{.name}}", namespace: "cert-manager" }, source: { repoURL: "https://charts.jetstack.io", chart: "cert-manager", targetRevision: "v1.21.2" } },
            },
        },
    };
    const declared: Manifest = {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Application",
        metadata: { name: "hello-service", namespace: "argocd" },
        spec: { destination: { server: "https://kubernetes.default.svc", namespace: "hello" }, source: { repoURL: "https://github.com/acme-platform/gitops-platform.git", path: "charts/hello-service" } },
    };
    const manifests = [clusterSecret("in-cluster", {}), clusterSecret("eu-1", { addons: "on" }), clusterSecret("eu-2", { addons: "on" }), clusterSecret("eu-3", {}), internetAddon, declared];

    it("takes every declared Application and every Application an ApplicationSet generates per selected cluster, each with its cluster", () => {
        const { applications } = applicationsToRender(manifests);
        assert.deepEqual(
            applications.map((a) => `${a.application.metadata.name}@${a.cluster}${a.applicationSet ? ` (${a.applicationSet})` : ""}`),
            ["hello-service@in-cluster", "eu-1-cert-manager@eu-1 (addon-cert-manager)", "eu-2-cert-manager@eu-2 (addon-cert-manager)"],
        );
    });

    it("lists a chart from the internet once as not judged, with every Application that uses it, and never fetches it", async () => {
        // A helm that cannot run: an internet chart must be refused before helm is asked to fetch it.
        const renders = await renderApplications({ projectRoot: PROJECT_ROOT, manifests: [internetAddon, ...manifests.slice(0, 4)], helm: "/nonexistent/helm" });
        assert.equal(renders.rendered.length, 0);
        assert.deepEqual(renders.notJudged, [
            { what: "cert-manager v1.21.2 from https://charts.jetstack.io", reason: "a chart from the internet, which is not fetched here", applications: ["eu-1-cert-manager@eu-1", "eu-2-cert-manager@eu-2"] },
        ]);
    });

    it("teaches the redactor a rendered Secret's data and a credential in a ConfigMap", async () => {
        const redactor = new Redactor();
        await addRenderedSecrets(redactor, { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { password: Buffer.from("hunter2-canary-pw").toString("base64") } });
        await addRenderedSecrets(redactor, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { API_TOKEN: TOKEN_CANARY, LOG_LEVEL: "verbose" } });
        assert.equal(redactor.scrub(`a hunter2-canary-pw b ${TOKEN_CANARY} c verbose`), "a [secret] b [secret] c verbose");
    });
});

describe("npm run plan without helm", function () {
    this.timeout(300_000);
    let project: string;
    after(() => project && !process.env.KEEP && fs.rmSync(project, { recursive: true, force: true }));

    it("still plans, and says in one line that Application manifests were not judged", async () => {
        project = copyProject("manifests-nohelm-");
        fs.rmSync(path.join(project, ".tools")); // the link to the pinned tools: no helm here
        const env: NodeJS.ProcessEnv = { ...process.env, PATH: (process.env.PATH ?? "").split(path.delimiter).filter((d) => !fs.existsSync(path.join(d, "helm"))).join(path.delimiter) };
        delete env.PLAN_HELM;
        const run = await runPlan(project, ["--stack", "local", "--out", path.join(project, "out")], env);
        assert.equal(run.code, 0, run.stderr);
        const line = "Application manifests were not judged: helm is not installed (bash tools/install.sh helm)";
        assert.equal(run.stdout.split("\n").filter((l) => l.includes("not judged")).join("\n"), line);
        const report = readJson<PolicyReport>(path.join(project, "out", "local", "policy-report.json"));
        assert.deepEqual(report.manifests, { judged: false, applications: 0, clusters: 0, objects: 0, notJudged: [], note: line });
    });
});

describe("npm run plan: what Argo CD Applications render, judged per Application and cluster", function () {
    this.timeout(600_000);
    let project: string;
    let run: PlanRun;
    let report: PolicyReport;
    let sarif: { runs: { results: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string } }; logicalLocations: { name?: string; fullyQualifiedName: string; kind: string }[] }[] }[]; invocations?: { toolExecutionNotifications: { message: { text: string } }[] }[] }[] };
    const out = () => path.join(project, "out", "dev");

    before(async () => {
        findTool("helm");
        project = copyProject("manifests-plan-");
        // The dev stack with three fleet clusters (eu-1 and eu-3 are tier web) and the insecure chart
        // deployed to every web cluster by an ApplicationSet.
        editPlatform(project, "dev", (platform) => {
            const gitops = platform.gitops as { projects: { destinations: { namespace: string; cluster?: string }[] }[]; applications: unknown[] };
            for (const p of gitops.projects) p.destinations = [...p.destinations, ...p.destinations.map((d) => ({ namespace: d.namespace, cluster: "eu-*" }))];
            gitops.applications.push(insecureApplication(project, { name: "insecure-web", clusterSelector: { tier: "web" } }));
            platform.fleet = [{ from: "map-output", source: { backend: "json", path: "test/fixtures/fleet/clusters.outputs.json" }, output: "fleet_clusters" }];
        });
        // The same config for both entry points: running as root is made mandatory here, an unpinned image stays advisory.
        const configFile = path.join(project, "policies", "config", "dev.json");
        fs.writeFileSync(configFile, JSON.stringify({ ...readJson<Record<string, unknown>>(configFile), "container-security-context": { enforcementLevel: "mandatory" } }, null, 2));
        run = await runPlan(project, ["--stack", "dev", "--out", path.join(project, "out")]);
        report = readJson<PolicyReport>(path.join(out(), "policy-report.json"));
        sarif = readJson(path.join(out(), "policy-report.sarif"));
    });
    after(() => project && !process.env.KEEP && fs.rmSync(project, { recursive: true, force: true }));

    it("exits 1 and names the mandatory rules the rendered objects violate", () => {
        assert.equal(run.code, 1, run.stderr);
        const line = run.stderr.split("\n").find((l) => l.startsWith("plan: mandatory policy violated:"));
        assert.ok(line, run.stderr);
        assert.match(line, /container-security-context/);
        assert.match(line, /no-secret-literals/);
    });

    it("reports the Deployment running as root, its unpinned image and the ConfigMap's token, with the rule, level, Application and cluster", () => {
        const on = (cluster: string) => rendered(report).filter((v) => v.renderedBy!.cluster === cluster && fromInsecureSet(v));
        const eu1 = on("eu-1");
        const summary = (vs: ReportedViolation[]) => vs.map((v) => `${v.enforcementLevel} ${v.policyName} ${v.renderedBy!.object}`).sort();
        const expected = [
            "advisory container-image-pinned Deployment hello/insecure-web",
            "mandatory container-security-context Deployment hello/insecure-web",
            "mandatory no-secret-literals ConfigMap hello/insecure-web-config",
        ];
        for (const e of expected) assert.ok(summary(eu1).includes(e), `missing "${e}" in\n${describeAll(rendered(report))}`);
        const root = eu1.find((v) => v.policyName === "container-security-context")!;
        assert.match(root.message, /containers\[0\] \(web\) may run as root/);
        assert.deepEqual(root.renderedBy, { application: "eu-1-insecure-web", cluster: "eu-1", applicationSet: root.renderedBy!.applicationSet, object: "Deployment hello/insecure-web", template: "charts/insecure-web/templates/deployment.yaml" });
        assert.match(eu1.find((v) => v.policyName === "container-image-pinned")!.message, /"nginx:latest" uses the latest tag/);
    });

    it("gives the ApplicationSet's generated Applications one set of findings per cluster it selects", () => {
        const byCluster = new Map<string, string[]>();
        for (const v of rendered(report).filter(fromInsecureSet)) {
            byCluster.set(v.renderedBy!.cluster, [...(byCluster.get(v.renderedBy!.cluster) ?? []), `${v.policyName} ${v.renderedBy!.object}`].sort());
        }
        assert.deepEqual([...byCluster.keys()].sort(), ["eu-1", "eu-3"], "eu-2 is tier batch: not selected");
        assert.deepEqual(byCluster.get("eu-1"), byCluster.get("eu-3"));
        assert.ok(report.manifests!.judged && report.manifests!.clusters >= 3, JSON.stringify(report.manifests));
        assert.equal(report.summary.manifests, rendered(report).length);
    });

    it("says so in the text summary, by Application and cluster", () => {
        const lines = run.stdout.split("\n");
        const header = lines.find((l) => l.startsWith("Argo CD Application manifests:"));
        assert.match(header ?? "", /^Argo CD Application manifests: \d+ objects of \d+ Applications on \d+ clusters judged$/);
        for (const cluster of ["eu-1", "eu-3"]) {
            const found = rendered(report).filter((v) => v.renderedBy!.cluster === cluster && fromInsecureSet(v));
            const at = lines.indexOf(`  ${cluster}-insecure-web@${cluster} (ApplicationSet ${found[0].renderedBy!.applicationSet}): ${found.length} violations`);
            assert.ok(at > 0, run.stdout);
            assert.match(lines.slice(at + 1).join("\n"), /^ {4}\[mandatory\] container-security-context \(Deployment hello\/insecure-web\): /m);
        }
    });

    it("puts the object and the Application in SARIF as logical locations, and the chart template as the file", () => {
        const results = sarif.runs[0].results.filter((r) => r.ruleId === "container-security-context" && r.locations[0].logicalLocations?.some((l) => l.name === "eu-3-insecure-web@eu-3"));
        assert.equal(results.length, 1);
        const [location] = results[0].locations;
        assert.equal(results[0].level, "error");
        assert.equal(location.physicalLocation.artifactLocation.uri, "charts/insecure-web/templates/deployment.yaml");
        assert.deepEqual(location.logicalLocations[0], { fullyQualifiedName: "urn:pulumi:dev::gitops-platform::gitops:manifests:Application$kubernetes:apps/v1:Deployment::eu-3/eu-3-insecure-web/hello/insecure-web", kind: "resource", name: "Deployment hello/insecure-web" });
    });

    it("lists each chart from the internet as not judged, in one line per chart", () => {
        const notJudged = run.stdout.split("\n").filter((l) => l.includes("not judged:"));
        const charts = report.manifests!.notJudged.map((n) => n.what);
        assert.ok(charts.includes("cert-manager v1.21.2 from https://charts.jetstack.io"), charts.join("\n"));
        assert.ok(charts.some((c) => c.startsWith("oci://registry-1.docker.io/envoyproxy/gateway-helm")), charts.join("\n"));
        assert.equal(new Set(charts).size, charts.length, "one entry per chart");
        assert.equal(notJudged.length, charts.length, run.stdout);
        const certManager = report.manifests!.notJudged.find((n) => n.what.startsWith("cert-manager"))!;
        assert.ok(certManager.applications.length >= 3, `every cluster's cert-manager Application is named: ${certManager.applications.join(", ")}`);
        assert.equal(sarif.runs[0].invocations![0].toolExecutionNotifications.length, charts.length);
    });

    it("never writes or prints the token a rendered ConfigMap holds", () => {
        const texts = { stdout: run.stdout, stderr: run.stderr, "policy-report.json": fs.readFileSync(path.join(out(), "policy-report.json"), "utf8"), "policy-report.sarif": fs.readFileSync(path.join(out(), "policy-report.sarif"), "utf8") };
        for (const [where, text] of Object.entries(texts)) assert.ok(!text.includes(TOKEN_CANARY), `the token is in ${where}`);
    });
});

describe("charts/hello-service as every stack's Applications render it", function () {
    this.timeout(600_000);
    const STACKS = ["local", "dev", "staging", "prod"];
    let project: string;
    const runs = new Map<string, PlanRun>();

    before(async () => {
        findTool("helm");
        project = copyProject("manifests-stacks-");
        const results = await Promise.all(STACKS.map((s) => runPlan(project, ["--stack", s, "--out", path.join(project, "out")])));
        STACKS.forEach((s, i) => runs.set(s, results[i]));
    });
    after(() => project && !process.env.KEEP && fs.rmSync(project, { recursive: true, force: true }));

    for (const stack of STACKS) {
        it(`${stack}: the hello-service Application's objects are judged and raise no finding`, () => {
            const run = runs.get(stack)!;
            assert.equal(run.code, 0, run.stderr);
            const report = readJson<PolicyReport>(path.join(project, "out", stack, "policy-report.json"));
            assert.ok(report.manifests?.judged, JSON.stringify(report.manifests));
            assert.ok(report.manifests.objects >= 5, `objects judged: ${report.manifests.objects}`);
            assert.ok(!report.manifests.notJudged.some((n) => n.applications.some((a) => a.startsWith("hello-service@"))), JSON.stringify(report.manifests.notJudged));
            assert.equal(describeAll(rendered(report).filter((v) => v.renderedBy!.application === "hello-service")), "");
        });
    }
});

describe("npm run review: findings on what Applications render, base against head", function () {
    this.timeout(600_000);
    let repo: string;
    let review: Awaited<ReturnType<typeof runReview>>;

    before(async () => {
        findTool("helm");
        repo = projectRepository("manifests-review-");
        // Base: the insecure chart runs as root, with no token. Head: fixed to run as non-root, but a token in its ConfigMap.
        editPlatform(repo, "local", (platform) => (platform.gitops as { applications: unknown[] }).applications.push(insecureApplication(repo)));
        const values = path.join(repo, "charts", "insecure-web", "values.yaml");
        fs.writeFileSync(values, fs.readFileSync(values, "utf8").replace("tokenInConfig: true", "tokenInConfig: false"));
        commitAll(repo, "base: insecure-web runs as root");
        fs.writeFileSync(values, fs.readFileSync(values, "utf8").replace("runAsRoot: true", "runAsRoot: false").replace("tokenInConfig: false", "tokenInConfig: true"));
        commitAll(repo, "head: insecure-web runs as non-root, but holds a token");
        git(repo, "log", "--oneline");
        review = await runReview(repo, ["--base", "HEAD~1", "--stack", "local"]);
    });
    after(() => repo && fs.rmSync(repo, { recursive: true, force: true }));

    it("shows the token finding new in head, the root finding fixed from base, and exits 1 for the mandatory one", () => {
        assert.equal(review.status, 1, review.stderr);
        const findings = review.review.stacks[0].findings;
        const show = (fs_: typeof findings.new) => fs_.map((f) => `${f.enforcementLevel} ${f.policyName} ${f.renderedBy ? `${f.renderedBy.application}@${f.renderedBy.cluster} ${f.renderedBy.object}` : f.urn}`);
        assert.ok(show(findings.new).includes("mandatory no-secret-literals insecure-web@in-cluster ConfigMap hello/insecure-web-config"), show(findings.new).join("\n"));
        assert.ok(show(findings.fixed).includes("advisory container-security-context insecure-web@in-cluster Deployment hello/insecure-web"), show(findings.fixed).join("\n"));
        assert.ok(show(findings.unchanged).includes("advisory container-image-pinned insecure-web@in-cluster Deployment hello/insecure-web"), show(findings.unchanged).join("\n"));
        assert.match(review.summary, /no-secret-literals.*Application insecure-web@in-cluster: ConfigMap hello\/insecure-web-config/);
        assert.ok(!review.summary.includes(TOKEN_CANARY) && !review.html.includes(TOKEN_CANARY), "the token is in the review");
    });
});
