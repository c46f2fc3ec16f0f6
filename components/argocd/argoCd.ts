/**
 * ArgoCd: the upstream argo-cd Helm chart (10.1.1, Argo CD v3.4.4, unless another exact version or a
 * local chart is given) in its own namespace, hardened: no anonymous access, admin off unless a
 * password hash is given, OIDC client secret by Secret reference, read-only default RBAC, exec off,
 * annotation tracking, TLS on the server, optional HA. In prod the namespace and the CRDs are
 * retained (and protected) so that deleting the stack cannot cascade into every Application.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AuditMetadata, auditAnnotations, auditLabels } from "../audit/auditMetadata";
import { ChartInputs } from "../helm/chartInputs";
import { chartTransforms } from "../helm/chartTransforms";
import { ArgoCdGitTrail, ArgoCdHighAvailability, ArgoCdNotifications, ArgoCdRbac, ArgoCdSso, argoCdValues } from "./values";

/** Where the chart comes from. */
export type ArgoCdChartSource =
    /** A Helm repository at an exact version. */
    | { repository: string; name: string; version: string }
    /** A local chart directory (offline end-to-end test). */
    | { path: string };

/** Arguments of {@link ArgoCd}. */
export interface ArgoCdArgs {
    /** Chart source. Required. */
    chart: ArgoCdChartSource;
    /** Namespace Argo CD runs in; created by this component. Required. */
    namespace: string;
    /**
     * Public host name.
     * @default - the chart's
     */
    domain?: string;
    /**
     * bcrypt hash of the admin password (a Pulumi secret); turns the admin user on.
     * @default - admin off
     */
    adminPasswordHash?: pulumi.Output<string>;
    /**
     * OIDC SSO.
     * @default - none
     */
    sso?: ArgoCdSso;
    /** RBAC. Required. */
    rbac: ArgoCdRbac;
    /** Notifications. Required. */
    notifications: ArgoCdNotifications;
    /** High availability. Required. */
    ha: ArgoCdHighAvailability;
    /**
     * Trusted signing keys and the source hydrator.
     * @default - no key trusted, no hydrator
     */
    gitTrail?: ArgoCdGitTrail;
    /**
     * IRSA role of the repo server.
     * @default - none
     */
    repoServerRoleArn?: pulumi.Input<string>;
    /**
     * Whether the chart installs Argo CD's CRDs; false when the argocd-crds stack does (ArgoCdCrds).
     * @default true
     */
    installCrds?: boolean;
    /**
     * Retain (and protect) the namespace and the CRDs on delete: set in prod.
     * @default false
     */
    retainOnDelete?: boolean;
    /** Audit metadata. Required. */
    audit: AuditMetadata;
}

/** Type token of the component. */
export const ARGOCD_TYPE = "gitops:platform:ArgoCd";

/** Argo CD installed from its Helm chart. */
export class ArgoCd extends pulumi.ComponentResource {
    /** Namespace Argo CD runs in. */
    readonly namespace: pulumi.Output<string>;
    /** The chart; Argo CD custom resources depend on it (CRDs and controllers first, deleted last). */
    readonly chart: k8s.helm.v4.Chart;
    /** Chart version installed, or `local` for a chart directory. */
    readonly chartVersion: string;

    constructor(name: string, args: ArgoCdArgs, opts?: pulumi.ComponentResourceOptions) {
        const values = argoCdValues({
            domain: args.domain,
            adminPasswordHash: args.adminPasswordHash,
            sso: args.sso,
            rbac: args.rbac,
            notifications: args.notifications,
            ha: args.ha,
            repoServerRoleArn: args.repoServerRoleArn,
            labels: auditLabels(args.audit),
            gitTrail: args.gitTrail,
            installCrds: args.installCrds,
        });
        // "./" keeps helm from reading a relative path as <repository>/<chart>.
        const source = "path" in args.chart ? { chart: localChartPath(args.chart.path) } : { chart: args.chart.name, version: args.chart.version, repositoryOpts: { repo: args.chart.repository } };
        const chartInputs: ChartInputs = { ...source, namespace: args.namespace, values };
        super(ARGOCD_TYPE, name, chartInputs, opts);
        const retain = args.retainOnDelete ?? false;
        const labels = auditLabels(args.audit);
        const ns = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            { metadata: { name: args.namespace, labels, annotations: auditAnnotations(args.audit) } },
            { parent: this, retainOnDelete: retain, protect: retain },
        );
        this.chartVersion = "path" in args.chart ? "local" : args.chart.version;
        // Provider 4.25 renders no chart hooks: argoCdValues turns off the argo-cd chart's one hook
        // (the Redis secret init) and ArgoCdRedisPassword makes that Secret (docs/adr-0002).
        this.chart = new k8s.helm.v4.Chart(
            name,
            { ...chartInputs, namespace: ns.metadata.name },
            {
                parent: this,
                dependsOn: [ns],
                // Protection is inherited by the chart's objects (CRDs included) and, unlike
                // retainOnDelete, is visible to the policy pack.
                protect: retain,
                transforms: chartTransforms({ labels, retainCrds: retain }),
            },
        );
        this.namespace = ns.metadata.name;
        this.registerOutputs({ namespace: this.namespace, chartVersion: this.chartVersion });
    }
}

function localChartPath(p: string): string {
    return p.startsWith("/") || p.startsWith("./") || p.startsWith("../") ? p : `./${p}`;
}
