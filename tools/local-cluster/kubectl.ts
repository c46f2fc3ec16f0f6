/** The pinned kubectl against one kubeconfig. */
import { execFile } from "child_process";
import * as path from "path";
import { pollUntil } from "./managed-process";

export interface KubectlResult {
    code: number;
    stdout: string;
    stderr: string;
}

export class Kubectl {
    constructor(
        readonly binary: string,
        readonly kubeconfig: string,
    ) {}

    /** Runs kubectl; rejects on a non-zero exit unless `allowFail`. */
    run(args: string[], options: { allowFail?: boolean; input?: string } = {}): Promise<KubectlResult> {
        return new Promise((resolve, reject) => {
            // The discovery cache beside the kubeconfig, not in ~/.kube/cache: it goes with the cluster.
            const cacheDir = path.join(path.dirname(this.kubeconfig), "kube-cache");
            const child = execFile(this.binary, [`--kubeconfig=${this.kubeconfig}`, `--cache-dir=${cacheDir}`, ...args], { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => {
                const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : 1) : 0;
                if (code !== 0 && !options.allowFail) reject(new Error(`kubectl ${args.join(" ")} failed: ${stderr.trim() || err?.message}`));
                else resolve({ code, stdout, stderr });
            });
            if (options.input !== undefined) child.stdin?.end(options.input);
        });
    }

    /** Server-side apply of one object or a list of objects. */
    async apply(objects: Record<string, unknown> | Record<string, unknown>[], what: string): Promise<void> {
        const list = Array.isArray(objects) ? { apiVersion: "v1", kind: "List", items: objects } : objects;
        await this.run(["apply", "--server-side", "--field-manager=gitops-platform-local", "-f", "-"], { input: JSON.stringify(list) }).catch((e: Error) => {
            throw new Error(`applying ${what}: ${e.message}`);
        });
    }

    /**
     * Applies a Secret Argo CD reads (labelled part of Argo CD, plus `labels`) from its string data:
     * what the loop makes outside Pulumi, as a platform team would. The data goes on stdin only.
     */
    applySecret(namespace: string, name: string, stringData: Record<string, string>, labels: Record<string, string> = {}): Promise<void> {
        const metadata = { name, namespace, labels: { "app.kubernetes.io/part-of": "argocd", ...labels } };
        return this.apply({ apiVersion: "v1", kind: "Secret", metadata, stringData }, `Secret ${namespace}/${name}`);
    }

    /** `kubectl get -o json`, parsed; undefined if not found. */
    async get<T = Record<string, unknown>>(args: string[]): Promise<T | undefined> {
        const r = await this.run(["get", ...args, "-o", "json"], { allowFail: true });
        if (r.code !== 0) {
            if (/NotFound|not found/.test(r.stderr)) return undefined;
            throw new Error(`kubectl get ${args.join(" ")}: ${r.stderr.trim()}`);
        }
        return JSON.parse(r.stdout) as T;
    }

    /** Retries a kubectl command until it succeeds. */
    async waitFor(args: string[], timeoutMs: number, what: string): Promise<void> {
        let last = "";
        await pollUntil(
            async () => {
                const r = await this.run(args, { allowFail: true });
                last = r.stderr.trim();
                return r.code === 0;
            },
            timeoutMs,
            what,
            () => last,
        );
    }
}
