/**
 * Deployments as code (deployments/): the real program under Pulumi's mock runtime with its
 * committed config, checked against what the rest of the repository says (the stacks, their AWS
 * accounts, the deploy workflow). The Pulumi Service provider's Go module is not served here, so
 * these resources are proven under mocks only, never created in a Pulumi Cloud organisation.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { findSecretLiterals } from "gitops-platform-policies/shared";
import { DeliveryConfigError, parseDeliveryConfig, CONFIG_KEY } from "../deployments/config";
import { PROGRAM_PATHS } from "../deployments/programPaths";
import { runProgram, ProgramRun, RegisteredResource } from "../tools/plan/run-program";
import { listStacks, readStackConfig, EngineConfig } from "../tools/plan/stack-file";
import { PROJECT_ROOT } from "./support/program";

const DEPLOYMENTS_ROOT = path.join(PROJECT_ROOT, "deployments");
const T = {
    settings: "pulumiservice:index:DeploymentSettings",
    drift: "pulumiservice:index:DriftSchedule",
    ttl: "pulumiservice:index:TtlSchedule",
    env: "pulumiservice:index:Environment",
    group: "pulumiservice:index:PolicyGroup",
    stack: "pulumiservice:index:Stack",
};

function committedConfig(): EngineConfig {
    return readStackConfig(DEPLOYMENTS_ROOT, "org", "Pulumi.org.yaml");
}
function withDelivery(change: (d: Record<string, unknown>) => void): EngineConfig {
    const base = committedConfig();
    const delivery = JSON.parse(base.config[CONFIG_KEY]) as Record<string, unknown>;
    change(delivery);
    return { ...base, config: { ...base.config, [CONFIG_KEY]: JSON.stringify(delivery) } };
}
/** The inputs of a DeploymentSettings as the mocks see them (serialized, so plain JSON). */
interface SettingsInputs {
    organization: string;
    project: string;
    sourceContext: { git: Record<string, unknown> };
    vcs: Record<string, unknown>;
    github?: unknown;
    operationContext: {
        preRunCommands: string[];
        options: Record<string, unknown>;
        oidc: { aws: { roleARN: string; sessionName: string } };
        environmentVariables: Record<string, string>;
    };
}
/** One entry of `delivery.stacks` in the raw config. */
interface StackEntry {
    name: string;
    deployRoleArn: string;
    drift: { cron: string; autoRemediate: boolean };
}
const settingsOf = (r: RegisteredResource) => r.inputs as unknown as SettingsInputs;
const run = (stackConfig: EngineConfig) => runProgram({ projectRoot: DEPLOYMENTS_ROOT, stackConfig });
const of = (r: ProgramRun, type: string) => r.resources.filter((x) => x.type === type);
const forStack = (r: ProgramRun, type: string, stack: string): RegisteredResource => {
    const found = of(r, type).filter((x) => x.inputs.stack === stack || (x.inputs.stacks as { name: string }[] | undefined)?.[0]?.name === stack || x.inputs.name === stack);
    assert.strictEqual(found.length, 1, `one ${type} for ${stack}, found ${found.length}`);
    return found[0];
};
/** The AWS account a stack's recorded Terraform outputs live in. */
function terraformAccount(stack: string): string {
    const text = fs.readFileSync(path.join(PROJECT_ROOT, "test/fixtures/terraform", `${stack}.outputs.json`), "utf8");
    const accounts = new Set([...text.matchAll(/arn:aws:iam::(\d{12}):/g)].map((m) => m[1]));
    assert.strictEqual(accounts.size, 1, `${stack}'s Terraform outputs name one account`);
    return [...accounts][0];
}
function deployWorkflow(): { paths: string[]; order: string[] } {
    const wf = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, ".github/workflows/deploy.yml"), "utf8"));
    const jobs = wf.jobs as Record<string, { needs?: string; with: { stack: string } }>;
    // Walk the `needs` chain from the job that needs nothing.
    const order: string[] = [];
    let job = Object.keys(jobs).find((j) => !jobs[j].needs);
    while (job) {
        order.push(jobs[job].with.stack);
        const current = job;
        job = Object.keys(jobs).find((j) => jobs[j].needs === current);
    }
    return { paths: wf.on.push.paths as string[], order };
}

