import { isRecord } from "./types";

/**
 * Fields of Argo CD's declarative Secrets (cluster, repository, repo-creds) that describe the target
 * rather than authenticate to it. Argo CD keeps them in the Secret beside the credentials, so a
 * Secret of this kind that holds only these carries nothing secret.
 * See https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/
 */
const argoCdDescriptiveKeys = new Set([
    "name", "server", "namespaces", "clusterResources", "project", "url", "type", "enableOCI", "insecure",
    "forceHttpBasicAuth", "enableLfs", "proxy", "noProxy", "username", "githubAppID", "githubAppInstallationID",
    "githubAppEnterpriseBaseUrl",
]);

/** Keys inside an Argo CD cluster Secret's `config` JSON that hold credentials. */
const clusterConfigCredentialKeys = new Set(["bearerToken", "password", "keyData"]);

const argoCdSecretTypeLabel = "argocd.argoproj.io/secret-type";

/** One entry of a Secret's data: its key, its decoded text and whether it is credential material. */
export interface SecretDataEntry {
    /** `data.<key>` or `stringData.<key>`. */
    path: string;
    value: string;
    credential: boolean;
}

/** The entries of a Kubernetes Secret's `data` (base64-decoded) and `stringData`, each judged credential or not. */
export function secretDataEntries(props: Record<string, unknown>): SecretDataEntry[] {
    const metadata = isRecord(props.metadata) ? props.metadata : {};
    const labels = isRecord(metadata.labels) ? metadata.labels : {};
    const argoCdKind = typeof labels[argoCdSecretTypeLabel] === "string";
    const entries: SecretDataEntry[] = [];
    for (const field of ["data", "stringData"]) {
        const data = props[field];
        if (!isRecord(data)) continue;
        for (const [key, raw] of Object.entries(data)) {
            if (typeof raw !== "string") continue;
            const value = field === "data" ? Buffer.from(raw, "base64").toString("utf8") : raw;
            entries.push({ path: `${field}.${key}`, value, credential: !argoCdKind || isArgoCdCredential(key, value) });
        }
    }
    return entries;
}

function isArgoCdCredential(key: string, value: string): boolean {
    if (key === "config") {
        return configHoldsCredentials(value);
    }
    return !argoCdDescriptiveKeys.has(key);
}

/** A cluster `config` holds credentials when any of its keys, however deep, is a credential key (or it is not JSON). */
function configHoldsCredentials(text: string): boolean {
    let config: unknown;
    try {
        config = JSON.parse(text);
    } catch {
        return true; // unreadable: assume the worst
    }
    const walk = (v: unknown): boolean =>
        Array.isArray(v) ? v.some(walk) : isRecord(v) && Object.entries(v).some(([k, e]) => (clusterConfigCredentialKeys.has(k) && e !== "" && e !== null) || walk(e));
    return walk(config);
}
