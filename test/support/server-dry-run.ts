/**
 * A server-side dry run (`kubectl apply --dry-run=server`) of a folder of manifests against a real
 * kube-apiserver: the API server's own schema checks, with the add-ons' CRDs installed, strict field
 * validation (an unknown field is an error), and nothing persisted.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { Kubectl } from "../../tools/local-cluster/kubectl";

/** The CRD folders of one validation: the add-ons' and one Argo CD release's. */
export interface CrdSet {
    /** Folders of CRD YAML files, each applied whole. */
    dirs: string[];
}

/** Where the pinned CRD files are (tools/install.sh): the add-ons' and Argo CD's, by release. */
export function crdFolders(projectRoot: string): { addons: string[]; argocd: Record<string, string> } {
    const crds = path.join(projectRoot, ".tools", "crds");
    const addons = ["external-secrets", "cert-manager", "gateway-api"].map((a) => path.join(crds, a));
    const argocd = {
        // Argo CD 3.6.1, the release the local loop runs (from its Go module).
        "v3.6.1": path.join(crds, "argo-cd"),
        // Argo CD v3.4.4, the release the stacks' argo-cd chart 10.1.1 installs (/work/shared/reference).
        "v3.4.4": path.resolve(projectRoot, "..", "shared", "reference", "argo-cd-v3.4.4", "crds"),
    };
    const missing = [...addons, ...Object.values(argocd)].filter((p) => !fs.existsSync(p));
    if (missing.length > 0) throw new Error(`missing ${missing.join(", ")}: run bash tools/install.sh etcd kubernetes kwok addon-crds`);
    return { addons, argocd };
}

export async function installCrds(kubectl: Kubectl, dirs: string[]): Promise<number> {
    let count = 0;
    for (const dir of dirs) {
        const r = await kubectl.run(["apply", "--server-side", "--force-conflicts", "--field-manager=crd-install", "-f", dir]);
        count += r.stdout.split("\n").filter((l) => l.trim()).length;
    }
    // Retried: a CRD just created has no conditions yet, and `kubectl wait` fails on that at once.
    await kubectl.waitFor(["wait", "--for=condition=Established", "crd", "--all", "--timeout=10s"], 120_000, "the CRDs to be established");
    return count;
}

/** The result of a dry run: what the server accepted and what it refused. */
export interface DryRunResult {
    code: number;
    /** Objects accepted, as kubectl names them (`gateway.gateway.networking.k8s.io/argocd`). */
    accepted: string[];
    /** The API server's refusals, one per line. */
    refused: string[];
    /** The API server's warnings (kept apart: a warning is not a refusal). */
    warnings: string[];
}

/** The namespaces the manifests use or declare, created for real so namespaced objects can be judged. */
export function namespacesOf(dir: string): string[] {
    const names = new Set<string>();
    for (const file of fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
        for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(dir, file), "utf8"))) {
            const obj = doc.toJS() as { kind?: string; metadata?: { name?: string; namespace?: string } } | null;
            if (obj?.kind === "Namespace" && obj.metadata?.name) names.add(obj.metadata.name);
            if (obj?.metadata?.namespace) names.add(obj.metadata.namespace);
        }
    }
    return [...names].sort();
}

/** Creates the namespaces, then dry-runs every manifest in `dir` on the server with strict field validation. */
export async function serverDryRun(kubectl: Kubectl, dir: string): Promise<DryRunResult> {
    for (const ns of namespacesOf(dir)) {
        await kubectl.run(["create", "namespace", ns], { allowFail: true });
    }
    // Server-side apply, as the Kubernetes provider and Argo CD (ServerSideApply=true) apply them.
    const r = await kubectl.run(["apply", "--server-side", "--dry-run=server", "--validate=strict", "--field-manager=dry-run", "-f", dir], { allowFail: true });
    const lines = (text: string) => text.split("\n").map((l) => l.trim()).filter(Boolean);
    const stderr = lines(r.stderr);
    return {
        code: r.code,
        accepted: lines(r.stdout).filter((l) => l.endsWith("(server dry run)")).map((l) => l.split(" ")[0]),
        refused: stderr.filter((l) => !l.startsWith("Warning:")),
        warnings: stderr.filter((l) => l.startsWith("Warning:")),
    };
}
