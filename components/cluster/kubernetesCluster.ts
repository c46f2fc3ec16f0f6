/**
 * KubernetesCluster: the Kubernetes provider for the cluster the platform is installed on. Three
 * ways to reach it: an EKS cluster from Terraform outputs (kubeconfig with `aws eks get-token`
 * exec auth), a kubeconfig given as a Pulumi secret, or no cluster at all (render YAML to a
 * directory, the local stack). Server-side apply is on in every mode.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";

/** An EKS cluster as Terraform describes it. */
export interface EksConnection {
    kind: "eks";
    /** Cluster name (Terraform `cluster_name`). Required. */
    clusterName: pulumi.Input<string>;
    /** API server URL (Terraform `cluster_endpoint`). Required. */
    endpoint: pulumi.Input<string>;
    /** Base64 CA bundle (Terraform `cluster_certificate_authority_data`). Required. */
    certificateAuthorityData: pulumi.Input<string>;
    /** Region passed to `aws eks get-token`. Required. */
    region: string;
    /**
     * Role assumed by `aws eks get-token --role-arn`.
     * @default - the caller's identity
     */
    roleArn?: string;
    /**
     * AWS CLI profile (`AWS_PROFILE`).
     * @default - the ambient AWS configuration
     */
    profile?: string;
}

/** A cluster reached through a kubeconfig kept as a Pulumi secret. */
export interface KubeconfigConnection {
    kind: "kubeconfig";
    /** The kubeconfig text; must be a Pulumi secret. Required. */
    kubeconfig: pulumi.Output<string>;
    /**
     * Context to use.
     * @default - the kubeconfig's current context
     */
    context?: string;
}

/** No cluster: manifests are written to a directory. */
export interface RenderConnection {
    kind: "render";
    /** Output directory. Required. */
    directory: string;
}

/** Arguments of {@link KubernetesCluster}. */
export interface KubernetesClusterArgs {
    /** How to reach the cluster. Required. */
    connection: EksConnection | KubeconfigConnection | RenderConnection;
}

/** The Kubernetes provider of one cluster. */
export class KubernetesCluster extends pulumi.ComponentResource {
    /** The provider every Kubernetes resource of this cluster uses. */
    readonly provider: k8s.Provider;
    /** True when manifests are rendered to a directory instead of applied. */
    readonly rendersOnly: boolean;

    constructor(name: string, args: KubernetesClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops:platform:KubernetesCluster", name, {}, opts);
        const connection = args.connection;
        this.rendersOnly = connection.kind === "render";
        // Argo CD reads its ConfigMaps and Secrets live, by name (argocd-cm, argocd-secret, repository
        // Secrets): a changed value must update them in place. The provider's default replaces a
        // ConfigMap or Secret whose data changes, and replacing an object of the same name creates the
        // new one, then deletes "the old" one: the object is gone (seen when drift was corrected).
        const common: k8s.ProviderArgs = { enableServerSideApply: true, enableConfigMapMutable: true, enableSecretMutable: true };
        let providerArgs: k8s.ProviderArgs;
        switch (connection.kind) {
            case "render":
                providerArgs = { ...common, renderYamlToDirectory: connection.directory };
                break;
            case "kubeconfig":
                providerArgs = { ...common, kubeconfig: pulumi.secret(connection.kubeconfig), context: connection.context };
                break;
            case "eks":
                // The kubeconfig holds no credential (a token is fetched on each call), but keep it secret anyway: it names the cluster's endpoint and role.
                providerArgs = { ...common, kubeconfig: pulumi.secret(eksKubeconfig(connection)) };
                break;
        }
        this.provider = new k8s.Provider(`${name}`, providerArgs, { parent: this });
        this.registerOutputs({ rendersOnly: this.rendersOnly });
    }
}

/** A kubeconfig for an EKS cluster that authenticates with `aws eks get-token`. */
export function eksKubeconfig(c: EksConnection): pulumi.Output<string> {
    return pulumi.all([c.clusterName, c.endpoint, c.certificateAuthorityData]).apply(([clusterName, endpoint, ca]) => {
        const args = ["eks", "get-token", "--output", "json", "--cluster-name", clusterName, "--region", c.region];
        if (c.roleArn) args.push("--role-arn", c.roleArn);
        const env = c.profile ? [{ name: "AWS_PROFILE", value: c.profile }] : undefined;
        return YAML.stringify({
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name: clusterName, cluster: { server: endpoint, "certificate-authority-data": ca } }],
            contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
            "current-context": clusterName,
            users: [
                {
                    name: clusterName,
                    user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args, ...(env ? { env } : {}), interactiveMode: "Never" } },
                },
            ],
        });
    });
}
