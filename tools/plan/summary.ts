import { RegisteredResource } from "./run-program";

/** A policy finding as the plan reports it. */
export interface Violation {
    policyName: string;
    enforcementLevel: string;
    message: string;
    urn?: string;
}

/** Counts by key, largest first, as "  N key" lines. */
function countLines(keys: string[]): string[] {
    const counts = new Map<string, number>();
    for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
    return [...counts.entries()]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([k, n]) => `  ${String(n).padStart(4)} ${k}`);
}

/** The short text summary the plan prints: resources by type, violations by level. */
export function formatSummary(stack: string, dir: string, resources: RegisteredResource[], manifests: number, violations: Violation[]): string {
    const lines = [`plan ${stack}: ${resources.length} resources, ${manifests} manifests, written to ${dir}`, "resources by type:"];
    lines.push(...countLines(resources.map((r) => r.type)));
    const levels = countLines(violations.map((v) => v.enforcementLevel));
    lines.push(violations.length === 0 ? "policy violations: none" : "policy violations by level:", ...levels);
    for (const v of violations) {
        const name = v.urn ? v.urn.split("::").pop() : "stack";
        // The engine's messages are "<policy description>\n<reason>": the reason is what to show.
        const reason = v.message.split("\n").slice(1).join(" ").trim() || v.message;
        lines.push(`  [${v.enforcementLevel}] ${v.policyName} (${name}): ${reason}`);
    }
    return lines.join("\n");
}
