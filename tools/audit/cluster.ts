/**
 * The cluster adapter: Argo CD's Applications and the live object, through the pinned kubectl
 * (tools/local-cluster/kubectl.ts) with a request timeout, so an unreachable API server is an error
 * within seconds, not a hang; or from files saved earlier (`kubectl get ... -o json`). A live object
 * keeps its identity and metadata only: a Secret's data, and the last-applied annotation that copies
 * it, never leave this file (their values go to the redactor, so they are scrubbed wherever else
 * they appear).
 */
import * as fs from "fs";
import { Kubectl } from "../local-cluster/kubectl";
import type { Redactor } from "../plan/redaction";
import type { ArgoApplication, LiveObject, ObjectRef } from "./model";
import { AuditSourceError, readSourceFile } from "./source-error";

/** Where Applications and live objects come from. */
export interface ClusterReader {
    /** For messages and the report's sources. */
    description: string;
    /** The Applications in `namespace`. */
    applications(namespace: string): Promise<ArgoApplication[]>;
    /** One Application; undefined when it does not exist. */
    application(namespace: string, name: string): Promise<ArgoApplication | undefined>;
    /** The live object; undefined when it does not exist. */
    object(ref: ObjectRef): Promise<LiveObject | undefined>;
}

/** Annotations that copy an object's whole content (a Secret's data among it). */
const CONTENT_ANNOTATIONS = ["kubectl.kubernetes.io/last-applied-configuration"];

/** Identity and metadata of a raw object; what it drops of a Secret is learnt by the redactor. */
export function liveObjectOf(raw: Record<string, unknown>, redactor?: Redactor): LiveObject {
    const metadata = (raw.metadata ?? {}) as LiveObject["metadata"] & Record<string, unknown>;
    const kind = String(raw.kind ?? "");
    const annotations = { ...(metadata.annotations ?? {}) };
    for (const key of CONTENT_ANNOTATIONS) {
        const copy = annotations[key] ? tryJson(annotations[key]) : undefined;
        if (kind === "Secret" && typeof copy === "object" && copy !== null && redactor) learnSecretData(copy as Record<string, unknown>, redactor);
        delete annotations[key];
    }
    if (kind === "Secret" && redactor) learnSecretData(raw, redactor);
    return {
        apiVersion: typeof raw.apiVersion === "string" ? raw.apiVersion : undefined,
        kind,
        metadata: {
            name: String(metadata.name ?? ""),
            namespace: metadata.namespace,
            uid: metadata.uid,
            labels: metadata.labels,
            annotations,
            creationTimestamp: metadata.creationTimestamp,
        },
    };
}

/** Remembers a Secret's values (`data` as written and decoded, `stringData`), never its other fields. */
function learnSecretData(secret: Record<string, unknown>, redactor: Redactor): void {
    for (const field of ["data", "stringData"] as const) {
        const values = secret[field];
        if (typeof values !== "object" || values === null) continue;
        for (const v of Object.values(values)) {
            if (typeof v !== "string") continue;
            redactor.add(v);
            if (field === "data") redactor.add(Buffer.from(v, "base64").toString("utf8"));
        }
    }
}

function tryJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

/** Why kubectl failed, for the message: an unreachable server says so first. */
function kubectlProblem(stderr: string): string {
    const line = stderr.trim().split("\n").find((l) => l.trim() !== "") ?? "kubectl failed";
    if (/Unable to connect|connection refused|i\/o timeout|no such host|deadline exceeded|Client\.Timeout|dial tcp|TLS handshake timeout|no route to host/i.test(stderr)) {
        return `the API server is unreachable (${line.replace(/^error:\s*/, "")})`;
    }
    return line.replace(/^error:\s*/, "");
}

