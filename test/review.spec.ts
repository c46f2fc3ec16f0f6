/**
 * `npm run review` on real git repositories: a base commit and a head with one change of each kind
 * a reviewer must see (a chart version bump, a values change reaching a Deployment, an added
 * Application, a removed AppProject, a new and a fixed policy finding, a changed secret), reviewed
 * by the CLI as a user runs it. The plans are real (seconds each), so one review is shared by the
 * cases that read it.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { chromium } from "playwright-core";
import { Review, StackReview } from "../tools/review/model";
import { CliRun, runReview } from "./support/review-cli";
import { commitAll, edit, git, projectRepository } from "./support/review-repo";
import { BASE_CANARY, CHART, certManagerVersion, changeOfEveryKind, HEAD_CANARY, HEAD_CIPHERTEXT, LOCAL_CIPHERTEXT } from "./support/review-scenario";

function stack(review: Review, name: string): StackReview {
    const s = review.stacks.find((x) => x.stack === name);
    assert.ok(s, `no review of stack ${name}`);
    return s;
}

/** A literal for a RegExp. */
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("npm run review: a change of every kind, base against head", function () {
    this.timeout(600_000);
    let repo: string;
    let run: CliRun;
    let baseCiphertext: string;

    before(async () => {
        ({ repo } = changeOfEveryKind());
        baseCiphertext = LOCAL_CIPHERTEXT.exec(git(repo, "show", "HEAD~1:stacks/Pulumi.local.yaml"))![0].replace("secure: ", "");
        run = await runReview(repo, ["--base", "HEAD~1", "--stack", "local", "--stack", "staging"]);
    });
    after(() => fs.rmSync(repo, { recursive: true, force: true }));

    it("exits 1 for the mandatory finding in head, and says so on the verdict line", () => {
        assert.equal(run.status, 1, run.stderr);
        assert.deepEqual(run.review.errors, []);
        const first = run.summary.split("\n")[0];
        assert.match(first, /mandatory finding.*merging is blocked/);
        assert.equal(first, `**${run.review.verdict}**`);
    });

    it("shows the chart version bump: the Application's targetRevision and the chart's rendered objects", () => {
        const s = stack(run.review, "staging");
        const app = s.changes.find((c) => c.section === "argocd" && c.id === "Application.argoproj.io argocd/hello-service");
        assert.ok(app, JSON.stringify(s.changes.map((c) => c.id)));
        assert.deepEqual(app.properties.find((p) => p.path === "spec.source.targetRevision"), { path: "spec.source.targetRevision", change: "changed", before: CHART.before, after: CHART.after });
        const deployment = s.changes.find((c) => c.section === "rendered" && c.kind === "Deployment");
        assert.ok(deployment, "the staging Deployment rendered from the bumped chart");
        assert.ok(deployment.properties.some((p) => p.path === 'metadata.labels["helm.sh/chart"]' && p.before === `hello-service-${CHART.before}` && p.after === `hello-service-${CHART.after}`));
        assert.match(deployment.diff, new RegExp(`^-\\s+helm\\.sh/chart: hello-service-${escape(CHART.before)}$`, "m"));
    });

    it("shows a values change as a change of the rendered Deployment", () => {
        const s = stack(run.review, "local");
        const deployment = s.changes.find((c) => c.section === "rendered" && c.id.startsWith("Application.argoproj.io argocd/hello-service →") && c.kind === "Deployment");
        assert.ok(deployment, JSON.stringify(s.changes.filter((c) => c.section === "rendered").map((c) => c.id)));
        assert.deepEqual(deployment.properties.find((p) => p.path === "spec.replicas"), { path: "spec.replicas", change: "changed", before: 1, after: 2 });
        assert.match(deployment.diff, /^\+\s+replicas: 2$/m);
    });

    it("shows an added Application with the objects its chart renders to", () => {
        const s = stack(run.review, "local");
        const added = s.changes.find((c) => c.section === "argocd" && c.change === "added" && c.kind === "Application");
        assert.equal(added?.name, "argocd/hello-canary");
        const rendered = s.changes.filter((c) => c.section === "rendered" && c.origin?.startsWith("Application hello-canary"));
        assert.ok(rendered.length >= 3 && rendered.every((c) => c.change === "added"), JSON.stringify(rendered.map((c) => [c.id, c.change])));
        assert.ok(rendered.some((c) => c.kind === "Deployment"));
        assert.ok(s.changes.some((c) => c.section === "pulumi" && c.change === "added" && c.kind === "kubernetes:argoproj.io/v1alpha1:Application" && c.name === "hello-canary"));
    });

    it("shows a removed AppProject, as an Argo CD object and as Pulumi resources", () => {
        const s = stack(run.review, "local");
        const removed = s.changes.find((c) => c.section === "argocd" && c.kind === "AppProject");
        assert.equal(removed?.change, "removed");
        assert.equal(removed?.name, "argocd/team-extra");
        assert.ok(s.changes.some((c) => c.section === "pulumi" && c.change === "removed" && c.kind === "kubernetes:argoproj.io/v1alpha1:AppProject"));
    });

    it("lists a fixed finding on local and a new mandatory one on staging, by level", () => {
        const local = stack(run.review, "local");
        // Fixed: the knob turned off (namespace and chart), and the removed AppProject's own finding.
        const fixed = local.findings.fixed.map((f) => `${f.enforcementLevel} ${f.policyName}`);
        assert.deepEqual([...new Set(fixed)].sort(), ["advisory argocd-appproject-restricted", "advisory argocd-protected-on-delete"]);
        assert.ok(local.findings.fixed.some((f) => f.policyName === "argocd-appproject-restricted" && /team-extra/.test(f.urn ?? "")));
        // New: the added Application's Git source, which nothing verifies on the local stack (advisory there).
        assert.deepEqual(local.findings.new.map((f) => `${f.enforcementLevel} ${f.policyName}`), ["advisory argocd-source-integrity"]);
        assert.match(local.findings.new[0].urn ?? "", /hello-canary/);
        assert.equal(local.findings.byLevel.advisory.fixed, local.findings.fixed.length);
        const staging = stack(run.review, "staging");
        // New: the knob turned on finds the Argo CD namespace and chart unprotected.
        assert.deepEqual(staging.findings.new.map((f) => [f.policyName, f.enforcementLevel]), [["argocd-protected-on-delete", "mandatory"], ["argocd-protected-on-delete", "mandatory"]]);
        assert.equal(staging.findings.byLevel.mandatory.new, 2);
        assert.equal(staging.headMandatory, 2);
        assert.match(run.summary, /<summary><b>staging<\/b>.*<b>2 mandatory in head<\/b><\/summary>/);
    });

    it("shows a changed secret as changed, and its values nowhere", () => {
        const s = stack(run.review, "local");
        const secret = s.changes.find((c) => c.section === "pulumi" && c.kind === "kubernetes:core/v1:Secret");
        assert.ok(secret, "the cluster Secret whose config changed");
        // The provider marks the whole stringData secret, so that is the path that changed.
        assert.deepEqual(secret.properties, [{ path: "stringData", change: "changed", before: "[secret]", after: "[secret]", secret: true }]);
        assert.match(secret.diff, /^\+\s+stringData: "\[secret, changed\]"$/m);
        assert.deepEqual(s.stackSecrets, [{ key: "gitops-platform:argocdAdminPassword", change: "re-encrypted" }]);
        for (const file of fs.readdirSync(run.dir)) {
            const text = fs.readFileSync(path.join(run.dir, file), "utf8");
            for (const canary of [BASE_CANARY, HEAD_CANARY, HEAD_CIPHERTEXT, baseCiphertext, "plan-test-secret-for-"]) {
                assert.ok(!text.includes(canary), `${file} contains ${canary.slice(0, 16)}...`);
            }
        }
        for (const channel of [run.stdout, run.stderr]) assert.ok(!channel.includes(BASE_CANARY) && !channel.includes(HEAD_CANARY));
    });

    it("expands every ApplicationSet per registered cluster: an add-on's version change shows on the Application each cluster gets", () => {
        const s = stack(run.review, "staging");
        assert.equal(s.counts.generatedApplications, 2);
        const generated = s.changes.filter((c) => c.section === "generated");
        assert.deepEqual(generated.map((c) => [c.change, c.name, c.origin]), [["changed", "argocd/in-cluster-cert-manager", "ApplicationSet addon-cert-manager, cluster in-cluster"]]);
        assert.deepEqual(generated[0].properties.map((p) => [p.path, p.before, p.after]), [["spec.source.targetRevision", certManagerVersion("staging").before, certManagerVersion("staging").after]]);
        assert.ok(s.changes.some((c) => c.section === "argocd" && c.kind === "ApplicationSet" && c.properties.some((p) => p.path === "spec.template.spec.source.targetRevision")));
    });

    it("lists the charts it cannot fetch as not rendered, with the reason, per side", () => {
        const s = stack(run.review, "staging");
        const certManager = s.notRendered.filter((n) => n.what.startsWith("Application in-cluster-cert-manager (ApplicationSet addon-cert-manager, cluster in-cluster)"));
        assert.deepEqual(certManager.map((n) => n.side), ["base", "head"], JSON.stringify(s.notRendered));
        const { before, after } = certManagerVersion("staging");
        assert.match(certManager[0].reason, new RegExp(`cert-manager ${escape(before)} from https://charts\\.jetstack\\.io cannot be fetched: `));
        assert.match(certManager[1].reason, new RegExp(`cert-manager ${escape(after)} from https://charts\\.jetstack\\.io cannot be fetched: `));
        assert.ok(s.notRendered.some((n) => n.what.startsWith("Application in-cluster-envoy-gateway") && n.side === "both"), JSON.stringify(s.notRendered.map((n) => n.what)));
        assert.match(run.summary, /\*\*Not rendered\*\*/);
    });

    it("writes a summary under GitHub's comment limit with one collapsed section per stack", () => {
        assert.ok(run.summary.length < 65536);
        assert.equal((run.summary.match(/^<details><summary><b>/gm) ?? []).length, 2);
        assert.match(run.summary, /\*\*Objects the charts render to\*\*/);
    });

    it("renders report.html in headless Chromium: verdict, stack and kind filters, an object's diff, a real screenshot", async () => {
        const executablePath = [path.join(repo, ".tools", "bin", "chromium"), "/usr/bin/chromium"].find((p) => fs.existsSync(p));
        assert.ok(executablePath, "chromium: run bash tools/install.sh chromium (Debian's package)");
        const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
        try {
            const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
            await page.goto(`file://${path.join(run.dir, "report.html")}`);
            assert.equal(await page.textContent("#verdict .status"), "blocked");
            assert.equal(`❌ ${await page.textContent("#verdict .verdict-text")}`, run.review.verdict);
            await page.selectOption("#stack-filter", "staging");
            await page.selectOption("#kind-filter", "Deployment");
            const visible = await page.locator("article.object:visible").evaluateAll((all) => all.map((a) => [a.getAttribute("data-stack"), a.getAttribute("data-kind"), a.querySelector("pre.diff .add")?.textContent ?? ""]));
            assert.ok(visible.length >= 1 && visible.every(([s, k]) => s === "staging" && k === "Deployment"), JSON.stringify(visible));
            assert.ok(visible.some(([, , added]) => added.includes(`hello-service-${CHART.after}`)), JSON.stringify(visible));
            assert.equal(await page.locator('section.stack[data-stack="local"]').isVisible(), false);
            assert.equal(await page.locator('section.stack[data-stack="staging"]').isVisible(), true);
            assert.match((await page.textContent("#shown-count")) ?? "", new RegExp(`^${visible.length} objects? shown$`));
            const shot = path.join(run.dir, "..", "review-report.png");
            const png = await page.screenshot({ path: shot, fullPage: false });
            assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "a PNG");
            assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [1200, 900], "the viewport's size");
            assert.ok(png.length > 20_000, `a screenshot with content (${png.length} bytes), not a blank page`);
        } finally {
            await browser.close();
        }
    });

    it("leaves no worktree behind", () => {
        assert.equal(git(repo, "worktree", "list").split("\n").length, 1);
    });
});

