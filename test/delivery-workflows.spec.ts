/**
 * The GitHub workflows as data: pinned actions, least privilege, no credential for forks, the
 * pull-request and deploy steps the delivery promises (docs/deployments.md), and the review
 * comment script run against a stand-in for GitHub's API. actionlint (in .ci/run) checks syntax,
 * expressions and the run: scripts; this checks intent.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { listStacks } from "../tools/plan/stack-file";
import { readToolchain } from "../tools/toolchain-pins";
import { PROJECT_ROOT } from "./support/program";

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    id?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}
interface Job {
    if?: string;
    permissions?: Record<string, string>;
    steps?: Step[];
    uses?: string;
    environment?: string;
    strategy?: { matrix: Record<string, string[]> };
    needs?: string | string[];
}
interface Workflow {
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    jobs: Record<string, Job>;
}

const DIR = path.join(PROJECT_ROOT, ".github/workflows");
const files = fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));
const text = (f: string) => fs.readFileSync(path.join(DIR, f), "utf8");
const workflow = (f: string) => YAML.parse(text(f)) as Workflow;
const SAME_REPO = "github.event.pull_request.head.repo.full_name == github.repository";
const cloudStacks = listStacks(PROJECT_ROOT).filter((s) => s !== "local");

describe("delivery workflows (.github/workflows)", () => {
    it("pins every action to a full commit SHA with its exact version in a comment, the same SHA for the same version everywhere", () => {
        const seen = new Map<string, string>();
        let count = 0;
        for (const f of files) {
            for (const m of text(f).matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)) {
                const [ref, rest] = [m[1], m[2]];
                if (ref.startsWith("./")) continue; // this repository's own reusable workflow
                count++;
                const pin = /^([\w.-]+\/[\w./-]+)@([0-9a-f]{40})$/.exec(ref);
                assert.ok(pin, `${f}: ${ref} is not pinned to a commit SHA`);
                const version = /^\s+# (v\d+\.\d+\.\d+)\b/.exec(rest)?.[1];
                assert.ok(version, `${f}: ${ref} has no "# vX.Y.Z" comment`);
                const id = `${pin[1].split("/").slice(0, 2).join("/")}@${version}`;
                assert.strictEqual(seen.get(id) ?? pin[2], pin[2], `${f}: ${id} pinned to two different commits`);
                seen.set(id, pin[2]);
            }
        }
        assert.ok(count >= 20, `${count} action references`);
    });

    it("grants nothing at the top of a workflow and only what each job needs; no workflow reads a repository secret or runs on pull_request_target", () => {
        for (const f of files) {
            const wf = workflow(f);
            assert.ok(!("pull_request_target" in wf.on), `${f}: pull_request_target runs fork code with write tokens`);
            assert.ok(!/\$\{\{\s*secrets\./.test(text(f)), `${f} reads a repository secret`);
            if (f !== "charts.yml") assert.deepStrictEqual(wf.permissions, {}, `${f}: top-level permissions`);
            for (const [name, job] of Object.entries(wf.jobs)) {
                const perms = job.permissions ?? wf.permissions;
                assert.ok(perms, `${f}: ${name} has no permissions block`);
                for (const [scope, level] of Object.entries(perms)) {
                    assert.ok(["read", "write", "none"].includes(level), `${f}: ${name}: ${scope}: ${level}`);
                    if (level === "write") assert.ok(["id-token", "security-events", "pull-requests"].includes(scope), `${f}: ${name} may write ${scope}`);
                }
            }
        }
    });

    it("lets a fork's pull request run only the offline jobs: every job or step with OIDC or a write token is for this repository's branches", () => {
        const pr = workflow("pull-request.yml");
        for (const [name, job] of Object.entries(pr.jobs)) {
            const perms = job.permissions ?? {};
            if (perms["id-token"] === "write") assert.ok(job.if?.includes(SAME_REPO), `${name} gets credentials on a fork's pull request`);
            for (const step of job.steps ?? []) {
                const writes = /upload-sarif|github-script/.test(step.uses ?? "");
                if (writes && !job.if?.includes(SAME_REPO)) assert.ok(step.if?.includes(SAME_REPO), `${name}: ${step.name ?? step.uses} writes on a fork's pull request`);
            }
        }
        for (const offline of ["check", "plan", "review"]) assert.strictEqual(pr.jobs[offline].if, undefined, `${offline} runs for forks too`);
    });

    it("on a pull request: .ci/run, the offline plan of every stack with its SARIF per stack, and pulumi preview of each cloud stack with the pack and its config through pulumi/actions", () => {
        const pr = workflow("pull-request.yml");
        assert.ok(pr.jobs.check.steps!.some((s) => s.run === "bash .ci/run"));
        assert.deepStrictEqual([...pr.jobs.plan.strategy!.matrix.stack].sort(), listStacks(PROJECT_ROOT));
        const plan = pr.jobs.plan.steps!;
        assert.ok(plan.some((s) => s.run?.includes('npm run plan -- --stack "$STACK" --out out')));
        const sarif = plan.find((s) => s.uses?.startsWith("github/codeql-action/upload-sarif@"))!;
        assert.strictEqual(sarif.with!.sarif_file, "out/${{ matrix.stack }}/policy-report.sarif");
        assert.strictEqual(sarif.with!.category, "policy-${{ matrix.stack }}");
        assert.match(sarif.if!, /always\(\)/, "a violation (exit 1) still reaches code scanning");
        assert.deepStrictEqual([...pr.jobs.preview.strategy!.matrix.stack].sort(), cloudStacks);
        const preview = pr.jobs.preview.steps!;
        const aws = preview.findIndex((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
        const pulumiAuth = preview.findIndex((s) => s.uses?.startsWith("pulumi/auth-actions@"));
        const run = preview.findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
        assert.ok(aws >= 0 && pulumiAuth >= 0 && run > Math.max(aws, pulumiAuth), "credentials by OIDC before the preview");
        assert.strictEqual(preview[aws].with!["role-to-assume"], "${{ vars.AWS_PREVIEW_ROLE_ARN }}");
        assert.deepStrictEqual(
            { command: preview[run].with!.command, packs: preview[run].with!.policyPacks, configs: preview[run].with!.policyPackConfigs, comment: preview[run].with!["comment-on-pr"] },
            { command: "preview", packs: "policies", configs: "policies/config/${{ matrix.stack }}.json", comment: true },
        );
        for (const s of cloudStacks) assert.ok(fs.existsSync(path.join(PROJECT_ROOT, "policies/config", `${s}.json`)));
    });

    it("runs the change review against the pull request's base and attaches the HTML report", () => {
        const review = workflow("pull-request.yml").jobs.review.steps!;
        const run = review.find((s) => s.id === "review")!;
        assert.strictEqual(run.env!.BASE, "${{ github.event.pull_request.base.sha }}");
        assert.match(run.run!, /npm run review -- --base "\$BASE" --out out/);
        const artifact = review.find((s) => s.uses?.startsWith("actions/upload-artifact@"))!;
        assert.match(String(artifact.with!.path), /out\/review\/report\.html/);
        const verdict = review[review.length - 1];
        assert.match(verdict.run!, /1\).*exit 1/s, "a mandatory finding fails the check after the comment is posted");
    });

    it("posts one review comment and updates it on the next push (the github-script step, run against a stand-in GitHub API)", async () => {
        const step = workflow("pull-request.yml").jobs.review.steps!.find((s) => s.uses?.startsWith("actions/github-script@"))!;
        const script = String(step.with!.script);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "review-comment-"));
        fs.mkdirSync(path.join(dir, "out/review"), { recursive: true });
        const cwd = process.cwd();
        const comments: { id: number; body: string; user: { type: string } }[] = [
            { id: 1, body: "LGTM, but <!-- gitops-platform:change-review --> in the middle is a human's", user: { type: "User" } },
        ];
        const github = {
            paginate: async () => comments.map((c) => ({ ...c, html_url: `c/${c.id}` })),
            rest: {
                issues: {
                    listComments: () => undefined,
                    createComment: async ({ body }: { body: string }) => {
                        comments.push({ id: comments.length + 1, body, user: { type: "Bot" } });
                        return { data: { html_url: `c/${comments.length}` } };
                    },
                    updateComment: async ({ comment_id, body }: { comment_id: number; body: string }) => {
                        comments.find((c) => c.id === comment_id)!.body = body;
                    },
                },
            },
        };
        const context = { repo: { owner: "acme-platform", repo: "gitops-platform" }, payload: { pull_request: { number: 7 } } };
        const core = { info: () => undefined };
        const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor;
        const post = new AsyncFunction("require", "github", "context", "core", script);
        try {
            process.chdir(dir);
            fs.writeFileSync("out/review/summary.md", "**2 changes** in dev\n");
            await post(require, github, context, core);
            fs.writeFileSync("out/review/summary.md", "**no changes**\n");
            await post(require, github, context, core);
        } finally {
            process.chdir(cwd);
            fs.rmSync(dir, { recursive: true, force: true });
        }
        const mine = comments.filter((c) => c.user.type === "Bot");
        assert.strictEqual(mine.length, 1, "one comment, updated");
        assert.strictEqual(mine[0].body, "<!-- gitops-platform:change-review -->\n**no changes**\n");
        assert.match(comments[0].body, /^LGTM/, "a human's comment is never edited");
    });

    it("deploys on merge through `pulumi deployment run` with the log streamed and the CLI at the version tools/install.sh builds, never a hand-written REST call", () => {
        const deployStack = text("deploy-stack.yml");
        assert.ok(!/curl|api\.pulumi\.com/.test(text("deploy.yml") + deployStack));
        const step = workflow("deploy-stack.yml").jobs.deploy.steps!.find((s) => s.run?.includes("pulumi deployment run"))!;
        for (const flag of ["update", '--stack "$STACK"', '--git-commit "$GITHUB_SHA"', "--suppress-stream-logs=false"]) assert.ok(step.run!.includes(flag), flag);
        assert.strictEqual(workflow("deploy-stack.yml").jobs.deploy.environment, "${{ inputs.stack }}", "prod waits for its environment's reviewers");
        const pinned = readToolchain().tools.pulumi.version;
        for (const f of files) {
            for (const m of text(f).matchAll(/pulumi-version: (\S+)/g)) assert.strictEqual(m[1], pinned, `${f}: pulumi-version`);
        }
        const policy = workflow("policy-pack.yml").jobs.publish.steps!.map((s) => s.run ?? "").join("\n");
        assert.match(policy, /pulumi policy publish "\$ORG" --cwd policies/);
        assert.match(policy, /pulumi policy enable "\$ORG\/gitops-platform-policies" "\$VERSION"/);
    });
});
