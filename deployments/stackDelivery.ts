import * as pulumi from "@pulumi/pulumi";
import * as service from "@pulumi/pulumiservice";
import { PROGRAM_PATHS } from "./programPaths";

/** Where a stack's deployments come from and who they run as. */
export interface DeploymentSourceArgs {
    /** Pulumi Cloud organisation. */
    organization: string;
    /** Project of the deployed stack. */
    project: string;
    /** Stack name. */
    stack: string;
    /** GitHub `owner/name`. */
    repository: string;
    /** The branch the deployment checks out. */
    branch: string;
    /** IAM role assumed through Pulumi Cloud's OIDC issuer; no access key exists anywhere. */
    deployRoleArn: string;
    /**
     * Let the Pulumi GitHub app run `pulumi up` on every push to `branch` that touches the program
     * (PROGRAM_PATHS). False for promoted stacks: the deploy workflow starts them in order.
     */
    deployOnPush: boolean;
}

/**
 * The deployment settings every stack shares: the repository at the project root, `npm ci`
 * before the operation (the lockfile, not `npm install`), AWS through OIDC, and no secret: the
 * settings carry no token, key or password, so nothing here is worth stealing.
 */
export function deploymentSettingsArgs(a: DeploymentSourceArgs): service.DeploymentSettingsArgs {
    return {
        organization: a.organization,
        project: a.project,
        stack: a.stack,
        sourceContext: { git: { branch: `refs/heads/${a.branch}`, repoDir: "." } },
        vcs: {
            provider: "github",
            repository: a.repository,
            paths: [...PROGRAM_PATHS],
            deployCommits: a.deployOnPush,
            // Pull requests are previewed by .github/workflows/pull-request.yml with a read-only
            // role; a service preview would run unreviewed code with this stack's deploy role.
            previewPullRequests: false,
            pullRequestTemplate: false,
        },
        operationContext: {
            preRunCommands: ["npm ci --no-audit --no-fund"],
            options: { skipInstallDependencies: true, skipIntermediateDeployments: true },
            oidc: { aws: { roleARN: a.deployRoleArn, sessionName: `pulumi-deployments-${a.stack}`, duration: "1h0m0s" } },
            environmentVariables: { PULUMI_SKIP_UPDATE_CHECK: "true" },
        },
        cacheOptions: { enable: true },
    };
}

/** The ESC environment a stack imports (`environment:` in stacks/Pulumi.<stack>.yaml). */
export function escEnvironmentYaml(stack: string, awsRegion: string): string {
    // Plain values only: credentials come from OIDC where the operation runs (Pulumi Deployments
    // for updates, GitHub's OIDC and a read-only role for pull-request previews), so opening this
    // environment grants nothing.
    return [
        "values:",
        "  aws:",
        `    region: ${awsRegion}`,
        "  environmentVariables:",
        "    AWS_REGION: ${aws.region}",
        `    GITOPS_STACK: ${stack}`,
        "  pulumiConfig:",
        "    aws:region: ${aws.region}",
        "",
    ].join("\n");
}

export interface StackDeliveryArgs extends Omit<DeploymentSourceArgs, "deployOnPush"> {
    /** Region the ESC environment exports. */
    awsRegion: string;
    /** Drift detection schedule (cron, UTC). */
    driftCron: string;
    /** Whether detected drift is remediated with `pulumi up` (dev only). */
    autoRemediate: boolean;
}

/**
 * One long-lived stack's delivery: its deployment settings (updates started on merge by the deploy
 * workflow, through these settings), its ESC environment, its nightly drift detection, and its
 * policy group, in which the published policy pack is enforced by Pulumi Cloud on every update.
 */
export class StackDelivery extends pulumi.ComponentResource {
    public readonly settings: service.DeploymentSettings;
    public readonly environment: service.Environment;
    public readonly drift: service.DriftSchedule;
    public readonly policyGroup: service.PolicyGroup;

    constructor(name: string, args: StackDeliveryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:delivery:StackDelivery", name, {}, opts);
        const parent = { parent: this };
        this.environment = new service.Environment(`${name}-environment`, {
            organization: args.organization,
            project: args.project,
            name: args.stack,
            yaml: new pulumi.asset.StringAsset(escEnvironmentYaml(args.stack, args.awsRegion)),
        }, parent);
        this.settings = new service.DeploymentSettings(`${name}-settings`, deploymentSettingsArgs({ ...args, deployOnPush: false }), parent);
        this.drift = new service.DriftSchedule(`${name}-drift`, {
            organization: args.organization,
            project: args.project,
            stack: args.stack,
            scheduleCron: args.driftCron,
            autoRemediate: args.autoRemediate,
        }, { parent: this, dependsOn: [this.settings] }); // a drift run is a deployment: it needs the settings
        this.policyGroup = new service.PolicyGroup(`${name}-policies`, {
            organizationName: args.organization,
            name: `${args.project}-${args.stack}`,
            entityType: "stacks",
            mode: "preventative",
            stacks: [{ name: args.stack, routingProject: args.project }],
        }, {
            parent: this,
            // Which pack version runs, with which config, is set by `pulumi policy enable` in the
            // policy workflow when a pack is published; membership and mode are set here.
            ignoreChanges: ["policyPacks"],
        });
        this.registerOutputs({});
    }
}
