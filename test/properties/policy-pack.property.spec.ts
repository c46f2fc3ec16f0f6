/**
 * Property: for generated Applications and ApplicationSets (random sources, revisions, paths,
 * projects, credentials in values), each rule reports exactly the resources that break its stated
 * condition, and no compliant resource is flagged. The conditions are written here a second time,
 * from the rules' documentation, independently of their code; the pack runs for real (gRPC).
 */
import * as assert from "assert";
import * as fc from "fast-check";
import { PolicyAnalyzer, startPolicyAnalyzer } from "../../tools/policy-analyzer";
import { packDir } from "../../policies/test/support";
import { check } from "./property";

const ALLOWED = ["https://github.com/acme-platform/*", "https://charts.jetstack.io", "oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts"];

const repo = fc.constantFrom(
    { url: "https://github.com/acme-platform/apps", allowed: true, git: true },
    { url: "https://github.com/acme-platform/apps.git", allowed: true, git: true },
    { url: "git@github.com:acme-platform/apps.git", allowed: true, git: true },
    { url: "https://github.com/someone-else/apps", allowed: false, git: true },
    { url: "https://github.com/acme-platform/nested/apps", allowed: false, git: true },
    { url: "https://charts.jetstack.io", allowed: true, git: false },
    { url: "https://charts.bitnami.com/bitnami", allowed: false, git: false },
    { url: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts", allowed: true, git: false },
);
const revision = fc.constantFrom(
    { rev: "1.2.3", chart: true, git: true },
    { rev: "v1.2.3", chart: true, git: true },
    { rev: "1.2.3-rc.1", chart: true, git: true },
    { rev: "^1.2", chart: false, git: false },
    { rev: "latest", chart: false, git: false },
    { rev: "*", chart: false, git: false },
    { rev: "", chart: false, git: false },
    { rev: "HEAD", chart: false, git: false },
    { rev: "main", chart: false, git: false },
    { rev: "0123456789abcdef0123456789abcdef01234567", chart: false, git: true },
    { rev: "0123456", chart: false, git: false },
);
const gitPath = fc.constantFrom(
    { path: "charts/hello-service", inside: true },
    { path: "apps", inside: true },
    { path: "charts/./x", inside: true },
    { path: "../../etc", inside: false },
    { path: "charts/../../x", inside: false },
    { path: "/etc/passwd", inside: false },
);
const project = fc.constantFrom({ name: "team-a", ok: true }, { name: "default", ok: false }, { name: "", ok: false }, { name: undefined, ok: false });

const app = fc.record({
    kind: fc.constantFrom("Application", "ApplicationSet"),
    sources: fc.array(fc.record({ repo, revision, path: gitPath }), { minLength: 1, maxLength: 3 }),
    project,
    multi: fc.boolean(),
});

type Generated = typeof app extends fc.Arbitrary<infer T> ? T : never;

/** The four rules' conditions, for one generated application. */
function expected(g: Generated): Record<string, boolean> {
    const sources = g.multi ? g.sources : g.sources.slice(0, 1);
    return {
        "argocd-source-pinned": sources.some((s) => !(s.repo.git ? s.revision.git : s.revision.chart)),
        "argocd-source-allowed-repository": sources.some((s) => !s.repo.allowed),
        "argocd-source-path-in-repository": sources.some((s) => s.repo.git && !s.path.inside),
        "argocd-application-no-default-project": !g.project.ok,
    };
}

function toResource(g: Generated) {
    const sources = (g.multi ? g.sources : g.sources.slice(0, 1)).map((s) => ({
        repoURL: s.repo.url,
        targetRevision: s.revision.rev,
        ...(s.repo.git ? { path: s.path.path } : { chart: "app" }),
    }));
    const spec: Record<string, unknown> = {
        ...(g.project.name === undefined ? {} : { project: g.project.name }),
        destination: { server: "https://kubernetes.default.svc", namespace: "apps" },
        ...(g.multi ? { sources } : { source: sources[0] }),
    };
    const type = `kubernetes:argoproj.io/v1alpha1:${g.kind}`;
    const properties = g.kind === "Application"
        ? { apiVersion: "argoproj.io/v1alpha1", kind: g.kind, metadata: { name: "case", namespace: "argocd" }, spec }
        : { apiVersion: "argoproj.io/v1alpha1", kind: g.kind, metadata: { name: "case", namespace: "argocd" }, spec: { generators: [{ clusters: {} }], template: { metadata: { name: "{{name}}-case" }, spec } } };
    return { urn: `urn:pulumi:dev::gitops-platform::${type}::case`, type, name: "case", properties };
}

describe("property: each policy reports exactly the resources that break its condition", function () {
    this.timeout(180000);
    let analyzer: PolicyAnalyzer;
    before(async () => {
        analyzer = await startPolicyAnalyzer(packDir);
        await analyzer.configure(
            {
                all: "disabled",
                "argocd-source-pinned": "mandatory",
                "argocd-source-allowed-repository": { enforcementLevel: "mandatory", allowedRepositories: ALLOWED },
                "argocd-source-path-in-repository": "mandatory",
                "argocd-application-no-default-project": "mandatory",
            },
            "test config",
        );
    });
    after(async () => analyzer?.close());

    it("source pinning, allowed repositories, paths inside the repository, no default project", async () => {
        await check(
            fc.asyncProperty(app, async (g) => {
                const reported = new Set((await analyzer.analyze(toResource(g))).map((d) => d.policyName));
                for (const [rule, violated] of Object.entries(expected(g))) {
                    assert.strictEqual(reported.has(rule), violated, `${rule}: expected ${violated ? "a violation" : "no finding"} for ${JSON.stringify(toResource(g).properties)}`);
                }
            }),
            500,
        );
    });
});
