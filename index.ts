/**
 * Composition root of the GitOps platform: read and validate the stack config, read the Terraform
 * foundation's outputs (both fail before any resource is registered), build the components, and
 * return the stack outputs. The module is the function: Pulumi's Node.js runner calls a CommonJS
 * module's export only when it is itself a function, and uses its result as the stack outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { BootstrapAddon } from "./components/addons/bootstrapAddon";
import { adminPasswordHash } from "./components/argocd/adminPassword";
import { ArgoCd, ArgoCdChartSource } from "./components/argocd/argoCd";
import { ArgoCdGateway } from "./components/argocd/argoCdGateway";
import { ArgoCdRedisPassword } from "./components/argocd/redisPassword";
import { AuditMetadata } from "./components/audit/auditMetadata";
import { PlatformAwsResources } from "./components/aws/platformAwsResources";
import { KubernetesCluster } from "./components/cluster/kubernetesCluster";
import { AddonApplicationSet } from "./components/gitops/addonApplicationSet";
import { TeamApplication } from "./components/gitops/application";
import { TeamProject } from "./components/gitops/appProject";
import { ClusterRegistration } from "./components/gitops/clusterRegistration";
import { OciHelmRepository } from "./components/gitops/ociRepository";
import { NotificationsSecret, RepositoryCredential, SecretsManagerStore } from "./components/gitops/repositoryCredentials";
import { ChartRepository } from "./components/gitops/repositoryUrl";
import { describeSource, readTerraformOutputs, requireOutputs, TerraformOutputs } from "./components/terraform";
import { REQUIRED_TERRAFORM_OUTPUTS } from "./stacks/foundationOutputs";
import { DEFAULT_ARGOCD_CHART, PlatformConfig } from "./stacks/schema";
import { loadStackConfig } from "./stacks/load";

async function main(): Promise<Record<string, unknown>> {
    const config = loadStackConfig();
    const platform = config.platform;
    const source = platform.terraform.source;
    const tfOutputs = await readTerraformOutputs(source, {
        credentials: { token: config.secrets.terraformToken, password: config.secrets.terraformHttpPassword },
    });
    const tf = requireOutputs(tfOutputs, REQUIRED_TERRAFORM_OUTPUTS, describeSource(source));
    new TerraformOutputs("foundation", { source: describeSource(source), outputs: tfOutputs, required: REQUIRED_TERRAFORM_OUTPUTS });

    const audit: AuditMetadata = { stack: config.stack, project: platform.audit.project, owner: platform.audit.owner, gitCommit: config.gitCommit };
    const region = tf.region.value;
    const isProd = platform.environment === "prod";

    // Paths stay relative to the project, where Pulumi runs the program and its plugins: an absolute
    // path would differ per checkout and replace the provider or the chart.
    const cluster = new KubernetesCluster("cluster", {
        connection:
            platform.cluster.mode === "render"
                ? { kind: "render", directory: platform.cluster.directory }
                : platform.cluster.mode === "kubeconfig"
                  ? { kind: "kubeconfig", kubeconfig: config.secrets.kubeconfig as pulumi.Output<string>, context: platform.cluster.context }
                  : {
                        kind: "eks",
                        clusterName: tf.cluster_name.value,
                        endpoint: tf.cluster_endpoint.value,
                        certificateAuthorityData: tf.cluster_certificate_authority_data.value,
                        region: platform.cluster.region ?? region,
                        roleArn: platform.cluster.roleArn,
                        profile: platform.cluster.profile,
                    },
    });
    const k8sOpts = { provider: cluster.provider };

    const argocdNamespace = platform.argocd.namespace;
    const repositories = chartRepositories(platform, tf.account_id.value, region);
    const awsResources = platform.aws.enabled
        ? new PlatformAwsResources("aws", {
              region: platform.aws.region ?? region,
              oidcProviderArn: tf.oidc_provider_arn.value,
              ecr: platform.aws.ecr,
              secrets: secretContainers(platform, config.stack),
              externalSecretsServiceAccount: { namespace: platform.aws.externalSecretsServiceAccount.namespace, name: platform.aws.externalSecretsServiceAccount.serviceAccount },
              repoServerServiceAccount: { namespace: argocdNamespace, name: platform.aws.repoServerServiceAccount },
              audit,
          })
        : undefined;

    // Terraform's facts for the cluster Secret; roles Pulumi makes replace Terraform's of the same name.
    const roleArns: Record<string, pulumi.Input<string>> = { ...tf.addon_role_arns.value, ...(awsResources?.roleArns ?? {}) };
    const clusterAnnotations: Record<string, pulumi.Input<string>> = {
        aws_cluster_name: tf.cluster_name.value,
        aws_region: region,
        aws_account_id: tf.account_id.value,
        aws_vpc_id: tf.vpc_id.value,
        aws_private_subnet_ids: tf.private_subnet_ids.value.join(","),
        environment: platform.environment,
        // The cluster's Kubernetes version, for add-on values and the policy pack's API checks.
        ...(tfOutputs.cluster_version ? { kubernetes_version: String(tfOutputs.cluster_version.value) } : {}),
        ...Object.fromEntries(Object.entries(roleArns).map(([k, v]) => [`${k.replace(/-/g, "_")}_iam_role_arn`, v])),
    };

    // Bootstrap add-ons (External Secrets Operator) come first: Argo CD's repository credentials need them.
    const bootstrapAddons = platform.addons
        .filter((a) => a.enabled && a.installedBy === "pulumi")
        .map(
            (addon) =>
                new BootstrapAddon(
                    `addon-${addon.name}`,
                    {
                        addon: addon.name,
                        repositoryUrl: repositoryNamed(repositories, addon.repository).url,
                        chart: addon.chart,
                        version: addon.version,
                        namespace: addon.namespace,
                        values: addon.values,
                        clusterAnnotations,
                        retainCrds: isProd,
                        audit,
                    },
                    k8sOpts,
                ),
        );

    const chart: ArgoCdChartSource = platform.argocd.chart.path
        ? { path: platform.argocd.chart.path }
        : {
              repository: platform.argocd.chart.repository ?? DEFAULT_ARGOCD_CHART.repository,
              name: platform.argocd.chart.name ?? DEFAULT_ARGOCD_CHART.name,
              version: platform.argocd.chart.version ?? DEFAULT_ARGOCD_CHART.version,
          };
    const argocd = new ArgoCd(
        "argocd",
        {
            chart,
            namespace: argocdNamespace,
            domain: platform.argocd.domain,
            // Rendered YAML cannot hold a secret: rendering, Argo CD makes its own initial admin password.
            adminPasswordHash:
                platform.argocd.admin.enabled && config.secrets.argocdAdminPassword && platform.cluster.mode !== "render"
                    ? adminPasswordHash(config.secrets.argocdAdminPassword, config.stack)
                    : undefined,
            sso: platform.argocd.sso,
            rbac: platform.argocd.rbac,
            notifications: platform.argocd.notifications,
            ha: platform.argocd.ha,
            repoServerRoleArn: awsResources?.roleArns["argocd-repo-server"],
            retainOnDelete: isProd,
            audit,
        },
        // Protection on the component reaches every object of the chart, and the policy pack sees it.
        { ...k8sOpts, protect: isProd },
    );
    // Custom resources after the CRDs and controllers exist; on teardown they go before Argo CD.
    const afterArgoCd = { ...k8sOpts, dependsOn: [argocd, ...bootstrapAddons] };
    if (!("path" in chart)) {
        // The chart's Redis secret hook does not run under Pulumi; the config rules ensure ESO is installed.
        new ArgoCdRedisPassword("argocd-redis", { argocdNamespace, audit }, afterArgoCd);
    }
    if (platform.argocd.gateway && platform.argocd.domain) {
        const gw = platform.argocd.gateway;
        new ArgoCdGateway("argocd-gateway", { hostname: platform.argocd.domain, className: gw.className, infrastructureAnnotations: gw.infrastructureAnnotations, argocdNamespace, audit }, afterArgoCd);
    }
    // Argo CD reads a public OCI registry's charts only through a repository Secret saying enableOCI.
    for (const repo of repositories.filter((r) => r.type === "oci" && !platform.gitops.repositories.find((c) => c.name === r.name)?.credentials)) {
        new OciHelmRepository(`repo-${repo.name}`, { repository: repo, argocdNamespace, audit }, afterArgoCd);
    }

    if (awsResources) {
        const store = new SecretsManagerStore(
            "secrets-manager",
            {
                region,
                serviceAccount: { namespace: platform.aws.externalSecretsServiceAccount.namespace, name: platform.aws.externalSecretsServiceAccount.serviceAccount },
                namespaces: [argocdNamespace],
                audit,
            },
            afterArgoCd,
        );
        const afterStore = { ...k8sOpts, dependsOn: [argocd, store, ...bootstrapAddons] };
        for (const repo of platform.gitops.repositories) {
            const creds = repo.credentials;
            if (!creds || creds.existingSecret) continue;
            new RepositoryCredential(
                `repo-${repo.name}`,
                {
                    repository: repositoryNamed(repositories, repo.name),
                    source: creds.ecrAuthorizationToken
                        ? { kind: "ecrToken", region, serviceAccount: platform.aws.repoServerServiceAccount }
                        : { kind: "secretsManager", secretName: repositorySecretName(platform, config.stack, repo.name, creds.externalSecret?.secretsManagerName) },
                    argocdNamespace,
                    audit,
                },
                afterStore,
            );
        }
        if (platform.argocd.notifications.secretsManagerName) {
            new NotificationsSecret("notifications-secret", { secretName: platform.argocd.notifications.secretsManagerName, argocdNamespace, audit }, afterStore);
        }
    }

    const registration = new ClusterRegistration(
        "cluster-registration",
        {
            clusterName: platform.cluster.name,
            environment: platform.environment,
            enabledAddons: platform.addons.filter((a) => a.enabled).map((a) => a.name),
            annotations: clusterAnnotations,
            labels: platform.cluster.labels,
            argocdNamespace,
            audit,
        },
        afterArgoCd,
    );

    const projects = platform.gitops.projects.map(
        (project) =>
            new TeamProject(
                `project-${project.name}`,
                {
                    name: project.name,
                    team: project.team,
                    description: project.description,
                    sourceRepos: project.sourceRepos.map((r) => repositoryNamed(repositories, r)),
                    destinations: project.destinations,
                    clusterResourceWhitelist: project.clusterResourceWhitelist,
                    argocdNamespace,
                    audit,
                },
                afterArgoCd,
            ),
    );
    const afterProjects = { ...k8sOpts, dependsOn: [argocd, registration, ...projects, ...bootstrapAddons] };
    const teamOf = new Map(platform.gitops.projects.map((p) => [p.name, p.team]));

    for (const app of platform.gitops.applications) {
        const repo = repositoryNamed(repositories, app.source.repository);
        new TeamApplication(
            `app-${app.name}`,
            {
                name: app.name,
                project: app.project,
                team: teamOf.get(app.project) ?? platform.audit.owner,
                source:
                    repo.type === "git"
                        ? { repository: repo, path: app.source.path as string, revision: app.source.revision as string, valueFiles: app.source.valueFiles }
                        : { repository: repo, chart: app.source.chart as string, version: app.source.version as string, valueFiles: app.source.valueFiles },
                destination: app.destination,
                values: app.values,
                auditValues: app.auditValues,
                syncWave: app.syncWave,
                retry: app.retry,
                labels: platform.gitops.labels,
                argocdNamespace,
                audit,
            },
            afterProjects,
        );
    }

    for (const addon of platform.addons.filter((a) => a.enabled && a.installedBy === "argocd")) {
        new AddonApplicationSet(
            `addonset-${addon.name}`,
            {
                addon: addon.name,
                project: addon.project,
                source: { repository: repositoryNamed(repositories, addon.repository), chart: addon.chart, version: addon.version },
                namespace: addon.namespace,
                values: addon.values,
                clusterAnnotationKeys: Object.keys(clusterAnnotations),
                syncWave: addon.syncWave,
                matchLabels: { environment: platform.environment },
                argocdNamespace,
                audit,
            },
            afterProjects,
        );
    }

    return {
        environment: platform.environment,
        argocdNamespace: argocd.namespace,
        argocdChartVersion: argocd.chartVersion,
        clusterName: registration.clusterName,
        gitCommit: config.gitCommit,
        ...(platform.cluster.mode === "render" ? { renderedManifestsDirectory: platform.cluster.directory } : {}),
        ...(awsResources ? { chartRepositoryArns: awsResources.chartRepositoryArns } : {}),
    };
}

/** Declared repositories with their URL resolved (an `ecr: true` repository points at this account's registry). */
function chartRepositories(platform: PlatformConfig, accountId: string, region: string): ChartRepository[] {
    return platform.gitops.repositories.map((r) => ({
        name: r.name,
        type: r.type,
        url: r.ecr ? `oci://${accountId}.dkr.ecr.${region}.amazonaws.com/${platform.aws.ecr.namespace}` : (r.url as string),
    }));
}

