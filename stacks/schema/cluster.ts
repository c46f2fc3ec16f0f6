import { z } from "zod";
import { KubernetesNameSchema, StringMapSchema } from "./common";

/** Fields every cluster mode shares. */
const clusterCommon = {
    /**
     * Name of the cluster as Argo CD knows it (cluster Secret, ApplicationSet generator).
     * Default `in-cluster`: the cluster Argo CD itself runs on.
     */
    name: KubernetesNameSchema.default("in-cluster"),
    /** Extra labels for the cluster Secret, which ApplicationSets select on. Default: none. */
    labels: StringMapSchema.default({}),
};

/** Render every manifest to a directory instead of calling a cluster (the local stack). */
export const RenderClusterSchema = z.strictObject({
    mode: z.literal("render"),
    /** Directory the manifests are written to, relative to the project root. Default `out/local/rendered`. */
    directory: z.string().min(1).default("out/local/rendered"),
    ...clusterCommon,
});

/** An EKS cluster whose endpoint, CA data and name come from Terraform outputs. */
export const EksClusterSchema = z.strictObject({
    mode: z.literal("eks"),
    /** AWS region passed to `aws eks get-token`. Default: the Terraform output `region`. */
    region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { message: "expected an AWS region like eu-west-1" }).optional(),
    /** IAM role assumed by `aws eks get-token` (`--role-arn`). Default: none, the caller's own identity. */
    roleArn: z.string().regex(/^arn:aws[-a-z]*:iam::\d{12}:role\/.+$/, { message: "expected an IAM role ARN" }).optional(),
    /** AWS CLI profile for `aws eks get-token` (`AWS_PROFILE`). Default: none. */
    profile: z.string().min(1).optional(),
    ...clusterCommon,
});

/** A cluster reached through the kubeconfig in the Pulumi secret `gitops-platform:kubeconfig`. */
export const KubeconfigClusterSchema = z.strictObject({
    mode: z.literal("kubeconfig"),
    /** Context to use from that kubeconfig. Default: its current context. */
    context: z.string().min(1).optional(),
    ...clusterCommon,
});

/** How the program reaches the cluster it installs Argo CD on; `mode` picks one of the shapes above. */
export const ClusterConfigSchema = z.discriminatedUnion("mode", [RenderClusterSchema, EksClusterSchema, KubeconfigClusterSchema]);
export type ClusterConfig = z.infer<typeof ClusterConfigSchema>;
