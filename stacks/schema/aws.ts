import { z } from "zod";
import { KubernetesNameSchema } from "./common";

/** An IAM role for a Kubernetes service account (IRSA). */
export const ServiceAccountRoleSchema = z.strictObject({
    /** Namespace of the service account. Required. */
    namespace: KubernetesNameSchema,
    /** Service account name. Required. */
    serviceAccount: KubernetesNameSchema,
});

/** AWS resources of a cloud stack (dev/staging/prod); the local stack creates none. */
export const AwsConfigSchema = z.strictObject({
    /** Create the AWS resources. Default `false`; must be `false` on the local stack. */
    enabled: z.boolean().default(false),
    /** Region of the AWS provider. Default: the Terraform output `region`. */
    region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { message: "expected an AWS region like eu-west-1" }).optional(),
    /** ECR repositories for OCI charts. */
    ecr: z
        .strictObject({
            /** Path prefix of chart repositories: charts are pushed to `oci://<registry>/<namespace>`. Default `charts`. */
            namespace: z.string().regex(/^[a-z0-9]+([._/-][a-z0-9]+)*$/, { message: "expected an ECR repository path like charts" }).default("charts"),
            /** Charts that get a repository `<namespace>/<chart>`. Default: none. */
            charts: z.array(KubernetesNameSchema).default([]),
            /** Tagged chart versions kept per repository. Default `50`. */
            keepTaggedVersions: z.number().int().min(1).default(50),
            /** Days before untagged images expire. Default `14`. */
            untaggedExpiryDays: z.number().int().min(1).default(14),
        })
        .prefault({}),
    /** Prefix of Secrets Manager secret names. Default `gitops-platform/<stack>/`. */
    secretsManagerPrefix: z.string().regex(/^[\w/+=.@-]+\/$/, { message: "expected a secret name prefix ending in /" }).optional(),
    /** Service account of External Secrets Operator (its IRSA role reads the repository secrets). Default `external-secrets/external-secrets`. */
    externalSecretsServiceAccount: ServiceAccountRoleSchema.prefault({ namespace: "external-secrets", serviceAccount: "external-secrets" }),
    /** Service account of the Argo CD repo server (its IRSA role pulls charts from ECR). Default `<argocd namespace>/argocd-repo-server`. */
    repoServerServiceAccount: KubernetesNameSchema.default("argocd-repo-server"),
});
export type AwsConfig = z.infer<typeof AwsConfigSchema>;
