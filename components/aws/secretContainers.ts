/**
 * SecretContainers: empty AWS Secrets Manager secrets that operators fill out of band
 * (`aws secretsmanager put-secret-value`). Pulumi creates the container only, never a version, so
 * no secret value exists in code or state.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { secretContainerResourceName } from "../../stacks/secretContainers";

/** Arguments of {@link SecretContainers}. */
export interface SecretContainersArgs {
    /** Secret names with a description of what goes in them. Required. */
    secrets: { name: string; description: string }[];
    /** Tags (audit tags). Required. */
    tags: Record<string, string>;
}

/** Secrets Manager secrets without a value. */
export class SecretContainers extends pulumi.ComponentResource {
    /** ARNs by secret name, for IAM policies. */
    readonly arns: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: SecretContainersArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops:platform:SecretContainers", name, {}, opts);
        this.arns = {};
        for (const secret of args.secrets) {
            const resource = new aws.secretsmanager.Secret(
                `${name}-${secretContainerResourceName(secret.name)}`,
                { name: secret.name, description: secret.description, recoveryWindowInDays: 7, tags: args.tags },
                { parent: this },
            );
            this.arns[secret.name] = resource.arn;
        }
        this.registerOutputs({ arns: this.arns });
    }
}