describe("deployments as code (deployments/): proven under Pulumi mocks only, the Pulumi Service provider's Go module is not served here", function () {
    this.timeout(60000);
    let committed: ProgramRun;
    const cloudStacks = listStacks(PROJECT_ROOT).filter((s) => s !== "local");

    before(async () => {
        committed = await run(committedConfig());
    });

    it("gives every cloud stack (stacks/Pulumi.*.yaml but local) deployment settings, an ESC environment, drift detection and a policy group, in the deploy workflow's order", () => {
        const order = committed.outputs.promotionOrder as string[];
        assert.deepStrictEqual([...order].sort(), [...cloudStacks].sort());
        assert.deepStrictEqual(deployWorkflow().order, order);
        for (const type of [T.settings, T.drift, T.env, T.group]) assert.strictEqual(of(committed, type).length, cloudStacks.length, type);
    });

    it("has every cloud stack file import the ESC environment declared for it", () => {
        for (const stack of cloudStacks) {
            const env = forStack(committed, T.env, stack).inputs;
            const file = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8")) as { environment?: string[] };
            assert.deepStrictEqual(file.environment, [`${env.project}/${env.name}`], `stacks/Pulumi.${stack}.yaml imports its ESC environment`);
        }
    });

    it("deploys this repository's main branch from the project root, with npm ci from the lockfile and AWS through OIDC into the stack's own account", () => {
        for (const stack of cloudStacks) {
            const s = settingsOf(forStack(committed, T.settings, stack));
            assert.strictEqual(s.organization, "acme-platform");
            assert.strictEqual(s.project, "gitops-platform");
            assert.deepStrictEqual(s.sourceContext, { git: { branch: "refs/heads/main", repoDir: "." } });
            assert.strictEqual(s.vcs.provider, "github");
            assert.strictEqual(s.vcs.repository, "acme-platform/gitops-platform");
            assert.deepStrictEqual(s.operationContext.preRunCommands, ["npm ci --no-audit --no-fund"]);
            assert.strictEqual(s.operationContext.options.skipInstallDependencies, true, "the default install step would run npm install");
            const role = s.operationContext.oidc.aws.roleARN as string;
            assert.match(role, new RegExp(`^arn:aws:iam::${terraformAccount(stack)}:role/gitops-platform-${stack}-deploy$`));
            assert.ok(s.operationContext.oidc.aws.sessionName);
        }
    });

    it("filters on the program's paths, the same list as the deploy workflow's on.push.paths, and leaves merge deploys and PR previews to the workflows", () => {
        assert.deepStrictEqual(deployWorkflow().paths, [...PROGRAM_PATHS]);
        for (const p of PROGRAM_PATHS) {
            const root = p.split("/")[0];
            assert.ok(fs.existsSync(path.join(PROJECT_ROOT, root)), `${p} names something that exists`);
        }
        for (const stack of cloudStacks) {
            const vcs = forStack(committed, T.settings, stack).inputs.vcs as Record<string, unknown>;
            assert.deepStrictEqual(vcs.paths, [...PROGRAM_PATHS]);
            assert.strictEqual(vcs.deployCommits, false, `${stack}: deploy.yml starts it, in order; the app would start every stack at once`);
            assert.strictEqual(vcs.previewPullRequests, false, `${stack}: a service preview would run unreviewed code with the deploy role`);
        }
    });

    it("detects drift nightly and auto-remediates only dev, after the stack's settings exist", () => {
        const hours = new Set<string>();
        for (const stack of cloudStacks) {
            const d = forStack(committed, T.drift, stack);
            const fields = (d.inputs.scheduleCron as string).split(/\s+/);
            assert.strictEqual(fields.length, 5);
            assert.match(fields[0], /^\d+$/, "a fixed minute");
            assert.match(fields[1], /^\d+$/, "a fixed hour: once a day");
            assert.deepStrictEqual(fields.slice(2), ["*", "*", "*"], "every day");
            assert.ok(Number(fields[1]) <= 5, "at night (UTC)");
            hours.add(`${fields[1]}:${fields[0]}`);
            assert.strictEqual(d.inputs.autoRemediate, stack === "dev", stack);
            assert.ok(d.options.dependsOn.includes(forStack(committed, T.settings, stack).urn));
        }
        assert.strictEqual(hours.size, cloudStacks.length, "the stacks' drift runs do not start together");
    });

    it("enforces the policy pack per stack in a preventative policy group named as the policy workflow enables it, leaving the pack version to that workflow", () => {
        const wf = fs.readFileSync(path.join(PROJECT_ROOT, ".github/workflows/policy-pack.yml"), "utf8");
        assert.match(wf, /--policy-group "gitops-platform-\$stack"/);
        const enabled = /for stack in ([\w ]+); do/.exec(wf)?.[1].split(" ") ?? [];
        assert.deepStrictEqual(enabled.sort(), [...cloudStacks].sort());
        for (const stack of cloudStacks) {
            const g = forStack(committed, T.group, stack);
            assert.strictEqual(g.inputs.name, `gitops-platform-${stack}`);
            assert.strictEqual(g.inputs.mode, "preventative");
            assert.deepStrictEqual(g.inputs.stacks, [{ name: stack, routingProject: "gitops-platform" }]);
            assert.ok(g.options.ignoreChanges.includes("policyPacks"));
            assert.ok(fs.existsSync(path.join(PROJECT_ROOT, "policies/config", `${stack}.json`)));
        }
    });

    it("holds no secret literal: no credential in any input (secretlint's preset and the key names), no Pulumi secret, no Git credentials, and an ESC environment of plain values", async () => {
        for (const r of committed.resources.filter((x) => x.custom)) {
            assert.deepStrictEqual(await findSecretLiterals(r.inputs), [], `${r.type} ${r.name}`);
            assert.ok(!JSON.stringify(r.properties).includes("1b47061264138c4ac30d75fd1eb44270"), `${r.name} carries a Pulumi secret`);
            if (r.type === T.settings) {
                assert.strictEqual((r.inputs.sourceContext as { git: Record<string, unknown> }).git.gitAuth, undefined);
                assert.strictEqual(r.inputs.github, undefined, "the deprecated github block can carry no token either");
            }
        }
        for (const stack of cloudStacks) {
            const env = forStack(committed, T.env, stack);
            const text = (env.inputs.yaml as { text: string }).text;
            const doc = YAML.parse(text);
            assert.deepStrictEqual(Object.keys(doc), ["values"]);
            assert.ok(!/fn::(secret|open)/.test(text), "no secret and no provider that mints credentials");
            assert.strictEqual(doc.values.environmentVariables.GITOPS_STACK, stack);
            assert.deepStrictEqual(await findSecretLiterals(doc), []);
        }
    });

    it("would notice a planted credential: the scan finds a token in deployment-settings inputs", async () => {
        const settings = settingsOf(forStack(committed, T.settings, "dev"));
        const planted = structuredClone(settings);
        planted.operationContext.environmentVariables.GITHUB_TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8";
        const findings = await findSecretLiterals(planted);
        assert.deepStrictEqual(findings.map((f) => f.path), ["operationContext.environmentVariables.GITHUB_TOKEN"]);
    });

    it("refuses a credential put into the delivery config: the schema has no place for one", () => {
        const withCredential = withDelivery((d) => ((d.stacks as Record<string, unknown>[])[0].environmentVariables = { AWS_SECRET_ACCESS_KEY: "x" }));
        assert.throws(
            () => parseDeliveryConfig(JSON.parse(withCredential.config[CONFIG_KEY])),
            (e: Error) => e instanceof DeliveryConfigError && /delivery\.stacks\.0: Unrecognized key: "environmentVariables"/.test(e.message),
        );
    });

    it("gives a review stack its stack, push-to-deploy settings for its branch with dev's role, and a TTL that destroys and deletes it", async () => {
        const r = await run(withDelivery((d) => (d.reviewStacks = [{ name: "review-gateway-api", branch: "gateway-api", expiresAt: "2027-01-15T18:00:00Z" }])));
        const created = of(r, T.stack);
        assert.deepStrictEqual(created.map((s) => s.inputs), [{ organizationName: "acme-platform", projectName: "gitops-platform", stackName: "review-gateway-api" }]);
        assert.strictEqual(created[0].options.retainOnDelete, true);
        const s = settingsOf(forStack(r, T.settings, "review-gateway-api"));
        assert.deepStrictEqual(s.sourceContext.git, { branch: "refs/heads/gateway-api", repoDir: "." });
        assert.strictEqual(s.vcs.deployCommits, true);
        assert.deepStrictEqual(s.vcs.paths, [...PROGRAM_PATHS]);
        const devRole = settingsOf(forStack(r, T.settings, "dev")).operationContext.oidc.aws.roleARN;
        assert.strictEqual(s.operationContext.oidc.aws.roleARN, devRole);
        const ttl = forStack(r, T.ttl, "review-gateway-api");
        assert.strictEqual(ttl.inputs.timestamp, "2027-01-15T18:00:00Z");
        assert.strictEqual(ttl.inputs.deleteAfterDestroy, true);
        assert.ok(ttl.options.dependsOn.includes(forStack(r, T.settings, "review-gateway-api").urn));
        assert.strictEqual(of(r, T.drift).length, cloudStacks.length, "a review stack gets no drift schedule");
        assert.strictEqual(of(committed, T.ttl).length, 0, "the committed config has no review stack");
    });

    it("reports every bad field with its key path before registering anything", () => {
        const bad = JSON.parse(withDelivery((d) => {
            const stacks = d.stacks as StackEntry[];
            stacks[2].drift.autoRemediate = true;
            stacks[1].drift.cron = "nightly";
            stacks[0].deployRoleArn = "role/deploy";
            d.reviewStacks = [{ name: "review-x", branch: "x", expiresAt: "tomorrow" }, { name: "dev", branch: "y", expiresAt: "2027-01-01T00:00:00Z" }];
            d.stacks = stacks.map((st) => (st.name === "dev" ? { ...st, name: "development" } : st));
        }).config[CONFIG_KEY]);
        let message = "";
        try {
            parseDeliveryConfig(bad);
        } catch (e) {
            assert.ok(e instanceof DeliveryConfigError);
            message = e.message;
        }
        assert.match(message, /^gitops-platform-deployments:delivery \(deployments\/Pulumi\.<stack>\.yaml\) is not valid:/);
        for (const expected of [
            "delivery.stacks.2.drift.autoRemediate: only dev may auto-remediate drift",
            "delivery.stacks.1.drift.cron: expected a five-field cron expression",
            "delivery.stacks.0.deployRoleArn: expected an IAM role ARN",
            "delivery.reviewStacks.0.expiresAt: expected a UTC timestamp",
            "delivery.reviewStacks.1.name: expected a name like review-<topic>",
            "delivery.reviewStacks: review stacks run on the dev cluster with dev's role, and there is no dev stack",
        ]) {
            assert.ok(message.includes(expected), `${expected}\n--- in ---\n${message}`);
        }
    });

    it("fails the program run on bad config, naming the key", async () => {
        await assert.rejects(
            run(withDelivery((d) => ((d.stacks as StackEntry[])[1].drift.autoRemediate = true))),
            /delivery\.stacks\.1\.drift\.autoRemediate: only dev may auto-remediate drift/,
        );
    });
});
