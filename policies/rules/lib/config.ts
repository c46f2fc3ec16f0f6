/**
 * Reads a policy's knobs. The Pulumi CLI fills in schema defaults before it calls `Configure`,
 * but a pack driven without config (tests, a bare analyzer) does not, so defaults are applied here too.
 */
export function readConfig<T extends object>(defaults: T, given: Partial<T> | undefined): T {
    const result: T = { ...defaults };
    for (const [key, value] of Object.entries(given ?? {})) {
        if (value !== undefined && value !== null) {
            (result as Record<string, unknown>)[key] = value;
        }
    }
    return result;
}

/** JSON schema of a list of strings with a default, for `configSchema` properties. */
export function stringList(description: string, defaults: string[]): Record<string, unknown> {
    return { type: "array", items: { type: "string" }, default: defaults, description };
}

/** JSON schema of a boolean knob with a default. */
export function flag(description: string, defaults: boolean): Record<string, unknown> {
    return { type: "boolean", default: defaults, description };
}
