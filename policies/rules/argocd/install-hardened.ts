import { ResourceValidationPolicy } from "@pulumi/policy";
import { flag, readConfig } from "../lib/config";
import { helmInstall, isArgoCdChart } from "../lib/helm";
import { getPath, isFalsy, isRecord, isTruthy } from "../lib/types";

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

/**
 * The Argo CD installation is hardened: no anonymous access, no local admin outside local, no exec, no plain-HTTP
 * server, an RBAC default that is not admin, and an audit sink (notifications with a notifier, or another sink).
 *
 * Severity: critical. Topics: argocd, hardening, audit.
 * Link: https://argo-cd.readthedocs.io/en/stable/operator-manual/security/
 */
export const argocdInstallHardened: ResourceValidationPolicy = {
    name: "argocd-install-hardened",
    description: "The argo-cd chart disables anonymous access, admin (outside local), exec and server.insecure, keeps RBAC default below admin and configures an audit sink.",
    severity: "critical",
    tags: ["argocd", "hardening", "audit"],
    url: "https://argo-cd.readthedocs.io/en/stable/operator-manual/security/",
    remediationSteps:
        "In the argo-cd chart values set configs.cm['users.anonymous.enabled']=false, configs.cm['admin.enabled']=false " +
        "(SSO instead), configs.cm['exec.enabled']=false, configs.params['server.insecure']=false, configs.rbac['policy.default'] " +
        "to role:readonly or empty, and notifications.enabled=true with a notifier (notifications.notifiers['service.*']).",
    configSchema: {
        properties: {
            allowAdmin: flag("Allow the local admin user.", defaults.allowAdmin),
            requireAuditSink: flag("Require an audit sink.", defaults.requireAuditSink),
            externalAuditSink: { type: "string", default: "", description: "Audit sink configured outside the chart." },
        },
    },
    validateResource: (args, reportViolation) => {
        const install = helmInstall(args.type, args.props as Record<string, unknown>);
        if (!install || !isArgoCdChart(install)) {
            return;
        }
        const config = readConfig(defaults, args.getConfig<Partial<InstallHardenedConfig>>());
        const v = install.values;
        const cm = (key: string) => getPath(v, ["configs", "cm", key]);
        const problems: string[] = [];
        if (isTruthy(cm("users.anonymous.enabled"))) problems.push('values.configs.cm["users.anonymous.enabled"] is true');
        // The chart enables admin by default, so outside local it must be switched off explicitly.
        if (!config.allowAdmin && !isFalsy(cm("admin.enabled"))) problems.push('values.configs.cm["admin.enabled"] is not false');
        if (isTruthy(cm("exec.enabled"))) problems.push('values.configs.cm["exec.enabled"] is true');
        if (isTruthy(getPath(v, ["configs", "params", "server.insecure"]))) problems.push('values.configs.params["server.insecure"] is true');
        const rbacDefault = getPath(v, ["configs", "rbac", "policy.default"]);
        if (typeof rbacDefault === "string" && rbacDefault.trim() === "role:admin") problems.push('values.configs.rbac["policy.default"] is role:admin');
        if (config.requireAuditSink && config.externalAuditSink === "") {
            const notifiers = getPath(v, ["notifications", "notifiers"]);
            const hasNotifier = isRecord(notifiers) && Object.keys(notifiers).some(k => k.startsWith("service."));
            if (isFalsy(getPath(v, ["notifications", "enabled"])) || !hasNotifier) {
                problems.push("no audit sink: values.notifications is disabled or has no notifiers['service.*'] (or set externalAuditSink in the policy config)");
            }
        }
        if (problems.length > 0) {
            reportViolation(problems.join("; "));
        }
    },
};
