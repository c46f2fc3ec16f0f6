/**
 * What kubelet does for Argo CD's pods, done for its local processes: a ConfigMap or Secret of the
 * cluster written as one file per key into a folder (a volume), read when the process starts. The
 * loop's processes then read the same configuration the program put in the cluster (trusted GnuPG
 * keys, the commit server's signing key), and pod paths in Argo CD's settings point into these folders.
 */
import * as fs from "fs";
import * as path from "path";
import { Kubectl } from "./kubectl";

/** Where Argo CD's pods mount their configuration; the loop keeps the same layout under its data folder. */
export const POD_CONFIG_ROOT = "/app/config";

/** A pod path under /app/config, as the folder the loop uses for it. */
export function localPodPath(dataDir: string, podPath: string): string {
    if (!podPath.startsWith(`${POD_CONFIG_ROOT}/`)) throw new Error(`${podPath} is not under ${POD_CONFIG_ROOT}: the loop mounts nothing there`);
    return path.join(dataDir, "app-config", podPath.slice(POD_CONFIG_ROOT.length + 1));
}

/**
 * Writes the object's data (a Secret's decoded) into `dir`, one file per key, files mode 0600 and the
 * folder 0700; an object that does not exist leaves an empty folder, like an optional volume.
 */
export async function mountVolume(kubectl: Kubectl, kind: "configmap" | "secret", namespace: string, name: string, dir: string): Promise<string[]> {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const object = await kubectl.get<{ data?: Record<string, string> }>([kind, name, "-n", namespace]);
    const data = object?.data ?? {};
    for (const [key, value] of Object.entries(data)) {
        if (!/^[\w.-]+$/.test(key)) throw new Error(`${kind} ${namespace}/${name}: key ${JSON.stringify(key)} is not a file name`);
        fs.writeFileSync(path.join(dir, key), kind === "secret" ? Buffer.from(value, "base64") : value, { mode: 0o600 });
    }
    return Object.keys(data);
}
