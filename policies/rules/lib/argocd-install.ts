/**
 * Argo CD's installation settings as the objects Argo CD reads them from, wherever the pack meets them:
 * - the objects themselves (`argocd-cm`, `argocd-cmd-params-cm`, `argocd-rbac-cm`, `argocd-notifications-cm`,
 *   `argocd-secret`, the `argocd-server` Deployment), as a helm v4 Chart, a ConfigGroup or ConfigFile of the
 *   install manifests, or a plain resource registers them: what reaches the cluster;
 * - the argo-cd chart's values (`configs.cm`, `configs.params`, `configs.rbac`, `configs.secret`, `notifications`,
 *   `server.extraArgs`) on a component or a Release, read as the objects the chart renders from them: the early
 *   signal where the objects are not rendered (the offline plan, a Release).
 * Both become the same settings, so a rule finds the same problem in the same words either way.
 */
import { getPath, isRecord } from "./types";
import { helmInstall, isArgoCdChart } from "./helm";
import { podSpec } from "./workloads";

/** The objects Argo CD reads its settings from; their names are fixed by Argo CD. */
export const argoCdSettingsObjects = {
    cm: "argocd-cm",
    params: "argocd-cmd-params-cm",
    rbac: "argocd-rbac-cm",
    notifications: "argocd-notifications-cm",
    secret: "argocd-secret",
} as const;

/** The Deployment whose flags turn the API server's TLS off (`--insecure`). */
export const argoCdServerDeployment = "argocd-server";

/** One settings object: its name and its keys (a Secret's data decoded). */
export interface ArgoCdSettings {
    /** `argocd-cm`, `argocd-cmd-params-cm`, ... */
    object: string;
    /** The object's data as Argo CD reads it. */
    data: Record<string, unknown>;
}

/** What one resource says about an Argo CD installation. */
export interface ArgoCdInstallView {
    /** Settings objects the resource is, or renders. */
    settings: ArgoCdSettings[];
    /** Flags of the `argocd-server` container, when the resource is or sets them. */
    serverArgs?: string[];
    /** True when read from chart values (the chart renders the objects), false for the objects themselves. */
    fromValues: boolean;
}

const settingsNames: ReadonlySet<string> = new Set(Object.values(argoCdSettingsObjects));

/** The chart's values as the settings objects it renders. */
function fromValues(values: Record<string, unknown>): ArgoCdInstallView {
    const section = (key: string): Record<string, unknown> => {
        const v = getPath(values, ["configs", key]);
        return isRecord(v) ? v : {};
    };
    const notifications = isRecord(values.notifications) ? values.notifications : {};
    // The chart renders notifiers only when notifications are on (its default).
    const notifiers = notifications.enabled === false || notifications.enabled === "false" ? {} : isRecord(notifications.notifiers) ? notifications.notifiers : {};
    const secret = section("secret");
    const secretData: Record<string, unknown> = {};
    if (secret.argocdServerAdminPassword !== undefined) secretData["admin.password"] = secret.argocdServerAdminPassword;
    const extraArgs = getPath(values, ["server", "extraArgs"]);
    return {
        settings: [
            { object: argoCdSettingsObjects.cm, data: section("cm") },
            { object: argoCdSettingsObjects.params, data: section("params") },
            { object: argoCdSettingsObjects.rbac, data: section("rbac") },
            { object: argoCdSettingsObjects.notifications, data: notifiers },
            { object: argoCdSettingsObjects.secret, data: secretData },
        ],
        serverArgs: Array.isArray(extraArgs) ? extraArgs.filter((a): a is string => typeof a === "string") : [],
        fromValues: true,
    };
}

/** A Secret's `data` (base64) and `stringData`, decoded. */
function secretData(props: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (isRecord(props.data)) {
        for (const [k, v] of Object.entries(props.data)) out[k] = typeof v === "string" ? Buffer.from(v, "base64").toString("utf8") : v;
    }
    if (isRecord(props.stringData)) Object.assign(out, props.stringData);
    return out;
}

/** The flags of the `argocd-server` container (command and args). */
function serverFlags(props: Record<string, unknown>): string[] {
    const pod = podSpec("kubernetes:apps/v1:Deployment", props);
    const list = Array.isArray(pod?.spec.containers) ? pod.spec.containers.filter(isRecord) : [];
    const server = list.find((c) => c.name === argoCdServerDeployment) ?? list[0];
    if (!server) return [];
    return [server.command, server.args].flatMap((v) => (Array.isArray(v) ? v.filter((a): a is string => typeof a === "string") : []));
}

/**
 * What a resource says about an Argo CD installation: the settings objects it is (by their fixed names), the
 * server's flags, or the objects an argo-cd chart renders from its values. Undefined for anything else.
 */
export function argoCdInstallView(type: string, props: Record<string, unknown>): ArgoCdInstallView | undefined {
    const install = helmInstall(type, props);
    if (install) return isArgoCdChart(install) ? fromValues(install.values) : undefined;
    const name = getPath(props, ["metadata", "name"]);
    if (typeof name !== "string") return undefined;
    if (type === "kubernetes:core/v1:ConfigMap" && settingsNames.has(name) && name !== argoCdSettingsObjects.secret) {
        return { settings: [{ object: name, data: isRecord(props.data) ? props.data : {} }], fromValues: false };
    }
    if (type === "kubernetes:core/v1:Secret" && name === argoCdSettingsObjects.secret) {
        return { settings: [{ object: name, data: secretData(props) }], fromValues: false };
    }
    if (type === "kubernetes:apps/v1:Deployment" && name === argoCdServerDeployment) {
        return { settings: [], serverArgs: serverFlags(props), fromValues: false };
    }
    return undefined;
}

/** The keys of one settings object, if the view has it. */
export function settingsOf(view: ArgoCdInstallView, object: string): Record<string, unknown> | undefined {
    return view.settings.find((s) => s.object === object)?.data;
}
