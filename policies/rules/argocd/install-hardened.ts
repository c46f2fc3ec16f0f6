import { ResourceValidationPolicy } from "@pulumi/policy";
import { flag, readConfig } from "../lib/config";
import { argoCdInstallView, argoCdSettingsObjects, ArgoCdInstallView, settingsOf } from "../lib/argocd-install";
import { withProvenance } from "../lib/provenance";
import { isFalsy, isTruthy } from "../lib/types";

/** Knobs of {@link argocdInstallHardened}. */
export interface InstallHardenedConfig {
    /** Allow the local admin user (local stack only); default false. */
    allowAdmin: boolean;
    /** Require notifications with a notifier, or another audit sink; default true. */
    requireAuditSink: boolean;
    /** Name of an audit sink configured outside the chart (e.g. `cloudwatch-logs`); default none. */
    externalAuditSink: string;
}

const defaults: InstallHardenedConfig = { allowAdmin: false, requireAuditSink: true, externalAuditSink: "" };

/** The hardening problems of what a resource says about the installation, in Argo CD's own terms. */
export function hardeningProblems(view: ArgoCdInstallView, config: InstallHardenedConfig): string[] {
    const problems: string[] = [];
    const { cm, params, rbac, notifications } = argoCdSettingsObjects;
    const argocdCm = settingsOf(view, cm);
    if (argocdCm) {
        if (isTruthy(argocdCm["users.anonymous.enabled"])) problems.push(`${cm}["users.anonymous.enabled"] is true (anonymous access)`);
        // Argo CD (and the chart) enable admin by default, so outside local it must be switched off explicitly.
        if (!config.allowAdmin && !isFalsy(argocdCm["admin.enabled"])) problems.push(`${cm}["admin.enabled"] is not false (local admin user)`);
        if (isTruthy(argocdCm["exec.enabled"])) problems.push(`${cm}["exec.enabled"] is true (exec into pods)`);
    }
    if (isTruthy(settingsOf(view, params)?.["server.insecure"])) problems.push(`${params}["server.insecure"] is true (plain-HTTP server)`);
    if (view.serverArgs?.some((a) => a === "--insecure" || a === "--insecure=true")) problems.push("argocd-server runs with --insecure (plain-HTTP server)");
    const rbacDefault = settingsOf(view, rbac)?.["policy.default"];
    if (typeof rbacDefault === "string" && rbacDefault.trim() === "role:admin") problems.push(`${rbac}["policy.default"] is role:admin`);
    const notifiers = settingsOf(view, notifications);
    if (notifiers && config.requireAuditSink && config.externalAuditSink === "" && !Object.keys(notifiers).some((k) => k.startsWith("service."))) {
        problems.push(`no audit sink: ${notifications} has no notifier (service.*) (or set externalAuditSink in the policy config)`);
    }
    return problems;
}

/**
 * The Argo CD installation is hardened: no anonymous access, no local admin outside local, no exec, no plain-HTTP
 * server, an RBAC default that is not admin, and an audit sink (notifications with a notifier, or another sink).
 * Judged on the objects that carry these settings wherever they come from (a Chart's rendered `argocd-cm`, a
 * ConfigGroup of the install manifests, a plain ConfigMap, the `argocd-server` Deployment's flags), and on the
 * argo-cd chart's values where the objects are not rendered (a component's chart inputs, a Release): the same
 * problem in the same words either way (lib/argocd-install.ts).
 *
 * Judges: kubernetes:core/v1:ConfigMap argocd-cm, argocd-cmd-params-cm, argocd-rbac-cm, argocd-notifications-cm, kubernetes:apps/v1:Deployment argocd-server, the argo-cd chart's values on gitops:platform:ArgoCd, gitops:platform:BootstrapAddon, kubernetes:helm.sh/v3:Release.
 * Severity: critical. Topics: argocd, hardening, audit.
 * Link: https://argo-cd.readthedocs.io/en/stable/operator-manual/security/
 */
export const argocdInstallHardened: ResourceValidationPolicy = {
    name: "argocd-install-hardened",
    description: "Argo CD's settings (argocd-cm, argocd-cmd-params-cm, argocd-rbac-cm, argocd-notifications-cm, the server's flags, or the argo-cd chart values that render them) disable anonymous access, admin (outside local), exec and the plain-HTTP server, keep the RBAC default below admin and configure an audit sink.",
    severity: "critical",
    tags: ["argocd", "hardening", "audit"],
    url: "https://argo-cd.readthedocs.io/en/stable/operator-manual/security/",
    remediationSteps:
        "In the argo-cd chart values (or the objects themselves) set configs.cm['users.anonymous.enabled']=false, configs.cm['admin.enabled']=false " +
        "(SSO instead), configs.cm['exec.enabled']=false, configs.params['server.insecure']=false (and no --insecure flag), configs.rbac['policy.default'] " +
        "to role:readonly or empty, and notifications.enabled=true with a notifier (notifications.notifiers['service.*']).",
    configSchema: {
        properties: {
            allowAdmin: flag("Allow the local admin user.", defaults.allowAdmin),
            requireAuditSink: flag("Require an audit sink.", defaults.requireAuditSink),
            externalAuditSink: { type: "string", default: "", description: "Audit sink configured outside the chart." },
        },
    },
    validateResource: (args, reportViolation) => {
        const props = args.props as Record<string, unknown>;
        const view = argoCdInstallView(args.type, props);
        if (!view) {
            return;
        }
        const problems = hardeningProblems(view, readConfig(defaults, args.getConfig<Partial<InstallHardenedConfig>>()));
        if (problems.length > 0) {
            reportViolation(withProvenance(problems, { ...args, props }, view.fromValues ? "the argo-cd chart values" : undefined));
        }
    },
};
