/**
 * Step 2: the cluster Argo CD runs on: its provider (one connection per `platform.cluster.mode`;
 * a new mode is a new case here) and the facts its cluster Secret carries.
 */
import type * as pulumi from "@pulumi/pulumi";
import { KubernetesCluster, KubernetesClusterArgs } from "../cluster/kubernetesCluster";
import type { PlatformContext } from "./context";
import type { Foundation } from "./foundation";
import type { RegisteredCluster } from "./registeredCluster";

/** The provider of the cluster Argo CD runs on. */
export function hubCluster(ctx: PlatformContext, foundation: Foundation): KubernetesCluster {
    return new KubernetesCluster("cluster", { connection: hubConnection(ctx, foundation) });
}

// Paths stay relative to the project, where Pulumi runs the program and its plugins: an absolute
// path would differ per checkout and replace the provider or the chart.
function hubConnection(ctx: PlatformContext, foundation: Foundation): KubernetesClusterArgs["connection"] {
    const cluster = ctx.platform.cluster;
    const tf = foundation.outputs;
    switch (cluster.mode) {
        case "render":
            return { kind: "render", directory: cluster.directory };
        case "kubeconfig":
            return { kind: "kubeconfig", kubeconfig: ctx.config.secrets.kubeconfig as pulumi.Output<string>, context: cluster.context };
        case "eks":
            return {
                kind: "eks",
                clusterName: tf.cluster_name.value,
                endpoint: tf.cluster_endpoint.value,
                certificateAuthorityData: tf.cluster_certificate_authority_data.value,
                region: cluster.region ?? foundation.region,
                roleArn: cluster.roleArn,
                profile: cluster.profile,
            };
    }
}

/**
 * The cluster Argo CD runs on as Argo CD registers it: Terraform's facts as annotations (roles Pulumi
 * makes replace Terraform's of the same name) and every enabled add-on turned on.
 */
export function hubRegistration(ctx: PlatformContext, foundation: Foundation, pulumiRoleArns: Record<string, pulumi.Input<string>> = {}): RegisteredCluster {
    const tf = foundation.outputs;
    const roleArns = { ...tf.addon_role_arns.value, ...pulumiRoleArns };
    return {
        name: ctx.platform.cluster.name,
        resourceName: "cluster-registration",
        access: { kind: "in-cluster" },
        annotations: {
            aws_cluster_name: tf.cluster_name.value,
            aws_region: foundation.region,
            aws_account_id: foundation.accountId,
            aws_vpc_id: tf.vpc_id.value,
            aws_private_subnet_ids: tf.private_subnet_ids.value.join(","),
            environment: ctx.platform.environment,
            // The policy pack's deprecated-API rule reads the cluster's version from here.
            ...(foundation.kubernetesVersion ? { kubernetes_version: foundation.kubernetesVersion } : {}),
            ...roleAnnotations(roleArns),
        },
        labels: ctx.platform.cluster.labels,
        addons: ctx.platform.addons.filter((a) => a.enabled).map((a) => a.name),
        configPath: "platform.cluster",
    };
}

/** `<add-on>_iam_role_arn` annotations (gitops-bridge names), `-` as `_`. */
export function roleAnnotations(roleArns: Record<string, pulumi.Input<string>>): Record<string, pulumi.Input<string>> {
    return Object.fromEntries(Object.entries(roleArns).map(([k, v]) => [`${k.replace(/-/g, "_")}_iam_role_arn`, v]));
}
