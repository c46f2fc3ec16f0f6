/**
 * Step 2b: the fleet, the clusters Argo CD manages besides its own: EKS clusters from Terraform (one
 * per state, or many from one state's map output) and clusters of any kind from a context of the
 * secret kubeconfig `fleetKubeconfig`. Each distinct state is read once, a few at a time, the
 * kubeconfig once, and every problem of every entry is reported together before any resource is
 * registered. A new way to describe clusters is a new `from` in the schema and a new case here.
 */
import { clusterEndpointProblem, describeSource, readTerraformOutputs, requireOutputs, TerraformOutputSet, TerraformSource, TerraformSourceError } from "../../lib/terraform";
import { StackConfigError } from "../../lib/stackConfigError";
import { FLEET_KUBECONFIG_KEY } from "../../stacks/configKeys";
import type { FleetEntry } from "../../stacks/schema";
import { contextAccess, Kubeconfig, parseKubeconfig, revealed } from "./fleetKubeconfig";
import { KubernetesNameSchema, labelProblem, reservedClusterLabelProblem } from "../../stacks/schema";
import { formatKeyPath } from "../../lib/zodIssues";
import type { StackConfig } from "../../stacks/load";
import { terraformCredentials } from "./foundation";
import { roleAnnotations } from "./hubCluster";
import { type ClusterAccess, IN_CLUSTER_SERVER } from "../gitops/clusterRegistration";
import type { RegisteredCluster } from "./registeredCluster";

/** The outputs a cluster's own state must have. */
export const FLEET_CLUSTER_OUTPUTS = {
    cluster_name: "string",
    cluster_endpoint: "string",
    cluster_certificate_authority_data: "string",
    region: "string",
    account_id: "string",
    addon_role_arns: "optional(map(string))",
} as const;

/** The type of a map output describing many clusters, keyed by their names in Argo CD. */
export const FLEET_MAP_OUTPUT_TYPE =
    "map(object({cluster_name = string, cluster_endpoint = string, cluster_certificate_authority_data = string, region = string, account_id = string, addon_role_arns = optional(map(string)), labels = optional(map(string))}))";

/** States read at once: enough to hide a remote backend's latency, few enough not to flood it. */
const CONCURRENT_READS = 8;

interface ClusterFacts {
    cluster_name: string;
    cluster_endpoint: string;
    cluster_certificate_authority_data: string;
    region: string;
    account_id: string;
    addon_role_arns?: Record<string, string> | null;
    labels?: Record<string, string> | null;
}

/** The fleet entries whose clusters are EKS clusters described by Terraform. */
type EksFleetEntry = Exclude<FleetEntry, { from: "kubeconfig" }>;

