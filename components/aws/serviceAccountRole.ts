/**
 * ServiceAccountRole: an IAM role a Kubernetes service account assumes through the cluster's OIDC
 * provider (IRSA), trusted for exactly that namespace/name and audience `sts.amazonaws.com`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Arguments of {@link ServiceAccountRole}. */
export interface ServiceAccountRoleArgs {
    /** ARN of the cluster's IAM OIDC provider (Terraform `oidc_provider_arn`). Required. */
    oidcProviderArn: pulumi.Input<string>;
    /** Namespace of the service account. Required. */
    namespace: string;
    /** Service account name. Required. */
    serviceAccount: string;
    /** IAM policy statements the role may use. Required. */
    statements: pulumi.Input<aws.iam.PolicyStatement[]>;
    /** Tags (audit tags). Required. */
    tags: Record<string, string>;
}

/** The issuer host of an OIDC provider ARN (`arn:aws:iam::<acct>:oidc-provider/<host/path>`). */
export function oidcIssuer(providerArn: string): string {
    const i = providerArn.indexOf(":oidc-provider/");
    if (i < 0) throw new Error(`oidc_provider_arn: expected arn:aws:iam::<account>:oidc-provider/<issuer>, got ${JSON.stringify(providerArn)}`);
    return providerArn.slice(i + ":oidc-provider/".length);
}

/** An IRSA role for one service account. */
export class ServiceAccountRole extends pulumi.ComponentResource {
    /** The role's ARN, for the service account annotation `eks.amazonaws.com/role-arn`. */
    readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: ServiceAccountRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops:platform:ServiceAccountRole", name, {}, opts);
        const assumeRolePolicy = pulumi.output(args.oidcProviderArn).apply((arn) => {
            const issuer = oidcIssuer(arn);
            return JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { Federated: arn },
                        Action: "sts:AssumeRoleWithWebIdentity",
                        Condition: {
                            StringEquals: {
                                [`${issuer}:sub`]: `system:serviceaccount:${args.namespace}:${args.serviceAccount}`,
                                [`${issuer}:aud`]: "sts.amazonaws.com",
                            },
                        },
                    },
                ],
            });
        });
        const role = new aws.iam.Role(name, { assumeRolePolicy, tags: args.tags }, { parent: this });
        new aws.iam.RolePolicy(
            name,
            { role: role.name, policy: pulumi.output(args.statements).apply((Statement) => JSON.stringify({ Version: "2012-10-17", Statement })) },
            { parent: this },
        );
        this.roleArn = role.arn;
        this.registerOutputs({ roleArn: this.roleArn });
    }
}