function repositoryNamed(repositories: ChartRepository[], name: string): ChartRepository {
    const repo = repositories.find((r) => r.name === name);
    // The config rules have already checked every reference; this guards programming mistakes.
    if (!repo) throw new Error(`internal: repository ${JSON.stringify(name)} is not declared`);
    return repo;
}

/** The Secrets Manager name of a repository's credentials: as configured, else under the stack's prefix. */
function repositorySecretName(platform: PlatformConfig, stack: string, repo: string, explicit?: string): string {
    return explicit ?? `${platform.aws.secretsManagerPrefix ?? `gitops-platform/${stack}/`}repositories/${repo}`;
}

/** The empty Secrets Manager containers a stack needs: repository credentials and notification tokens. */
function secretContainers(platform: PlatformConfig, stack: string): { name: string; description: string }[] {
    return [
        ...platform.gitops.repositories
            .filter((r) => r.credentials?.externalSecret)
            .map((r) => ({
                name: repositorySecretName(platform, stack, r.name, r.credentials?.externalSecret?.secretsManagerName),
                description: `Argo CD credentials (JSON username/password) for repository ${r.name}`,
            })),
        ...(platform.argocd.notifications.secretsManagerName
            ? [{ name: platform.argocd.notifications.secretsManagerName, description: "Argo CD notification tokens (JSON, keys as in argocd-notifications-secret)" }]
            : []),
    ];
}

export = main;
