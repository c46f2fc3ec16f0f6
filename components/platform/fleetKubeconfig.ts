/**
 * The fleet's kubeconfig, the Pulumi secret `gitops-platform:fleetKubeconfig`: each `from: kubeconfig`
 * entry of `platform.fleet` names one of its contexts, whose cluster and user become the entry's
 * cluster Secret, as `argocd cluster add <context>` would register it. Only what Argo CD can use from
 * a Secret is accepted: an https server whose certificate is verified, and a bearer token or a client
 * certificate and key written into the file. Messages name the key, the context and the field, never
 * a value; every value read here leaves as a Pulumi secret (the server, an address, excepted).
 */
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { isRecord } from "gitops-platform-policies/shared";
import { FLEET_KUBECONFIG_KEY } from "../../stacks/configKeys";
import { shown } from "../../stacks/schema/common";
import type { ClientCertificateAccess, TokenAccess } from "../gitops/clusterRegistration";

/** A kubeconfig's `clusters`, `contexts` and `users`, each by name. */
export interface Kubeconfig {
    clusters: Map<string, Record<string, unknown>>;
    contexts: Map<string, Record<string, unknown>>;
    users: Map<string, Record<string, unknown>>;
}

/** The access of a context, or why Argo CD could not use it (each message names the field, never its value). */
export type ContextAccess = { access: TokenAccess | ClientCertificateAccess; problems?: undefined } | { access?: undefined; problems: string[] };

/** Fields of a kubeconfig cluster Argo CD's cluster Secret carries, or that change nothing there. */
const CLUSTER_FIELDS = new Set(["server", "certificate-authority-data", "insecure-skip-tls-verify", "disable-compression", "extensions"]);

/** Fields of a kubeconfig user a cluster Secret carries. */
const USER_FIELDS = new Set(["token", "client-certificate-data", "client-key-data", "extensions"]);

/** Why a field Argo CD cannot use from a Secret is refused, and what to do instead. */
const REFUSED_FIELDS: Record<string, string> = {
    "certificate-authority": "a file path, which Argo CD cannot read from a cluster Secret: inline it as certificate-authority-data (`kubectl config view --raw --flatten`)",
    "client-certificate": "a file path, which Argo CD cannot read from a cluster Secret: inline it as client-certificate-data (`kubectl config view --raw --flatten`)",
    "client-key": "a file path, which Argo CD cannot read from a cluster Secret: inline it as client-key-data (`kubectl config view --raw --flatten`)",
    tokenFile: "a file path, which Argo CD cannot read from a cluster Secret: inline the token as token",
    exec: "a credential plugin, which Argo CD cannot run for a cluster Secret: use a service account's bearer token (as `argocd cluster add` makes) or a client certificate",
    "auth-provider": "an authentication provider plugin, which Argo CD cannot run for a cluster Secret: use a service account's bearer token or a client certificate",
    username: "basic authentication, which Kubernetes API servers no longer accept: use a bearer token or a client certificate",
    password: "basic authentication, which Kubernetes API servers no longer accept: use a bearer token or a client certificate",
    as: "impersonation, which this program does not carry into a cluster Secret: use the impersonated identity's own credential",
    "as-uid": "impersonation, which this program does not carry into a cluster Secret: use the impersonated identity's own credential",
    "as-groups": "impersonation, which this program does not carry into a cluster Secret: use the impersonated identity's own credential",
    "as-user-extra": "impersonation, which this program does not carry into a cluster Secret: use the impersonated identity's own credential",
    "tls-server-name": "not carried into the cluster Secret by this program: use a server URL whose host name the certificate names",
    "proxy-url": "not carried into the cluster Secret by this program: Argo CD must reach the server directly",
};

/** Whether a value is base64, as kubeconfigs hold certificate data (line breaks allowed). */
const isBase64 = (value: string) => /^[A-Za-z0-9+/]+={0,2}$/.test(value.replace(/\s/g, ""));

/**
 * The text of the secret, for parsing before any resource is registered (config values are always
 * known, in a preview too). What is derived from it is wrapped in `pulumi.secret` again.
 */
