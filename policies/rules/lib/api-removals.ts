/**
 * The table of deprecated and removed Kubernetes APIs (policies/data/kubernetes-api-removals.yaml),
 * validated when read: a bad table fails the pack with the file and the entry.
 */
import * as fs from "fs";
import * as YAML from "yaml";
import { z } from "zod";
import { packFile } from "./pack-files";

const MinorVersion = z.string().regex(/^1\.\d+$/, { message: "expected a Kubernetes minor version like 1.25" });

/** One API of one kind. */
export const ApiRemovalSchema = z.strictObject({
    apiVersion: z.string().min(1),
    kind: z.string().min(1),
    deprecatedIn: MinorVersion,
    removedIn: MinorVersion.optional(),
    replacement: z.string().min(1),
});
export type ApiRemoval = z.infer<typeof ApiRemovalSchema>;

/** The table file. */
export const ApiRemovalTableSchema = z.strictObject({ source: z.string().url(), checked: z.string(), apis: z.array(ApiRemovalSchema).min(1) });

/** Where the table is. */
export const API_REMOVALS_FILE = packFile("data", "kubernetes-api-removals.yaml");

let table: ApiRemoval[] | undefined;

/** The table (cached). */
export function apiRemovals(): ApiRemoval[] {
    if (!table) {
        const parsed = ApiRemovalTableSchema.safeParse(YAML.parse(fs.readFileSync(API_REMOVALS_FILE, "utf8")));
        if (!parsed.success) throw new Error(`${API_REMOVALS_FILE}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
        table = parsed.data.apis;
    }
    return table;
}

/** `1.33` (or `v1.33.2`) as a comparable minor number (33); undefined when it is not a 1.x version. */
export function kubernetesMinor(version: string): number | undefined {
    const m = /^v?1\.(\d+)(\.\d+)?/.exec(version.trim());
    return m ? Number(m[1]) : undefined;
}

/** What is wrong with `apiVersion`/`kind` on a cluster of `minor`: removed, deprecated, or nothing. */
export function apiStatus(apiVersion: string, kind: string, minor: number, apis: ApiRemoval[] = apiRemovals()): { state: "removed" | "deprecated"; entry: ApiRemoval } | undefined {
    const entry = apis.find((a) => a.apiVersion === apiVersion && a.kind === kind);
    if (!entry) return undefined;
    if (entry.removedIn && minor >= kubernetesMinor(entry.removedIn)!) return { state: "removed", entry };
    if (minor >= kubernetesMinor(entry.deprecatedIn)!) return { state: "deprecated", entry };
    return undefined;
}