/** Every cluster of `platform.fleet`, or one StackConfigError listing every problem. */
export async function readFleet(config: StackConfig): Promise<RegisteredCluster[]> {
    const platform = config.platform;
    if (platform.fleet.length === 0) return [];
    const sourceOf = (entry: EksFleetEntry): TerraformSource => entry.source ?? platform.terraform.source;
    const eksEntries = platform.fleet.filter((e): e is EksFleetEntry => e.from !== "kubeconfig");
    const [states, kubeconfig] = await Promise.all([readDistinct(eksEntries.map(sourceOf), config), readKubeconfig(config)]);
    const defaultAddons = platform.addons.filter((a) => a.enabled && a.installedBy === "argocd").map((a) => a.name);
    const problems: { path: string; message: string }[] = [...kubeconfig.problems.map((message) => ({ path: FLEET_KUBECONFIG_KEY, message }))];
    const clusters: RegisteredCluster[] = [];
    platform.fleet.forEach((entry, i) => {
        const path = `platform.fleet[${i}]`;
        if (entry.from === "kubeconfig") {
            if (!kubeconfig.kubeconfig) return; // its problems are the file's, listed once
            const found = contextAccess(kubeconfig.kubeconfig, entry.context ?? entry.name);
            if (found.problems) problems.push(...found.problems.map((message) => ({ path, message })));
            else clusters.push(registered(entry.name, found.access, { environment: platform.environment }, entry, path, defaultAddons));
            return;
        }
        const state = states.get(sourceKey(sourceOf(entry)));
        if (!state || state instanceof Error) {
            problems.push({ path: `${path}.source`, message: state?.message ?? "not read" });
            return;
        }
        try {
            for (const [name, facts, at] of entryClusters(entry, state, describeSource(sourceOf(entry)), path)) {
                // Argo CD sends the cluster's token to this URL: plain http or user info would put a credential in clear.
                const endpointProblem = clusterEndpointProblem(facts.cluster_endpoint);
                if (endpointProblem) {
                    const output = entry.from === "map-output" ? `${entry.output}[${JSON.stringify(name)}].cluster_endpoint` : "cluster_endpoint";
                    problems.push({ path: `${path}.source`, message: `${describeSource(sourceOf(entry))}: output ${output} ${endpointProblem}` });
                    continue;
                }
                const labelProblems = entry.from === "map-output" ? stateLabelProblems(facts.labels ?? {}, [entry.output, name]) : [];
                if (labelProblems.length > 0) {
                    problems.push(...labelProblems.map((problem) => ({ path: `${path}.source`, message: `${describeSource(sourceOf(entry))}: output ${problem}` })));
                    continue;
                }
                clusters.push(fleetCluster(name, facts, entry, at, defaultAddons, platform.environment));
            }
        } catch (e) {
            problems.push({ path, message: (e as Error).message });
        }
    });
    problems.push(...duplicateNames(platform.cluster.name, clusters), ...duplicateServers(clusters));
    if (problems.length > 0) throw new StackConfigError(config.stack, problems);
    return clusters;
}

/** The parsed `fleetKubeconfig` when an entry uses it (the config loader has made sure it is set). */
async function readKubeconfig(config: StackConfig): Promise<{ kubeconfig?: Kubeconfig; problems: string[] }> {
    const secret = config.secrets.fleetKubeconfig;
    if (!secret || !config.platform.fleet.some((e) => e.from === "kubeconfig")) return { problems: [] };
    return parseKubeconfig(await revealed(secret));
}

/** The clusters one entry describes, as `[name, facts, where]`. */
function entryClusters(entry: EksFleetEntry, state: TerraformOutputSet, source: string, path: string): [string, ClusterFacts, string][] {
    switch (entry.from) {
        case "state": {
            const outputs = requireOutputs(state, FLEET_CLUSTER_OUTPUTS, source);
            refuseSensitive(Object.entries(outputs).filter(([, o]) => o?.sensitive).map(([n]) => n), source);
            const facts = Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, o.value])) as unknown as ClusterFacts;
            return [[entry.name, facts, path]];
        }
        case "map-output": {
            const output = requireOutputs(state, { [entry.output]: FLEET_MAP_OUTPUT_TYPE }, source)[entry.output];
            refuseSensitive(output.sensitive ? [entry.output] : [], source);
            return Object.entries(output.value as Record<string, ClusterFacts>).map(([name, facts]) => {
                const at = `${path} (output ${entry.output}, key ${JSON.stringify(name)})`;
                if (!KubernetesNameSchema.safeParse(name).success) {
                    throw new TerraformSourceError(source, "outputs", `${entry.output}[${JSON.stringify(name)}]: a cluster name must be a lowercase RFC 1123 name (a-z, 0-9, '-', at most 63 characters)`);
                }
                return [name, facts, at];
            });
        }
    }
}

/**
 * The labels a map output gives a cluster go onto its Secret as the config's do: each must be one
 * Kubernetes accepts and not one the program sets itself. Each problem as `<key path>: <what>`.
 */
function stateLabelProblems(labels: Record<string, string>, cluster: string[]): string[] {
    return Object.entries(labels).flatMap(([key, value]) => {
        const problem = labelProblem(key, value) ?? reservedClusterLabelProblem(key);
        return problem ? [`${formatKeyPath([...cluster, "labels", key])}: ${problem}`] : [];
    });
}

