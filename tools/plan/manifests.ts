import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { RegisteredResource } from "./run-program";
import { REDACTED, redactSecrets } from "./secrets";

/** What a Secret's `stringData` values are replaced with in rendered files, secret-marked or not. */
export const REDACTED_DATA = "[redacted]";
/** The same for `data`, whose values the API server requires to be base64. */
export const REDACTED_DATA_BASE64 = Buffer.from(REDACTED_DATA).toString("base64");

/** True for a resource that is a Kubernetes object the program declares (not a provider or a chart). */
export function isKubernetesObject(r: Pick<RegisteredResource, "custom" | "type" | "inputs">): boolean {
    return r.custom && r.type.startsWith("kubernetes:") && typeof r.inputs.kind === "string";
}

/**
 * The object as a manifest: secrets redacted, a Secret's `data`/`stringData` values redacted
 * whatever their marking, and the name filled in from the resource when Pulumi would auto-name it.
 */
export function toManifest(r: RegisteredResource): Record<string, unknown> {
    const obj = redactSecrets(r.properties) as Record<string, unknown>;
    const metadata = { ...((obj.metadata as Record<string, unknown> | undefined) ?? {}) };
    metadata.name ??= r.name;
    obj.metadata = metadata;
    if (obj.kind === "Secret") {
        // Same keys, every value redacted: still a Secret the API server's schema accepts.
        for (const [field, redacted] of [["data", REDACTED_DATA_BASE64], ["stringData", REDACTED_DATA]]) {
            const data = obj[field];
            if (data === REDACTED) obj[field] = {}; // a secret of unknown shape (not known at plan time)
            else if (typeof data === "object" && data !== null) {
                obj[field] = Object.fromEntries(Object.keys(data).map((k) => [k, redacted]));
            }
        }
    }
    return obj;
}

/** File name of a manifest: kind, namespace and name, unique within a plan. */
export function manifestFileName(manifest: Record<string, unknown>): string {
    const metadata = manifest.metadata as { name?: unknown; namespace?: unknown };
    const parts = [manifest.kind, metadata.namespace ?? "cluster", metadata.name].map((p) =>
        String(p).toLowerCase().replace(/[^a-z0-9.-]+/g, "-"),
    );
    return `${parts.join("_")}.yaml`;
}

/**
 * Writes one YAML file per Kubernetes object into `dir` (emptied first) and returns the file names.
 * `write` is how a file is written (the plan passes one that scrubs secrets).
 */
export function writeManifests(dir: string, resources: RegisteredResource[], write: (file: string, text: string) => void = fs.writeFileSync): string[] {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const written = new Set<string>();
    for (const r of resources.filter(isKubernetesObject)) {
        const manifest = toManifest(r);
        let file = manifestFileName(manifest);
        // Two objects of one kind and name in one namespace can only come from two providers (clusters).
        for (let n = 2; written.has(file); n++) {
            file = file.replace(/(_\d+)?\.yaml$/, `_${n}.yaml`);
        }
        written.add(file);
        const header = `# Source: ${r.urn}\n`;
        write(path.join(dir, file), header + YAML.stringify(manifest, { lineWidth: 0 }));
    }
    return [...written];
}

