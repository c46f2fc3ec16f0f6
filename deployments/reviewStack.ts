import * as pulumi from "@pulumi/pulumi";
import * as service from "@pulumi/pulumiservice";
import { deploymentSettingsArgs, DeploymentSourceArgs } from "./stackDelivery";

export interface ReviewStackArgs extends Omit<DeploymentSourceArgs, "deployOnPush"> {
    /** When Pulumi Cloud destroys the stack's resources and deletes the stack (UTC, ISO 8601). */
    expiresAt: string;
}

/**
 * A short-lived stack that follows one branch on the dev cluster: created here, updated by the
 * Pulumi GitHub app on every push to its branch, destroyed and deleted by its TtlSchedule.
 */
export class ReviewStackDelivery extends pulumi.ComponentResource {
    public readonly stack: service.Stack;
    public readonly settings: service.DeploymentSettings;
    public readonly ttl: service.TtlSchedule;

    constructor(name: string, args: ReviewStackArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:delivery:ReviewStack", name, {}, opts);
        this.stack = new service.Stack(`${name}-stack`, {
            organizationName: args.organization,
            projectName: args.project,
            stackName: args.stack,
        }, { parent: this, retainOnDelete: true }); // the TTL deletes it; removing the entry must not
        this.settings = new service.DeploymentSettings(`${name}-settings`, deploymentSettingsArgs({ ...args, deployOnPush: true }), {
            parent: this,
            dependsOn: [this.stack],
        });
        this.ttl = new service.TtlSchedule(`${name}-ttl`, {
            organization: args.organization,
            project: args.project,
            stack: args.stack,
            timestamp: args.expiresAt,
            deleteAfterDestroy: true,
        }, { parent: this, dependsOn: [this.settings] }); // the destroy is a deployment: it needs the settings
        this.registerOutputs({});
    }
}
