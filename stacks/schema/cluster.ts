import { z } from "zod";
import { ConfigTerraformSourceSchema } from "../../lib/terraform/source";
import { KubernetesNameSchema } from "./common";
import { LabelsSchema, reservedClusterLabelProblem } from "./labels";

/**
 * A cluster name, or a name prefix ending in `*` (`dev-eu-*`) where a pattern is allowed (project
 * destinations): Argo CD matches it as a glob. A lone `*` is never allowed.
 */
export const ClusterNamePatternSchema = z
    .string()
    .regex(/^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?|[a-z0-9][-a-z0-9]{0,61}\*)$/, {
        message: "expected a lowercase RFC 1123 cluster name, or a name prefix ending in * (never * alone)",
    });

/** Whether a cluster name matches a name or a `prefix*` pattern. */
export function clusterNameMatches(pattern: string, name: string): boolean {
    return pattern.endsWith("*") ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}

/** Fields every cluster mode shares. */
const clusterCommon = {
    /**
     * Name of the cluster as Argo CD knows it (cluster Secret, ApplicationSet generator).
     * Default `in-cluster`: the cluster Argo CD itself runs on.
     */
    name: KubernetesNameSchema.default("in-cluster"),
    /** Extra labels for the cluster Secret, which ApplicationSets select on. Default: none. */
    labels: LabelsSchema.default({}),
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

/** An IAM role ARN. */
const RoleArnSchema = z.string().regex(/^arn:aws[-a-z]*:iam::\d{12}:role\/.+$/, { message: "expected an IAM role ARN" });

/** Fields every entry of `platform.fleet` shares: what its clusters get. */
const fleetCommon = {
    /**
     * Labels put on the cluster Secret of every cluster of the entry (e.g. `region`, `tier`); team
     * applications select clusters by them (`clusterSelector`). `environment` is always the stack's.
     * Default: none.
     */
    labels: LabelsSchema.default({}),
    /**
     * Add-ons (names from `platform.addons`, installed by Argo CD) turned on for these clusters through
     * the label `enable_<name>`. Default: every enabled add-on Argo CD installs.
     */
    addons: z.array(KubernetesNameSchema).optional(),
};

/** Fields of the entries whose clusters are EKS clusters: how Argo CD's IAM identity reaches them. */
const fleetEksAccess = {
    /**
     * IAM role Argo CD assumes to call the clusters (`awsAuthConfig.roleARN` of the cluster Secret).
     * Default: none, Argo CD's own IRSA identity.
     */
    roleArn: RoleArnSchema.optional(),
};

/**
 * One EKS cluster from its own Terraform state, which must have the outputs `cluster_name`,
 * `cluster_endpoint`, `cluster_certificate_authority_data`, `region`, `account_id` (and may have
 * `addon_role_arns`, `map(string)`), like the foundation's.
 */
export const FleetStateClusterSchema = z.strictObject({
    from: z.literal("state"),
    /** Name of the cluster in Argo CD (its Secret `cluster-<name>`, `{{.name}}` in ApplicationSets). Required. */
    name: KubernetesNameSchema,
    /** Where the cluster's Terraform state is read from. Required. */
    source: ConfigTerraformSourceSchema,
    ...fleetCommon,
    ...fleetEksAccess,
});

/**
 * Many EKS clusters from one state's map output: keys are the cluster names in Argo CD, values objects
 * with `cluster_name`, `cluster_endpoint`, `cluster_certificate_authority_data`, `region`, `account_id`
 * and optionally `addon_role_arns` (`map(string)`) and `labels` (`map(string)`).
 */
export const FleetMapOutputSchema = z.strictObject({
    from: z.literal("map-output"),
    /** The state holding the output. Default: the foundation's (`platform.terraform.source`). */
    source: ConfigTerraformSourceSchema.optional(),
    /** Name of the map output. Required. */
    output: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, { message: "expected a Terraform output name" }),
    ...fleetCommon,
    ...fleetEksAccess,
});