describe("npm run review: identical refs and bad input", function () {
    this.timeout(600_000);
    let repo: string;
    let same: CliRun;
    let unknown: CliRun;
    let broken: CliRun;

    before(async () => {
        repo = projectRepository();
        commitAll(repo, "base");
        // A base whose local stack file the schema refuses, on a branch of its own.
        git(repo, "checkout", "-q", "-b", "broken");
        edit(repo, "stacks/Pulumi.local.yaml", `version: ${certManagerVersion("local").before}`, "version: ^1.16");
        commitAll(repo, "broken");
        git(repo, "checkout", "-q", "main");
        // Three independent reviews of one repository, side by side, each into its own directory.
        [same, unknown, broken] = await Promise.all([
            runReview(repo, ["--base", "HEAD", "--stack", "local"], "out-same"),
            runReview(repo, ["--base", "no-such-ref", "--stack", "local"], "out-unknown"),
            runReview(repo, ["--base", "broken", "--stack", "local"], "out-broken"),
        ]);
    });
    after(() => fs.rmSync(repo, { recursive: true, force: true }));

    it("says there are no changes when base and head are the same commit, and exits 0", () => {
        assert.equal(same.status, 0, same.stderr);
        assert.equal(stack(same.review, "local").changes.length, 0);
        assert.deepEqual(stack(same.review, "local").stackSecrets, []);
        assert.match(same.summary.split("\n")[0], /No changes in local/);
        assert.match(same.html, /<h1 id="verdict" class="ok"><span class="status">ok<\/span><span class="verdict-text">No changes in local/);
    });

    it("exits 2 on an unknown ref, saying so, and still reports the head", () => {
        assert.equal(unknown.status, 2);
        assert.match(unknown.stderr, /--base "no-such-ref": not a commit/);
        assert.match(unknown.summary.split("\n")[0], /Review incomplete: --base "no-such-ref": not a commit/);
        assert.equal(stack(unknown.review, "local").head.planned, true);
        assert.match(unknown.summary, /<b>local<\/b>/);
    });

    it("exits 2 when the base does not plan, naming the key path, and still reports the head", () => {
        assert.equal(broken.status, 2);
        const s = stack(broken.review, "local");
        assert.equal(s.base.planned, false);
        assert.match(s.base.error ?? "", /version/);
        assert.equal(s.head.planned, true);
        assert.match(broken.review.errors.join("\n"), /base broken does not plan stack local/);
        assert.match(broken.summary, /base \*\*did not plan\*\*/);
    });
});

