/** A kubeconfig with one context per cluster, each named after it (its user `<name>-admin`), the first current. */
export interface KubeconfigCluster {
    name: string;
    server: string;
    /** Base64 of the CA that signed the server's certificate. */
    caData: string;
    /** The user's bearer token. */
    token: string;
}

export function kubeconfig(clusters: KubeconfigCluster[]): Record<string, unknown> {
    return {
        apiVersion: "v1",
        kind: "Config",
        clusters: clusters.map((c) => ({ name: c.name, cluster: { server: c.server, "certificate-authority-data": c.caData } })),
        users: clusters.map((c) => ({ name: `${c.name}-admin`, user: { token: c.token } })),
        contexts: clusters.map((c) => ({ name: c.name, context: { cluster: c.name, user: `${c.name}-admin` } })),
        "current-context": clusters[0]?.name ?? "",
    };
}
