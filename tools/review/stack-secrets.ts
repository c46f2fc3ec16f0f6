/**
 * The `secure:` values of a stack file, compared by ciphertext: the plan replaces them with test
 * secrets, so a changed secret in the stack file can only be seen here. Nothing is decrypted and no
 * ciphertext is written out; a different ciphertext means the value was set again (maybe to the
 * same value: encryption is salted), so it reads "re-encrypted".
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

function secureValues(root: string, stack: string): Map<string, string> {
    const file = path.join(root, "stacks", `Pulumi.${stack}.yaml`);
    const found = new Map<string, string>();
    if (!fs.existsSync(file)) return found;
    const config = (YAML.parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null)?.config ?? {};
    const walk = (value: unknown, at: string) => {
        if (typeof value !== "object" || value === null) return;
        const secure = (value as { secure?: unknown }).secure;
        if (typeof secure === "string") return void found.set(at, secure);
        for (const [k, v] of Object.entries(value)) walk(v, at ? `${at}.${k}` : k);
    };
    walk(config, "");
    return found;
}

export function stackSecretChanges(baseRoot: string, headRoot: string, stack: string): { key: string; change: "added" | "removed" | "re-encrypted" }[] {
    const before = secureValues(baseRoot, stack);
    const after = secureValues(headRoot, stack);
    const out: { key: string; change: "added" | "removed" | "re-encrypted" }[] = [];
    for (const [k, v] of after) {
        if (!before.has(k)) out.push({ key: k, change: "added" });
        else if (before.get(k) !== v) out.push({ key: k, change: "re-encrypted" });
    }
    for (const k of before.keys()) if (!after.has(k)) out.push({ key: k, change: "removed" });
    return out;
}
