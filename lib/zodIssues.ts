/** Turns zod issues into the one-line-per-problem text used in every error of this folder. */
import type { z } from "zod";

/** Formats a key path the way users write it: `outputs.vpc_id.value`, `headers["X-Token"]`, `[2]`. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
    let out = "";
    for (const key of path) {
        if (typeof key === "number") out += `[${key}]`;
        else if (typeof key === "string" && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) out += out ? `.${key}` : key;
        else out += `[${JSON.stringify(String(key))}]`;
    }
    return out || "(top level)";
}

/** One line per issue, `<key path>: <message>`, prefixed by `prefix` (to name e.g. a CLI flag set). */
export function formatZodIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): string[] {
    return issues.map((issue) => `${formatKeyPath([...prefix, ...issue.path])}: ${issue.message}`);
}
