/**
 * The loop's secret management, real: External Secrets Operator's controller as a local process
 * (tools/install.sh builds it with its kubernetes provider only) and the store it reads, a secrets
 * cluster: a kube-apiserver of its own on the control plane's etcd (its own prefix) that stands in for
 * AWS Secrets Manager. The stack declares the ClusterSecretStore and the ExternalSecrets as on a cloud
 * stack (`secrets.store.kubernetes`); what the loop makes outside Pulumi is what a platform team
 * would: the values in the store, and in the hub a read-only token for the store (its CA, public, goes
 * in the stack config).
 * The values go to kubectl on stdin only, never to a file, a stack config or a log.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { parsePlatform } from "../../stacks/load";
import { storeKeys } from "../../stacks/secretStore";
import { freePort } from "../engine/free-port";
import { readToolchain } from "../toolchain-pins";
import { ApiServer, startApiServer } from "./api-server";
import { Kubectl } from "./kubectl";
import { ManagedProcess, startProcess } from "./managed-process";

/** Where the store keeps the values (the stack's `secrets.store.kubernetes.remoteNamespace`). */
export const STORE_NAMESPACE = "gitops-secrets";
/** The operator's namespace in the hub, where the store's token is. */
export const OPERATOR_NAMESPACE = "external-secrets";
/** The hub Secret with the store's read-only bearer token. */
export const STORE_TOKEN_SECRET = "secrets-store-token";
/** The store's service account: it may read Secrets in STORE_NAMESPACE, nothing else. */
const READER = "external-secrets-reader";

export interface LoopSecrets {
    /** The secrets cluster. */
    store: ApiServer;
    /** External Secrets Operator's controller. */
    operator: ManagedProcess;
    /** Points the stack's store at the secrets cluster. */
    stackChange(platform: Record<string, unknown>): void;
    /** Writes `data` under `key` in the store: what a person with write access to the store does to rotate. */
    put(key: string, data: Record<string, string>): Promise<void>;
    /** Removes `key` from the store. */
    remove(key: string): Promise<void>;
}

export interface LoopSecretsOptions {
    binDir: string;
    /** The control plane's etcd; the store keeps its objects under its own prefix there. */
    etcdUrl: string;
    /** The hub, where the operator runs against. */
    hub: { kubectl: Kubectl; kubeconfigPath: string };
    dataDir: string;
    detached?: boolean;
    log?: (line: string) => void;
}

