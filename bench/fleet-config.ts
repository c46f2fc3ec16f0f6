/**
 * A generated fleet stack for the benches: the dev stack with N EKS clusters from one Terraform map
 * output, 40 add-ons Argo CD installs (the dev stack's plus generated ones) and 50 team applications
 * (40 across the clusters a label picks, 10 on the cluster Argo CD runs on).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT, readStackConfig, EngineConfig } from "../tools/plan/stack-file";
import { withOfflineTerraformSource } from "../tools/plan/terraform-override";

/** Add-ons Argo CD installs in the generated stack, and team applications. */
export const FLEET_ADDONS = 40;
export const FLEET_TEAM_APPS = 50;
const TEAMS = 5;
const REGIONS = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-2"];

/** Writes the map output (`terraform output -json` format) for `clusters` clusters; returns its path. */
export function writeFleetOutputs(dir: string, clusters: number): string {
    const value: Record<string, unknown> = {};
    for (let i = 1; i <= clusters; i++) {
        const name = `fleet-${String(i).padStart(4, "0")}`;
        const region = REGIONS[i % REGIONS.length];
        const account = String(100000000000 + (i % 7));
        value[name] = {
            cluster_name: `gitops-${name}`,
            cluster_endpoint: `https://${(i * 2654435761).toString(16).toUpperCase().padStart(32, "0").slice(-32)}.gr7.${region}.eks.amazonaws.com`,
            cluster_certificate_authority_data: Buffer.from(`-----BEGIN CERTIFICATE-----\nFAKE-${name}\n-----END CERTIFICATE-----\n`).toString("base64"),
            region,
            account_id: account,
            addon_role_arns: { "cert-manager": `arn:aws:iam::${account}:role/${name}-cert-manager` },
            labels: { tier: i % 2 === 0 ? "web" : "batch", region },
        };
    }
    const file = path.join(dir, `fleet-${clusters}.outputs.json`);
    fs.writeFileSync(file, JSON.stringify({ fleet_clusters: { sensitive: false, type: "dynamic", value } }));
    return file;
}

const pad = (i: number) => String(i).padStart(2, "0");

/** The stack config (as the engine hands it to the program) of the dev stack with the generated fleet. */
export function fleetStackConfig(projectRoot: string, outputsFile: string): EngineConfig {
    const base = withOfflineTerraformSource(projectRoot, readStackConfig(projectRoot, "dev")).stackConfig;
    const key = `${PROJECT}:platform`;
    const platform = JSON.parse(base.config[key]);
    const existing = (platform.addons as { name: string; installedBy?: string }[]).filter((a) => a.installedBy !== "pulumi").length;
    const generated = Array.from({ length: FLEET_ADDONS - existing }, (_, i) => ({
        name: `addon-${pad(i + 1)}`,
        repository: "jetstack",
        chart: `addon-${pad(i + 1)}`,
        version: `1.0.${i}`,
        namespace: `addon-${pad(i + 1)}`,
        values: { region: "{{.metadata.annotations.aws_region}}", replicas: 2 },
    }));
    platform.addons = [...platform.addons, ...generated];
    const addonProject = platform.gitops.projects.find((p: { name: string }) => p.name === "platform-addons");
    const addonNamespaces = (platform.addons as { namespace: string; installedBy?: string }[]).filter((a) => a.installedBy !== "pulumi").map((a) => a.namespace);
    addonProject.destinations = addonNamespaces.flatMap((namespace) => [{ namespace }, { namespace, cluster: "fleet-*" }]);
    const apps = Array.from({ length: FLEET_TEAM_APPS }, (_, i) => {
        const n = pad(i + 1);
        return {
            name: `app-${n}`,
            project: `team-${pad((i % TEAMS) + 1)}`,
            source: { repository: "gitops-platform", path: "charts/hello-service", revision: "v1.0.0", valueFiles: ["values-dev.yaml"] },
            destination: { namespace: `app-${n}` },
            ...(i < 40 ? { clusterSelector: { tier: i % 2 === 0 ? "web" : "batch" } } : {}),
            auditValues: true,
        };
    });
    for (let t = 1; t <= TEAMS; t++) {
        platform.gitops.projects.push({
            name: `team-${pad(t)}`,
            team: `team-${pad(t)}`,
            sourceRepos: ["gitops-platform"],
            destinations: apps.filter((a) => a.project === `team-${pad(t)}`).flatMap((a) => [{ namespace: a.destination.namespace }, { namespace: a.destination.namespace, cluster: "fleet-*" }]),
            clusterResourceWhitelist: [{ group: "", kind: "Namespace" }],
        });
    }
    platform.gitops.applications = [...platform.gitops.applications, ...apps];
    platform.fleet = [{ from: "map-output", source: { backend: "json", path: outputsFile }, output: "fleet_clusters" }];
    return { ...base, file: `(generated fleet of ${path.basename(outputsFile)})`, config: { ...base.config, [key]: JSON.stringify(platform) } };
}