/**
 * One cluster of any kind (on-prem, k3s, kind, a local kube-apiserver) that Argo CD reaches as
 * `argocd cluster add <context>` would set it up: with the server, CA data and the bearer token or
 * client certificate of one context of the kubeconfig in the Pulumi secret
 * `gitops-platform:fleetKubeconfig` (`pulumi config set --secret fleetKubeconfig < kubeconfig`).
 * Those credentials go into the cluster Secret as Pulumi secrets. No `roleArn`: not an EKS cluster.
 */
export const FleetKubeconfigClusterSchema = z.strictObject({
    from: z.literal("kubeconfig"),
    /** Name of the cluster in Argo CD (its Secret `cluster-<name>`, `{{.name}}` in ApplicationSets). Required. */
    name: KubernetesNameSchema,
    /** Context of `fleetKubeconfig` whose cluster and user Argo CD uses. Default: the entry's `name`. */
    context: z.string().min(1).optional(),
    ...fleetCommon,
});

/** One entry of `platform.fleet`; `from` picks the shape. */
export const FleetEntrySchema = z.discriminatedUnion("from", [FleetStateClusterSchema, FleetMapOutputSchema, FleetKubeconfigClusterSchema]);
export type FleetEntry = z.infer<typeof FleetEntrySchema>;

/** Further clusters Argo CD manages besides the one it runs on (`platform.cluster`). Default: none. */
export const FleetConfigSchema = z.array(FleetEntrySchema).default([]);
export type FleetConfig = z.infer<typeof FleetConfigSchema>;

/** The parts of the platform config the fleet rules look at. */
interface FleetSections {
    cluster: ClusterConfig;
    fleet: FleetConfig;
    addons: { name: string; enabled: boolean; installedBy: "argocd" | "pulumi" }[];
}

/**
 * Cross-field rules of the fleet (key paths below `platform`): each named add-on exists and is one
 * Argo CD installs, no two clusters share a name, no label of a cluster Secret is one the program
 * sets itself, and no credential goes into a cluster Secret that would be rendered to a file. Names inside a map output are only known once the state is read; the
 * program checks those (naming the output).
 */
export function fleetRules(p: FleetSections): { path: (string | number)[]; message: string }[] {
    const problems: { path: (string | number)[]; message: string }[] = [];
    const argocdAddons = new Set(p.addons.filter((a) => a.enabled && a.installedBy === "argocd").map((a) => a.name));
    const names = new Map<string, string>([[p.cluster.name, "platform.cluster.name"]]);
    const reservedLabels = (labels: Record<string, string>, at: (string | number)[]) => {
        for (const key of Object.keys(labels)) {
            const problem = reservedClusterLabelProblem(key);
            if (problem) problems.push({ path: [...at, key], message: problem });
        }
    };
    reservedLabels(p.cluster.labels, ["cluster", "labels"]);
    p.fleet.forEach((entry, i) => {
        reservedLabels(entry.labels, ["fleet", i, "labels"]);
        entry.addons?.forEach((addon, j) => {
            if (!argocdAddons.has(addon)) {
                problems.push({
                    path: ["fleet", i, "addons", j],
                    message: `${JSON.stringify(addon)} is not an enabled add-on installed by Argo CD; known: ${[...argocdAddons].join(", ") || "(none)"}`,
                });
            }
        });
        if (entry.from === "kubeconfig" && p.cluster.mode === "render") {
            problems.push({
                path: ["fleet", i, "from"],
                message: `a kubeconfig cluster's Secret carries its token or client key, and platform.cluster.mode "render" would write it to ${p.cluster.directory} in plaintext: use mode "kubeconfig" or "eks"`,
            });
        }
        if (entry.from === "state" || entry.from === "kubeconfig") {
            const first = names.get(entry.name);
            if (first) problems.push({ path: ["fleet", i, "name"], message: `duplicate cluster name ${JSON.stringify(entry.name)} (also ${first})` });
            else names.set(entry.name, `platform.fleet[${i}].name`);
        }
    });
    return problems;
}