/** The cluster through kubectl with `kubeconfig`; each request gives up after `requestTimeoutSeconds`. */
export function kubectlCluster(options: { binary: string; kubeconfig: string; requestTimeoutSeconds?: number; redactor?: Redactor }): ClusterReader {
    const description = `Kubernetes API (kubeconfig ${options.kubeconfig})`;
    if (!fs.existsSync(options.kubeconfig)) throw new AuditSourceError(description, "no such kubeconfig file");
    const kubectl = new Kubectl(options.binary, options.kubeconfig);
    const timeout = `--request-timeout=${options.requestTimeoutSeconds ?? 15}s`;
    const get = async <T>(args: string[]): Promise<T | undefined> => {
        let r;
        try {
            r = await kubectl.run(["get", ...args, "-o", "json", timeout], { allowFail: true });
        } catch (e) {
            throw new AuditSourceError(description, `kubectl could not run: ${(e as Error).message}`);
        }
        if (r.code === 0) return JSON.parse(r.stdout) as T;
        if (/\(NotFound\)|not found/i.test(r.stderr) && !/resource type/i.test(r.stderr)) return undefined;
        throw new AuditSourceError(description, `kubectl get ${args.join(" ")}: ${kubectlProblem(r.stderr)}`);
    };
    return {
        description,
        async applications(namespace) {
            const list = await get<{ items?: ArgoApplication[] }>(["applications.argoproj.io", "-n", namespace]);
            return list?.items ?? [];
        },
        application: (namespace, name) => get<ArgoApplication>(["applications.argoproj.io", name, "-n", namespace]),
        async object(ref) {
            const raw = await get<Record<string, unknown>>([ref.kind, ref.name, ...(ref.namespace ? ["-n", ref.namespace] : [])]);
            return raw ? liveObjectOf(raw, options.redactor) : undefined;
        },
    };
}

function readJsonFile(file: string, what: string): unknown {
    const source = `${what} ${file}`;
    const text = readSourceFile(file, source);
    try {
        return JSON.parse(text);
    } catch (e) {
        throw new AuditSourceError(source, `not JSON (${(e as Error).message})`);
    }
}

/** Whether `resource` (as kubectl takes it: `deployment`, `deployments.apps`, `Ingress`) names `kind`. */
function kindNames(kind: string, resource: string): boolean {
    const r = resource.toLowerCase().split(".")[0];
    const k = kind.toLowerCase();
    return r === k || r === `${k}s` || r === `${k}es` || (k.endsWith("y") && r === `${k.slice(0, -1)}ies`);
}

/**
 * The cluster as saved in files: `applicationsFile` as `kubectl get applications.argoproj.io -o json`
 * writes it (a List, or one Application), `objectFile` the live object as `kubectl get -o json` writes it.
 */
export function fileCluster(options: { applicationsFile?: string; objectFile?: string; redactor?: Redactor }): ClusterReader {
    const apps: ArgoApplication[] = [];
    if (options.applicationsFile) {
        const doc = readJsonFile(options.applicationsFile, "applications file") as { kind?: string; items?: unknown; metadata?: unknown };
        const items = Array.isArray(doc?.items) ? doc.items : doc?.kind === "Application" ? [doc] : undefined;
        if (!items) throw new AuditSourceError(`applications file ${options.applicationsFile}`, "expected `kubectl get applications.argoproj.io -o json` output (a List of Applications)");
        items.forEach((a, i) => {
            const name = (a as ArgoApplication)?.metadata?.name;
            if (typeof name !== "string" || name === "") throw new AuditSourceError(`applications file ${options.applicationsFile}`, `items[${i}] has no metadata.name`);
            apps.push(a as ArgoApplication);
        });
    }
    let live: LiveObject | undefined;
    if (options.objectFile) {
        const raw = readJsonFile(options.objectFile, "live object file") as Record<string, unknown>;
        if (typeof raw?.kind !== "string" || typeof (raw.metadata as { name?: unknown })?.name !== "string") {
            throw new AuditSourceError(`live object file ${options.objectFile}`, "expected one object as `kubectl get -o json` writes it (kind, metadata.name)");
        }
        live = liveObjectOf(raw, options.redactor);
    }
    const description = [options.applicationsFile && `applications file ${options.applicationsFile}`, options.objectFile && `live object file ${options.objectFile}`].filter(Boolean).join(", ");
    return {
        description,
        applications: async (namespace) => apps.filter((a) => (a.metadata.namespace ?? namespace) === namespace),
        application: async (namespace, name) => apps.find((a) => a.metadata.name === name && (a.metadata.namespace ?? namespace) === namespace),
        async object(ref) {
            if (!live) return undefined;
            return kindNames(live.kind, ref.kind) && live.metadata.name === ref.name && (live.metadata.namespace || undefined) === ref.namespace ? live : undefined;
        },
    };
}