export function revealed(secret: pulumi.Output<string>): Promise<string> {
    return new Promise((resolve) => {
        secret.apply((text) => resolve(text));
    });
}

/** The kubeconfig in `text` (YAML or JSON), or every problem with its shape; no problem quotes the text. */
export function parseKubeconfig(text: string): { kubeconfig?: Kubeconfig; problems: string[] } {
    const doc = YAML.parseDocument(text);
    if (doc.errors.length > 0) {
        // A YAML error's message quotes the lines around it, which may hold a credential: only where and what.
        const e = doc.errors[0];
        const at = e.linePos?.[0];
        return { problems: [`not a kubeconfig: not valid YAML or JSON (${e.code}${at ? ` at line ${at.line}, column ${at.col}` : ""})`] };
    }
    let value: unknown;
    try {
        value = doc.toJS({ maxAliasCount: 100 });
    } catch {
        return { problems: ["not a kubeconfig: its YAML aliases cannot be expanded"] };
    }
    if (!isRecord(value)) return { problems: ["not a kubeconfig: expected a mapping with clusters, contexts and users"] };
    const problems: string[] = [];
    const named = (list: string, field: string): Map<string, Record<string, unknown>> => {
        const byName = new Map<string, Record<string, unknown>>();
        const items = value[list] ?? [];
        if (!Array.isArray(items)) {
            problems.push(`${list}: expected a list`);
            return byName;
        }
        items.forEach((item, i) => {
            if (!isRecord(item) || typeof item.name !== "string" || !isRecord(item[field])) {
                problems.push(`${list}[${i}]: expected a name and a ${field} mapping`);
            } else if (byName.has(item.name)) {
                problems.push(`${list}[${i}]: a second entry named ${shown(item.name)}`);
            } else {
                byName.set(item.name, item[field] as Record<string, unknown>);
            }
        });
        return byName;
    };
    const kubeconfig = { clusters: named("clusters", "cluster"), contexts: named("contexts", "context"), users: named("users", "user") };
    return problems.length > 0 ? { problems } : { kubeconfig, problems };
}

/** How Argo CD reaches the cluster of `contextName`: its server and CA, and its user's token or client certificate. */
export function contextAccess(kubeconfig: Kubeconfig, contextName: string): ContextAccess {
    const context = kubeconfig.contexts.get(contextName);
    if (!context) {
        const known = [...kubeconfig.contexts.keys()].slice(0, 10).map(shown).join(", ") || "(none)";
        return { problems: [`${FLEET_KUBECONFIG_KEY} has no context ${JSON.stringify(contextName)} (its contexts: ${known})`] };
    }
    // The context's name comes from the stack's plain config; names read from the secret are shown() only.
    const at = `${FLEET_KUBECONFIG_KEY}, context ${JSON.stringify(contextName)}`;
    const problems: string[] = [];
    const refer = (field: "cluster" | "user", list: Map<string, Record<string, unknown>>) => {
        const name = context[field];
        if (typeof name !== "string" || name === "") {
            problems.push(`${at}: ${field}: required, the name of one of the kubeconfig's ${field}s`);
            return undefined;
        }
        const found = list.get(name);
        if (!found) problems.push(`${at}: ${field} ${shown(name)} is not among the kubeconfig's ${field}s`);
        return found && { name, value: found };
    };
    const cluster = refer("cluster", kubeconfig.clusters);
    const user = refer("user", kubeconfig.users);
    const server = cluster && clusterServer(cluster.value, `${at}, cluster ${shown(cluster.name)}`, problems);
    const credential = user && userCredential(user.value, `${at}, user ${shown(user.name)}`, problems);
    if (problems.length > 0 || !cluster || !server || !credential) return { problems };
    const caData = given(cluster.value["certificate-authority-data"]);
    const common = { server, ...(caData ? { caData: pulumi.secret(caData) } : {}) };
    return {
        access:
            "token" in credential
                ? { kind: "token", ...common, bearerToken: pulumi.secret(credential.token) }
                : { kind: "client-certificate", ...common, certData: pulumi.secret(credential.certData), keyData: pulumi.secret(credential.keyData) },
    };
}