describe("npm run review: without helm", function () {
    this.timeout(600_000);
    let repo: string;
    let run: CliRun;

    before(async () => {
        repo = projectRepository();
        commitAll(repo, "base");
        // No pinned helm (.tools unlinked) and none on PATH: the review must still review.
        fs.rmSync(path.join(repo, ".tools"), { force: true });
        const withoutHelm = (process.env.PATH ?? "").split(path.delimiter).filter((dir) => dir && !fs.existsSync(path.join(dir, "helm"))).join(path.delimiter);
        run = await runReview(repo, ["--base", "HEAD", "--stack", "local"], "out", { PATH: withoutHelm });
    });
    after(() => fs.rmSync(repo, { recursive: true, force: true }));

    it("reviews every stack, says no chart is rendered and why, and exits as it would with helm", () => {
        assert.equal(run.status, 0, run.stderr);
        assert.deepEqual(run.review.errors, []);
        assert.equal(stack(run.review, "local").head.planned, true);
        assert.match(run.summary, /helm is not installed \(bash tools\/install\.sh helm\): no chart is rendered/);
        // Each chart, this repository's included, is listed as not rendered with that reason.
        const notRendered = stack(run.review, "local").notRendered;
        assert.ok(notRendered.some((n) => n.what.includes("hello-service") && /helm is not installed/.test(n.reason)), JSON.stringify(notRendered));
    });
});
