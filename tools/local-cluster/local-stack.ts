/**
 * The local stack's config for a run of the real engine: the committed `stacks/Pulumi.local.yaml`
 * (secrets, encryption salt and all) with the cluster pointed elsewhere, written to a file that
 * `pulumi --config-file` reads. The committed file stays the embedded default.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

type Platform = Record<string, unknown>;

/** Render every manifest to `dir`. */
export function renderingTo(dir: string): (platform: Platform) => void {
    return (platform) => {
        platform.cluster = { ...(platform.cluster as Platform), mode: "render", directory: dir };
    };
}

/**
 * Deploy to the local control plane through the `kubeconfig` secret, with this repository's charts
 * read by Argo CD from the loop's Git server at `gitUrl`, with the credentials the stack's
 * ExternalSecrets make from the loop's secrets store (loop-secrets.ts points the stack at it); or from
 * a `file://` repository, read without credentials: then no ExternalSecret and no store, and the
 * push credentials an existing Secret nobody makes (nothing is hydrated in such a loop).
 */
export function onLocalCluster(gitUrl: string): (platform: Platform) => void {
    return (platform) => {
        platform.cluster = { mode: "kubeconfig" };
        const repos = (platform.gitops as { repositories: { name: string; url?: string; credentials?: unknown; writeCredentials?: unknown }[] }).repositories;
        const own = repos.find((r) => r.name === "gitops-platform");
        if (!own) throw new Error("stacks/Pulumi.local.yaml declares no repository gitops-platform");
        own.url = gitUrl;
        if (gitUrl.startsWith("file://")) {
            delete own.credentials;
            own.writeCredentials = { existingSecret: "gitops-platform-write" };
            delete platform.secrets;
        }
    };
}

/**
 * Writes the local stack's file with `change` applied to its platform config, starting from the
 * committed file or from `source` (a file written before, whose secrets it keeps).
 */
export function writeLocalStackFile(projectRoot: string, file: string, change: (platform: Platform) => void, source = path.join(projectRoot, "stacks", "Pulumi.local.yaml")): void {
    const doc = YAML.parseDocument(fs.readFileSync(source, "utf8"));
    const platform = (doc.getIn(["config", "gitops-platform:platform"], false) as YAML.YAMLMap).toJSON() as Platform;
    change(platform);
    doc.setIn(["config", "gitops-platform:platform"], doc.createNode(platform));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(`${file}.tmp`, doc.toString());
    fs.renameSync(`${file}.tmp`, file);
}

/** `fleet-01`, `fleet-02`, ...: the names the local fleet's clusters and their kubeconfig contexts get. */
export function fleetClusterNames(count: number): string[] {
    return Array.from({ length: count }, (_, i) => `fleet-${String(i + 1).padStart(2, "0")}`);
}

/**
 * The local stack on the local control plane (`onLocalCluster`) with the clusters `names` of a local
 * fleet registered from `fleetKubeconfig`, all labelled `labels` for a cluster generator, Argo CD
 * syncing straight from the branch (a commit is what it syncs), and team-hello allowed into
 * namespace hello on every fleet cluster.
 */
export function onLocalFleet(gitUrl: string, names: string[], labels: Record<string, string>): (platform: Platform) => void {
    return (platform) => {
        onLocalCluster(gitUrl)(platform);
        (platform.gitops as Platform).hydration = { enabled: false };
        // No add-on on the fleet: their charts are on the internet and would never sync here.
        platform.fleet = names.map((name) => ({ from: "kubeconfig", name, labels, addons: [] }));
        const project = (platform.gitops as { projects: { name: string; destinations: unknown[] }[] }).projects.find((p) => p.name === "team-hello");
        if (!project) throw new Error("stacks/Pulumi.local.yaml declares no project team-hello");
        project.destinations.push({ namespace: "hello", cluster: "fleet-*" });
    };
}
