/**
 * The review's comparison rules without plans: ApplicationSet expansion (cluster and list
 * generators, selectors, templates, what is not expanded), the replace rule, the comment limit
 * of summary.md and the all-or-nothing output.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expandApplicationSet, registeredClusters } from "../tools/manifests/appset-generators";
import { Review, StackReview } from "../tools/review/model";
import { PlanOutput, PlannedResource, Manifest } from "../tools/review/plan-output";
import { resourceChanges } from "../tools/review/resource-changes";
import { COMMENT_LIMIT, summaryMarkdown } from "../tools/review/summary-md";
import { writeReview } from "../tools/review/write-review";

function clusterSecret(name: string, labels: Record<string, string>, annotations: Record<string, string> = {}): Manifest {
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: `cluster-${name}`, namespace: "argocd", labels: { "argocd.argoproj.io/secret-type": "cluster", ...labels }, annotations },
        stringData: { name: "[redacted]", server: "[redacted]", config: "[redacted]" },
    };
}

function appSet(spec: Record<string, unknown>): Manifest {
    return { apiVersion: "argoproj.io/v1alpha1", kind: "ApplicationSet", metadata: { name: "addon-x", namespace: "argocd" }, spec };
}

const template = {
    metadata: { name: "{{.name}}-x" },
    spec: { project: "p", destination: { name: "{{.name}}", namespace: "x" }, source: { helm: { valuesObject: { region: "{{.metadata.annotations.aws_region}}", env: '{{index .metadata.labels "environment"}}' } } } },
};

describe("review: ApplicationSet expansion", () => {
    const clusters = registeredClusters([
        clusterSecret("eu", { environment: "prod", enable_x: "true" }, { aws_region: "eu-west-1" }),
        clusterSecret("us", { environment: "prod", enable_x: "true", tier: "canary" }, { aws_region: "us-east-1" }),
        clusterSecret("dev", { environment: "dev" }, { aws_region: "eu-west-1" }),
        { apiVersion: "v1", kind: "Secret", metadata: { name: "not-a-cluster", labels: {} } },
    ]);

    it("reads the clusters from the cluster Secrets, naming them after the Secret when the data is redacted", () => {
        assert.deepEqual(clusters.map((c) => [c.name, c.server]), [["eu", "[secret]"], ["us", "[secret]"], ["dev", "[secret]"]]);
        assert.match(clusters[0].note ?? "", /cluster-eu/);
    });

    it("generates one Application per cluster the selector matches, with the cluster's annotations and labels templated in", () => {
        const { applications, notExpanded } = expandApplicationSet(
            appSet({ goTemplate: true, goTemplateOptions: ["missingkey=error"], generators: [{ clusters: { selector: { matchLabels: { enable_x: "true" }, matchExpressions: [{ key: "tier", operator: "NotIn", values: ["canary"] }] } } }], template }),
            clusters,
        );
        assert.deepEqual(notExpanded, []);
        assert.deepEqual(applications.map((a) => [a.generatedFor, a.application.metadata.name, a.application.metadata.namespace]), [["cluster eu", "eu-x", "argocd"]]);
        assert.deepEqual((applications[0].application.spec as typeof template.spec).source.helm.valuesObject, { region: "eu-west-1", env: "prod" });
    });

    it("expands a list generator, and names the generator kinds it does not expand", () => {
        const { applications, notExpanded } = expandApplicationSet(
            appSet({ goTemplate: true, generators: [{ list: { elements: [{ name: "a" }, { name: "b" }] } }, { git: { repoURL: "https://example.com/r.git" } }, { matrix: { generators: [] } }], template: { metadata: { name: "{{.name}}-x" }, spec: {} } }),
            clusters,
        );
        assert.deepEqual(applications.map((a) => a.application.metadata.name), ["a-x", "b-x"]);
        assert.deepEqual(notExpanded.map((n) => n.what), ["ApplicationSet addon-x: generators[1] git", "ApplicationSet addon-x: generators[2] matrix"]);
        assert.match(notExpanded[0].reason, /generator kind git is not expanded \(only clusters and list are\)/);
    });

    it("refuses template functions and missing keys instead of guessing", () => {
        const withFunction = expandApplicationSet(appSet({ goTemplate: true, generators: [{ list: { elements: [{ name: "a" }] } }], template: { metadata: { name: "{{ .name | upper }}" }, spec: {} } }), []);
        assert.equal(withFunction.applications.length, 0);
        assert.match(withFunction.notExpanded[0].reason, /\{\{\.name \| upper\}\} is not evaluated/);
        const missing = expandApplicationSet(appSet({ goTemplate: true, goTemplateOptions: ["missingkey=error"], generators: [{ list: { elements: [{ name: "a" }] } }], template: { metadata: { name: "{{.nope}}" }, spec: {} } }), []);
        assert.match(missing.notExpanded[0].reason, /no such key/);
        const fasttemplate = expandApplicationSet(appSet({ generators: [{ list: { elements: [{ cluster: "c1" }] } }], template: { metadata: { name: "{{cluster}}-x" }, spec: {} } }), []);
        assert.equal(fasttemplate.applications[0].application.metadata.name, "c1-x");
    });
});

function resource(type: string, name: string, inputs: Record<string, unknown>, provider = "urn:p::k8s"): PlannedResource {
    return { urn: `urn:pulumi:s::gitops-platform::parent$${type}::${name}`, type, name, parent: "urn:parent", provider, custom: true, inputs, options: { protect: false } };
}

const plan = (resources: PlannedResource[]): PlanOutput => ({ resources, manifests: [], findings: [] });

describe("review: the replace rule", () => {
    const cm = (name: string, data: Record<string, string>) => resource("kubernetes:core/v1:ConfigMap", "cm", { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "a" }, data });

    it("calls a changed metadata.name a replace, and a changed data an update", () => {
        assert.deepEqual(resourceChanges(plan([cm("one", { k: "v" })]), plan([cm("two", { k: "v" })])).map((c) => [c.change, c.replaceReason]), [["replaced", "metadata.name changed"]]);
        assert.deepEqual(resourceChanges(plan([cm("one", { k: "v" })]), plan([cm("one", { k: "w" })])).map((c) => [c.change, c.properties.map((p) => p.path)]), [["changed", ["data.k"]]]);
    });

    it("pairs a kind change (a new type token, so a new URN) into one replace", () => {
        const secret = resource("kubernetes:core/v1:Secret", "cm", { apiVersion: "v1", kind: "Secret", metadata: { name: "one", namespace: "a" } });
        const changes = resourceChanges(plan([cm("one", {})]), plan([secret]));
        assert.deepEqual(changes.map((c) => [c.change, c.replaceReason]), [["replaced", "kind changed from ConfigMap to Secret"]]);
    });

    it("calls a Deployment selector change, a provider change and an AWS name change replaces", () => {
        const dep = (app: string) => resource("kubernetes:apps/v1:Deployment", "d", { kind: "Deployment", metadata: { name: "d" }, spec: { selector: { matchLabels: { app } } } });
        assert.equal(resourceChanges(plan([dep("a")]), plan([dep("b")]))[0].replaceReason, "spec.selector of a Deployment is immutable");
        assert.equal(resourceChanges(plan([cm("one", {})]), plan([{ ...cm("one", {}), provider: "urn:p::other" }]))[0].replaceReason, "its provider changed");
        const repo = (name: string) => resource("aws:ecr/repository:Repository", "r", { name, imageTagMutability: "IMMUTABLE" }, "urn:p::aws");
        assert.equal(resourceChanges(plan([repo("a")]), plan([repo("b")]))[0].replaceReason, "name forces replacement of an AWS resource");
    });

    it("reads a changed list of plain values as the values removed and added", () => {
        const withDeps = (dependsOn: string[]) => ({ ...cm("one", {}), options: { protect: false, dependsOn } });
        const [change] = resourceChanges(plan([withDeps(["a", "b", "c"])]), plan([withDeps(["a", "c", "d"])]));
        assert.deepEqual(change.properties.map((p) => [p.path, p.change, p.before ?? p.after]), [["(options).dependsOn[]", "removed", "b"], ["(options).dependsOn[]", "added", "d"]]);
    });

    it("reports a changed secret by its fingerprints, never by value", () => {
        const s = (v: string) => resource("kubernetes:core/v1:Secret", "s", { kind: "Secret", metadata: { name: "s" }, stringData: { token: v } });
        const base = { ...plan([s("[secret]")]), fingerprints: { [s("").urn]: { "stringData.token": "aaa" } } };
        const head = { ...plan([s("[secret]")]), fingerprints: { [s("").urn]: { "stringData.token": "bbb" } } };
        const [change] = resourceChanges(base, head);
        assert.deepEqual(change.properties, [{ path: "stringData.token", change: "changed", before: "[secret]", after: "[secret]", secret: true }]);
        assert.deepEqual(resourceChanges(base, { ...head, fingerprints: base.fingerprints }), []);
    });
});

function bigReview(changes: number): Review {
    const stack = (name: string): StackReview => ({
        stack: name,
        base: { planned: true, exitCode: 0 },
        head: { planned: true, exitCode: 0 },
        changes: Array.from({ length: changes }, (_, i) => ({
            section: "rendered" as const,
            kind: "ConfigMap",
            id: `ConfigMap ns/cm-${i}`,
            name: `ns/cm-${i}`,
            change: "changed" as const,
            properties: [{ path: "data.k", change: "changed" as const, before: "a".repeat(100), after: "b".repeat(100) }],
            diff: `--- base/x\n+++ head/x\n@@ -1 +1 @@\n-${"a".repeat(400)}\n+${"b".repeat(400)}\n`,
        })),
        stackSecrets: [],
        findings: { new: [], fixed: [], unchanged: [], byLevel: {} },
        headMandatory: 0,
        notRendered: [],
        notExpanded: [],
        counts: { applications: 1, generatedApplications: 0, renderedObjects: changes },
    });
    return { base: { ref: "main" }, head: { description: "the working tree" }, stacks: ["local", "dev", "staging", "prod"].map(stack), errors: [], notes: [], verdict: "✅ Changes in local", exitCode: 0, seconds: 1, timings: { worktreeSeconds: 0, stacks: {} } };
}

describe("review: summary.md within GitHub's comment limit", () => {
    it("keeps every table and drops diffs with a note when the diffs do not fit", () => {
        const text = summaryMarkdown(bigReview(40));
        assert.ok(text.length <= COMMENT_LIMIT, String(text.length));
        assert.equal(text.split("\n")[0], "**✅ Changes in local**");
        assert.equal((text.match(/^<details><summary><b>/gm) ?? []).length, 4);
        assert.match(text, /object diffs left out to stay under GitHub's comment limit/);
    });

    it("cuts rows with a note when not even the tables fit, closing every details block", () => {
        const text = summaryMarkdown(bigReview(3000));
        assert.ok(text.length <= COMMENT_LIMIT, String(text.length));
        assert.match(text, /truncated to stay under GitHub's comment limit/);
        assert.equal((text.match(/<details>/g) ?? []).length, (text.match(/<\/details>/g) ?? []).length);
    });
});

describe("review: output all or nothing", () => {
    it("replaces the previous review whole, and leaves it as it was when it refuses to write", () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "review-out-"));
        try {
            writeReview(out, bigReview(1));
            const before = fs.readFileSync(path.join(out, "review", "review.json"), "utf8");
            const leaking = bigReview(2);
            leaking.stacks[0].changes[0].diff = "+plan-test-secret-for-argocdAdminPassword\n";
            assert.throws(() => writeReview(out, leaking), /review\.json would contain a secret value; nothing written|summary\.md would contain/);
            assert.equal(fs.readFileSync(path.join(out, "review", "review.json"), "utf8"), before);
            writeReview(out, bigReview(3));
            assert.equal((JSON.parse(fs.readFileSync(path.join(out, "review", "review.json"), "utf8")) as Review).stacks[0].changes.length, 3);
            assert.deepEqual(fs.readdirSync(out), ["review"]);
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    });
});
