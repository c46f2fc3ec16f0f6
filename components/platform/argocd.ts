/**
 * Step 4: Argo CD on the cluster it runs on, after the bootstrap add-ons (External Secrets Operator)
 * its repository credentials need, and the Gateway in front of it. Everything declared later waits
 * for both (`after`).
 */
import type * as pulumi from "@pulumi/pulumi";
import { BootstrapAddon } from "../addons/bootstrapAddon";
import { adminPasswordHash } from "../argocd/adminPassword";
import { ArgoCd, ArgoCdChartSource } from "../argocd/argoCd";
import { ArgoCdGateway } from "../argocd/argoCdGateway";
import { ArgoCdRedisPassword } from "../argocd/redisPassword";
import type { PlatformAwsResources } from "../aws/platformAwsResources";
import type { KubernetesCluster } from "../cluster/kubernetesCluster";
import { DEFAULT_ARGOCD_CHART, isHydrated } from "../../stacks/schema";
import type { ArgoCdGitTrail } from "../argocd/values";
import type { PlatformContext, StepOptions } from "./context";
import type { RegisteredCluster } from "./registeredCluster";

/** Argo CD and what it was installed with. */
export interface ArgoCdInstall {
    argocd: ArgoCd;
    bootstrapAddons: BootstrapAddon[];
    /** Options of everything that needs Argo CD's CRDs and controllers: on teardown it goes first. */
    after: StepOptions;
    /** `after`, waiting for `resources` too (the secret store, the hub's registration, the projects). */
    alsoAfter(...resources: pulumi.Resource[]): StepOptions;
}

/** Installs the bootstrap add-ons, Argo CD and (for the upstream chart) its Redis password. */
export function installArgoCd(ctx: PlatformContext, cluster: KubernetesCluster, hub: RegisteredCluster, aws: PlatformAwsResources | undefined): ArgoCdInstall {
    const { platform, config, audit } = ctx;
    const k8sOpts = { provider: cluster.provider };
    const bootstrapAddons = platform.addons
        .filter((a) => a.enabled && a.installedBy === "pulumi")
        .map(
            (addon) =>
                new BootstrapAddon(
                    `addon-${addon.name}`,
                    {
                        addon: addon.name,
                        repositoryUrl: ctx.repositories.named(addon.repository).url,
                        chart: addon.chart,
                        version: addon.version,
                        namespace: addon.namespace,
                        values: addon.values,
                        clusterAnnotations: hub.annotations,
                        retainCrds: ctx.isProd,
                        audit,
                    },
                    k8sOpts,
                ),
        );
    const chart = argoCdChart(ctx);
    const argocd = new ArgoCd(
        "argocd",
        {
            chart,
            namespace: ctx.argocdNamespace,
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
            repoServerRoleArn: aws?.roleArns["argocd-repo-server"],
            gitTrail: gitTrail(ctx),
            installCrds: platform.argocd.crds.installedBy === "chart",
            retainOnDelete: ctx.isProd,
            audit,
        },
        // Protection on the component reaches every object of the chart, and the policy pack sees it.
        { ...k8sOpts, protect: ctx.isProd },
    );
    const after: StepOptions = { ...k8sOpts, dependsOn: [argocd, ...bootstrapAddons] };
    if (!("path" in chart)) {
        // The chart's Redis secret hook does not run under Pulumi; the config rules ensure ESO is installed.
        new ArgoCdRedisPassword("argocd-redis", { argocdNamespace: ctx.argocdNamespace, audit }, after);
    }
    const gateway = platform.argocd.gateway;
    if (gateway && platform.argocd.domain) {
        new ArgoCdGateway(
            "argocd-gateway",
            { hostname: platform.argocd.domain, className: gateway.className, infrastructureAnnotations: gateway.infrastructureAnnotations, argocdNamespace: ctx.argocdNamespace, audit },
            after,
        );
    }
    // Argo CD, then what else to wait for, then the bootstrap add-ons: the order the plan records.
    const alsoAfter = (...resources: pulumi.Resource[]): StepOptions => ({ ...after, dependsOn: [argocd, ...resources, ...bootstrapAddons] });
    return { argocd, bootstrapAddons, after, alsoAfter };
}

function argoCdChart(ctx: PlatformContext): ArgoCdChartSource {
    const chart = ctx.platform.argocd.chart;
    return chart.path
        ? { path: chart.path }
        : {
              repository: chart.repository ?? DEFAULT_ARGOCD_CHART.repository,
              name: chart.name ?? DEFAULT_ARGOCD_CHART.name,
              version: chart.version ?? DEFAULT_ARGOCD_CHART.version,
          };
}

/** The keys Argo CD trusts, and the hydrator when an application is hydrated. */
function gitTrail(ctx: PlatformContext): ArgoCdGitTrail {
    const hydrator = ctx.platform.gitops.applications.some((app) => isHydrated(ctx.platform, app));
    return {
        trustedKeys: ctx.signingKeys.map((k) => ({ keyId: k.keyId, armored: k.armored })),
        hydrator,
        signHydratedCommits: ctx.platform.gitops.hydration.signingKey !== undefined,
    };
}