/** The cluster's https server, with its TLS verified: or undefined, with the problems added. */
function clusterServer(cluster: Record<string, unknown>, at: string, problems: string[]): string | undefined {
    const before = problems.length;
    refuseFields(cluster, CLUSTER_FIELDS, at, problems);
    if (cluster["insecure-skip-tls-verify"] === true) {
        problems.push(`${at}: insecure-skip-tls-verify: Argo CD keeps verifying the API server's certificate; give its CA as certificate-authority-data`);
    } else if (cluster["insecure-skip-tls-verify"] !== undefined && cluster["insecure-skip-tls-verify"] !== false) {
        problems.push(`${at}: insecure-skip-tls-verify: expected false or nothing`);
    }
    const ca = cluster["certificate-authority-data"];
    if (ca !== undefined && (typeof ca !== "string" || !isBase64(ca))) problems.push(`${at}: certificate-authority-data: expected base64 data`);
    const server = cluster.server;
    let url: URL | undefined;
    try {
        url = typeof server === "string" ? new URL(server) : undefined;
    } catch {
        url = undefined;
    }
    if (!url) {
        problems.push(`${at}: server: required, an https:// URL`);
    } else if (url.protocol !== "https:") {
        const scheme = /^[a-z][a-z0-9+.-]{0,10}:$/.test(url.protocol) ? `${url.protocol}//` : "another scheme";
        problems.push(`${at}: server: expected an https:// URL, got ${scheme} (Argo CD reaches the API server over TLS only)`);
    } else if (url.username || url.password) {
        problems.push(`${at}: server: carries user info; credentials go in the user's token or client certificate`);
    }
    return problems.length === before ? (server as string) : undefined;
}

/** The user's one credential: a bearer token, or a client certificate and key. */
function userCredential(user: Record<string, unknown>, at: string, problems: string[]): { token: string } | { certData: string; keyData: string } | undefined {
    const before = problems.length;
    refuseFields(user, USER_FIELDS, at, problems);
    for (const field of USER_FIELDS) {
        if (field !== "extensions" && user[field] !== undefined && typeof user[field] !== "string") problems.push(`${at}: ${field}: expected a string`);
    }
    const token = given(user.token);
    const certData = given(user["client-certificate-data"]);
    const keyData = given(user["client-key-data"]);
    for (const [field, value] of [["client-certificate-data", certData], ["client-key-data", keyData]] as const) {
        if (value !== undefined && !isBase64(value)) problems.push(`${at}: ${field}: expected base64 data`);
    }
    if (token && (certData || keyData)) {
        problems.push(`${at}: both a token and a client certificate: give Argo CD one credential`);
    } else if (!token && certData && !keyData) {
        problems.push(`${at}: client-certificate-data without client-key-data`);
    } else if (!token && keyData && !certData) {
        problems.push(`${at}: client-key-data without client-certificate-data`);
    } else if (!token && !certData && problems.length === before) {
        // A refused credential (exec, a file path) has said what to use instead already.
        problems.push(`${at}: no credential: expected token, or client-certificate-data with client-key-data`);
    }
    if (problems.length > before) return undefined;
    return token ? { token } : { certData: certData as string, keyData: keyData as string };
}

/** Adds a problem for every field not in `carried`, saying why. */
function refuseFields(fields: Record<string, unknown>, carried: Set<string>, at: string, problems: string[]): void {
    for (const field of Object.keys(fields)) {
        if (carried.has(field)) continue;
        problems.push(`${at}: ${/^[\w.-]{1,40}$/.test(field) ? field : "a field"}: ${Object.hasOwn(REFUSED_FIELDS, field) ? REFUSED_FIELDS[field] : "not a field Argo CD's cluster Secret carries; remove it"}`);
    }
}

/** A non-empty string, else undefined (kubectl writes empty fields for unset ones). */
function given(value: unknown): string | undefined {
    return typeof value === "string" && value !== "" ? value : undefined;
}