/** Labels and annotations are not secret: a sensitive output must not end up in them. */
function refuseSensitive(names: string[], source: string): void {
    if (names.length === 0) return;
    throw new TerraformSourceError(
        source,
        "outputs",
        `${names.join(", ")}: marked sensitive, but a cluster's facts go into its Secret's labels and annotations, which are not secret; endpoints and CA data are no credentials, declare the output non-sensitive`,
    );
}

function fleetCluster(name: string, facts: ClusterFacts, entry: EksFleetEntry, at: string, defaultAddons: string[], environment: string): RegisteredCluster {
    const access: ClusterAccess = { kind: "eks", server: facts.cluster_endpoint, caData: facts.cluster_certificate_authority_data, eksClusterName: facts.cluster_name, roleArn: entry.roleArn };
    const annotations = {
        aws_cluster_name: facts.cluster_name,
        aws_region: facts.region,
        aws_account_id: facts.account_id,
        environment,
        ...roleAnnotations(facts.addon_role_arns ?? {}),
    };
    return registered(name, access, annotations, { labels: { ...(facts.labels ?? {}), ...entry.labels }, addons: entry.addons }, at, defaultAddons);
}

/** A cluster of the fleet as it is registered: the entry's labels win over the state's, its add-ons default to every one. */
function registered(
    name: string,
    access: ClusterAccess,
    annotations: RegisteredCluster["annotations"],
    entry: { labels: Record<string, string>; addons?: string[] },
    at: string,
    defaultAddons: string[],
): RegisteredCluster {
    return { name, resourceName: `fleet-${name}`, access, annotations, labels: entry.labels, addons: entry.addons ?? defaultAddons, configPath: at };
}

function duplicateNames(hubName: string, clusters: RegisteredCluster[]): { path: string; message: string }[] {
    const seen = new Map<string, string>([[hubName, "platform.cluster.name"]]);
    const problems: { path: string; message: string }[] = [];
    for (const c of clusters) {
        const first = seen.get(c.name);
        if (first) problems.push({ path: c.configPath, message: `duplicate cluster name ${JSON.stringify(c.name)} (also ${first})` });
        else seen.set(c.name, c.configPath);
    }
    return problems;
}

/**
 * Argo CD keys a cluster by its server URL: a second Secret with a server already registered (the
 * hub's in-cluster one included) does not add a cluster, it makes which one Argo CD uses undefined.
 */
function duplicateServers(clusters: RegisteredCluster[]): { path: string; message: string }[] {
    const seen = new Map<string, string>([[canonicalServer(IN_CLUSTER_SERVER), "platform.cluster (the hub, in-cluster)"]]);
    const problems: { path: string; message: string }[] = [];
    for (const c of clusters) {
        if (c.access.kind === "in-cluster") continue;
        const server = canonicalServer(c.access.server);
        const first = seen.get(server);
        if (first) problems.push({ path: c.configPath, message: `cluster ${JSON.stringify(c.name)}: server ${c.access.server} is already registered by ${first}; Argo CD keys clusters by server URL` });
        else seen.set(server, `${c.configPath} (cluster ${JSON.stringify(c.name)})`);
    }
    return problems;
}

/** A server URL as compared: host case, a default port and a trailing slash make no other server. */
function canonicalServer(server: string): string {
    try {
        return new URL(server).href.replace(/\/+$/, "");
    } catch {
        return server;
    }
}

const sourceKey = (source: TerraformSource) => JSON.stringify(source);

/** Reads each distinct source once, at most CONCURRENT_READS at a time; a failed read is kept as its error. */
async function readDistinct(sources: TerraformSource[], config: StackConfig): Promise<Map<string, TerraformOutputSet | Error>> {
    const distinct = [...new Map(sources.map((s) => [sourceKey(s), s])).values()];
    const results = new Map<string, TerraformOutputSet | Error>();
    let next = 0;
    const worker = async () => {
        while (next < distinct.length) {
            const source = distinct[next++];
            try {
                results.set(sourceKey(source), await readTerraformOutputs(source, { credentials: terraformCredentials(config) }));
            } catch (e) {
                results.set(sourceKey(source), e as Error);
            }
        }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENT_READS, distinct.length) }, worker));
    return results;
}
