/**
 * Reads Argo CD's Applications from a cluster with kubectl, as `kubectl get applications.argoproj.io
 * -o json` gives them. An environment of another stack may live on another cluster: its own
 * kubeconfig, else the hub's.
 */
import { execFile } from "child_process";
import { PromotionRefused, type ApplicationReader, type ApplicationSyncer, type ArgoApplication } from "./model";

export interface ClusterOptions {
    /** The kubectl binary (the pinned `.tools/bin/kubectl` where it is installed). */
    binary: string;
    /** The hub's kubeconfig. */
    kubeconfig: string;
    /** Kubeconfigs of environments on other clusters, by environment name. Default: none. */
    environmentKubeconfigs?: Record<string, string>;
    /** Where Argo CD keeps its Applications. Default `argocd`. */
    namespace?: string;
}

/** A reader of each environment's Applications; an unreachable cluster is a refusal naming its kubeconfig. */
export function clusterApplications(options: ClusterOptions): ApplicationReader {
    const namespace = options.namespace ?? "argocd";
    return (environment) => {
        const kubeconfig = options.environmentKubeconfigs?.[environment.name] ?? options.kubeconfig;
        return readApplications(options.binary, kubeconfig, namespace);
    };
}

function readApplications(binary: string, kubeconfig: string, namespace: string): Promise<ArgoApplication[]> {
    const args = ["--kubeconfig", kubeconfig, "--request-timeout=20s", "get", "applications.argoproj.io", "-n", namespace, "-o", "json"];
    return new Promise((resolve, reject) => {
        const child = execFile(binary, args, { maxBuffer: 256 * 1024 * 1024, timeout: 60_000 }, (err, stdout, stderr) => {
            if (err) {
                reject(new PromotionRefused(`cannot read Argo CD's Applications (kubeconfig ${kubeconfig}, namespace ${namespace}): ${kubectlError(stderr, stdout) ?? err.message}`));
                return;
            }
            try {
                resolve((JSON.parse(stdout) as { items?: ArgoApplication[] }).items ?? []);
            } catch {
                reject(new PromotionRefused(`kubectl ${args.join(" ")}: not JSON`));
            }
        });
        // A kubeconfig without credentials makes kubectl ask for a username: it reads end-of-input, not a hang.
        child.stdin?.end();
    });
}

/** kubectl's own last word on what went wrong; its client library's log lines (`E1203 14:44:36 ...`) come before it. */
function kubectlError(stderr: string, stdout: string): string | undefined {
    const lines = `${stderr}\n${stdout}`.split("\n").map((l) => l.trim()).filter((l) => l !== "");
    const own = lines.filter((l) => !/^[IWEF]\d{4} /.test(l));
    return own[own.length - 1] ?? lines[lines.length - 1];
}

/**
 * Syncs an Application to a revision by setting its `operation`, as `argocd app sync --revision`
 * does, with the Application's own sync options.
 */
export function clusterSyncer(options: ClusterOptions): ApplicationSyncer {
    const namespace = options.namespace ?? "argocd";
    return (app, revision) => {
        const operation = { initiatedBy: { username: "npm run promote" }, info: [{ name: "Reason", value: "rollback: the Application had synced the failed release" }], sync: { revision, syncOptions: app.spec?.syncPolicy?.syncOptions ?? [] } };
        const args = ["--kubeconfig", options.kubeconfig, "--request-timeout=20s", "patch", "applications.argoproj.io", app.metadata.name, "-n", app.metadata.namespace ?? namespace, "--type", "merge", "-p", JSON.stringify({ operation })];
        return new Promise((resolve, reject) => {
            execFile(options.binary, args, { timeout: 60_000 }, (err, _stdout, stderr) => (err ? reject(new PromotionRefused(`cannot sync ${app.metadata.name}: ${String(stderr).trim().split("\n")[0] || err.message}`)) : resolve()));
        });
    };
}