/** Starts the store and the operator; the operator's CRDs are applied to the hub first. */
export async function startLoopSecrets(options: LoopSecretsOptions): Promise<LoopSecrets> {
    const dir = path.resolve(options.dataDir);
    fs.mkdirSync(dir, { recursive: true });
    const binary = path.join(options.binDir, "external-secrets");
    if (!fs.existsSync(binary)) throw new Error(`${binary} is missing: run bash tools/install.sh external-secrets-operator`);
    const store = await startApiServer({ binDir: options.binDir, dataDir: path.join(dir, "store"), etcdUrl: options.etcdUrl, etcdPrefix: "/secrets-store", name: "secrets-store", detached: options.detached });
    let operator: ManagedProcess | undefined;
    try {
        options.log?.(`secrets: store (a kube-apiserver of its own) at ${store.server}, namespace ${STORE_NAMESPACE}`);
        await store.kubectl.apply(readerObjects(), "the store's reader");
        const token = (await store.kubectl.run(["create", "token", READER, "-n", STORE_NAMESPACE, "--duration=720h"])).stdout.trim();
        const hub = options.hub.kubectl;
        // The operator's CRDs from its own release (the cloud stacks' chart brings its own).
        const crds = path.join(path.dirname(fs.realpathSync(binary)), "crds");
        await hub.run(["apply", "--server-side", "--field-manager=gitops-platform-local", "-f", crds]);
        await hub.waitFor(["wait", "--for=condition=Established", "crd/externalsecrets.external-secrets.io", "crd/clustersecretstores.external-secrets.io", "--timeout=5s"], 60_000, "the operator's CRDs");
        await hub.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: OPERATOR_NAMESPACE } }, `namespace ${OPERATOR_NAMESPACE}`);
        await hub.apply({ apiVersion: "v1", kind: "Secret", metadata: { name: STORE_TOKEN_SECRET, namespace: OPERATOR_NAMESPACE }, stringData: { token } }, "the store's token");
        const metricsPort = await freePort();
        operator = startProcess({
            name: "external-secrets",
            command: binary,
            // Metrics on loopback (its default is every interface); no leader election: one replica.
            args: [`--metrics-addr=127.0.0.1:${metricsPort}`, "--loglevel=info", "--zap-time-encoding=iso8601"],
            env: { KUBECONFIG: options.hub.kubeconfigPath },
            logFile: path.join(dir, "external-secrets.log"),
            detached: options.detached,
        });
        const log = operator.logFile;
        await operator.waitFor(() => /Starting workers.*ExternalSecret/i.test(fs.readFileSync(log, "utf8")), 120_000, "its ExternalSecret workers");
        const toolchain = readToolchain();
        options.log?.(
            `secrets: External Secrets Operator ${toolchain.tools["external-secrets-operator"].version} running (log ${log}); the cloud stacks' chart pins ${toolchain.crds["external-secrets"].version}, whose module the proxy does not serve whole (docs/adr-0007-secrets-store.md)`,
        );
    } catch (e) {
        await operator?.stop();
        await store.process.stop();
        throw e;
    }
    const secretName = (key: string) => {
        if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(key) || key.length > 253) throw new Error(`secrets store: ${JSON.stringify(key)} is not a Secret name`);
        return key;
    };
    return {
        store,
        operator: operator!,
        stackChange: (platform) => {
            const secrets = (platform.secrets ?? (platform.secrets = {})) as Record<string, unknown>;
            secrets.store = {
                kubernetes: {
                    server: store.server,
                    remoteNamespace: STORE_NAMESPACE,
                    caBundle: store.caData,
                    auth: { tokenSecret: { name: STORE_TOKEN_SECRET, namespace: OPERATOR_NAMESPACE, key: "token" } },
                },
            };
        },
        put: (key, data) => store.kubectl.apply({ apiVersion: "v1", kind: "Secret", metadata: { name: secretName(key), namespace: STORE_NAMESPACE }, stringData: data }, `store key ${key}`),
        remove: async (key) => void (await store.kubectl.run(["delete", "secret", secretName(key), "-n", STORE_NAMESPACE, "--ignore-not-found"])),
    };
}

/** The keys the stack file's ExternalSecrets read: the repository's read and push credentials, and the notification tokens. */
export function loopStoreKeys(stackFile: string, repository = "gitops-platform"): { read: string; write: string; notifications?: string } {
    const raw = (YAML.parse(fs.readFileSync(stackFile, "utf8")) as { config: Record<string, unknown> }).config["gitops-platform:platform"];
    const { platform, problems } = parsePlatform(JSON.stringify(raw));
    if (!platform) throw new Error(`${stackFile}: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
    const keys = storeKeys(platform, "local");
    const credential = (access: "read" | "write") => {
        const found = keys.find((k) => k.use.kind === "repository" && k.use.repository === repository && k.use.access === access);
        if (!found) throw new Error(`${stackFile}: repository ${repository} has no ${access === "write" ? "writeCredentials" : "credentials"}.externalSecret`);
        return found.key;
    };
    return { read: credential("read"), write: credential("write"), notifications: keys.find((k) => k.use.kind === "notifications")?.key };
}

/** A namespace for the values and a service account that may only read Secrets there. */
function readerObjects(): Record<string, unknown>[] {
    const namespace = STORE_NAMESPACE;
    return [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } },
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: READER, namespace } },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "Role",
            metadata: { name: READER, namespace },
            rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] }],
        },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: { name: READER, namespace },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: READER },
            subjects: [{ kind: "ServiceAccount", name: READER, namespace }],
        },
    ];
}
