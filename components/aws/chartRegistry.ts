/**
 * ChartRegistry: ECR repositories for this platform's OCI Helm charts (`<namespace>/<chart>`), with
 * immutable tags (a published chart version never changes), scanning on push and a lifecycle
 * policy that expires untagged images and keeps the newest tagged versions.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Arguments of {@link ChartRegistry}. */
export interface ChartRegistryArgs {
    /** Repository path prefix, e.g. `charts`. Required. */
    namespace: string;
    /** Chart names; each gets a repository. Required. */
    charts: string[];
    /**
     * Tagged versions kept per repository.
     * @default 50
     */
    keepTaggedVersions?: number;
    /**
     * Days before untagged images expire.
     * @default 14
     */
    untaggedExpiryDays?: number;
    /** Tags (audit tags). Required. */
    tags: Record<string, string>;
}

/** The lifecycle policy document. */
export function chartLifecyclePolicy(keepTagged: number, untaggedDays: number): string {
    return JSON.stringify({
        rules: [
            {
                rulePriority: 1,
                description: `expire untagged images after ${untaggedDays} days`,
                selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: untaggedDays },
                action: { type: "expire" },
            },
            {
                rulePriority: 2,
                description: `keep the newest ${keepTagged} chart versions`,
                selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keepTagged },
                action: { type: "expire" },
            },
        ],
    });
}

/** ECR repositories for charts. */
export class ChartRegistry extends pulumi.ComponentResource {
    /** Repository ARNs, for IAM policies. */
    readonly repositoryArns: pulumi.Output<string>[];

    constructor(name: string, args: ChartRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops:platform:ChartRegistry", name, {}, opts);
        const policy = chartLifecyclePolicy(args.keepTaggedVersions ?? 50, args.untaggedExpiryDays ?? 14);
        this.repositoryArns = args.charts.map((chart) => {
            const repo = new aws.ecr.Repository(
                `${name}-${chart}`,
                {
                    name: `${args.namespace}/${chart}`,
                    imageTagMutability: "IMMUTABLE",
                    imageScanningConfiguration: { scanOnPush: true },
                    encryptionConfigurations: [{ encryptionType: "AES256" }],
                    tags: args.tags,
                },
                { parent: this },
            );
            new aws.ecr.LifecyclePolicy(`${name}-${chart}`, { repository: repo.name, policy }, { parent: this });
            return repo.arn;
        });
        this.registerOutputs({ repositoryArns: this.repositoryArns });
    }
}
