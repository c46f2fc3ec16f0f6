import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { fleetKubeconfigContexts, planFleetKubeconfig } from "./fleet-kubeconfig";
import { MAX_NESTING_DEPTH, tooDeepPath } from "../../lib/terraform/depth";
import { keySegment, looksLikeCredential } from "../../lib/zodIssues";

// PROJECT: the namespace of the program's own config keys; FLEET_KUBECONFIG_KEY: the secret key whose
// stand-in must be a kubeconfig, not a plain test secret (fleet-kubeconfig.ts).
import { CONFIG_NAMESPACE as PROJECT, FLEET_KUBECONFIG_CONFIG_KEY as FLEET_KUBECONFIG_KEY } from "../../stacks/configKeys";
export { PROJECT };

/** Config as the Pulumi engine hands it to a program: every value a string, structured values as JSON. */
export interface EngineConfig {
    stack: string;
    /** Path of the stack file the config came from, relative to the project root. */
    file: string;
    /** `namespace:key` to value (objects and arrays JSON-encoded), as `pulumi.runtime.setAllConfig` takes it. */
    config: Record<string, string>;
    /** Keys whose value is, or contains, a `secure:` value. */
    secretKeys: string[];
}

/** A stack file that is missing or malformed: bad input, reported with the file and key. */
export class StackFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackFileError";
    }
}

/** The stack names that have a `stacks/Pulumi.<stack>.yaml`. */
export function listStacks(projectRoot: string): string[] {
    const dir = path.join(projectRoot, "stacks");
    return fs
        .readdirSync(dir)
        .map((f) => /^Pulumi\.([\w.-]+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/**
 * Reads `stacks/Pulumi.<stack>.yaml` the way the engine would hand it to the program, except that
 * `secure:` values, which only the stack's secrets provider can decrypt, become test secrets:
 * the offline plan needs no passphrase, KMS key or Pulumi Cloud. A secure `fleetKubeconfig` becomes
 * a kubeconfig with a test token for every context the fleet names.
 */
export function readStackConfig(projectRoot: string, stack: string, configFile?: string): EngineConfig {
    // Like `pulumi --config-file FILE`: another file in place of the stack's own.
    const file = configFile ?? path.join("stacks", `Pulumi.${stack}.yaml`);
    const full = path.resolve(projectRoot, file);
    if (!fs.existsSync(full)) {
        throw new StackFileError(`${file}: no such stack file; known stacks: ${listStacks(projectRoot).join(", ")}`);
    }
    if (!fs.statSync(full).isFile()) throw new StackFileError(`${file}: not a file`);
    const tooDeep = `nested too deeply to read (the config may nest at most ${MAX_NESTING_DEPTH} levels)`;
    let doc: YAML.Document.Parsed;
    try {
        doc = YAML.parseDocument(fs.readFileSync(full, "utf8"));
    } catch (e) {
        if (e instanceof RangeError) throw new StackFileError(`${file}: not valid YAML: ${tooDeep}`);
        throw e;
    }
    if (doc.errors.length > 0) {
        // The first line of each error names line and column; the lines after it quote the file,
        // which may hold a credential, so they are left out. The parser reports its own stack
        // overflow as an error at a position: say what it means.
        const lines = doc.errors.map((e) => e.message.split("\n")[0].replace(/Maximum call stack size exceeded/, tooDeep));
        throw new StackFileError(`${file}: not valid YAML: ${lines.join("; ")}`);
    }
    let parsed: unknown;
    try {
        parsed = doc.toJS({ maxAliasCount: 1000 }) ?? {};
    } catch (e) {
        if (e instanceof RangeError) throw new StackFileError(`${file}: not valid YAML: ${tooDeep}`);
        // An alias bomb (billion laughs) hits the alias limit.
        throw new StackFileError(`${file}: YAML aliases cannot be expanded: ${(e as Error).message.split("\n")[0]}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw new StackFileError(`${file}: expected a mapping at the top level`);
    }
    const rawConfig = (parsed as Record<string, unknown>).config ?? {};
    if (typeof rawConfig !== "object" || rawConfig === null || Array.isArray(rawConfig)) {
        throw new StackFileError(`${file}: config: expected a mapping of keys to values`);
    }
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [rawKey, rawValue] of Object.entries(rawConfig)) {
        const key = rawKey.includes(":") ? rawKey : `${PROJECT}:${rawKey}`;
        let secret = false;
        const value = replaceSecure(rawValue, key, () => {
            secret = true;
        }, file, [], looksLikeCredential(rawKey) ? keySegment(rawKey, true) : key);
        config[key] = typeof value === "string" ? value : JSON.stringify(value);
        if (secret) {
            secretKeys.push(key);
        }
    }
    // The schema, JSON and Pulumi's serializer recurse over the config. (The walk above is bounded by the
    // YAML parser's own depth limit, and refuses an alias that contains itself, which is infinitely deep.)
    const deep = tooDeepPath(rawConfig, MAX_NESTING_DEPTH + 1);
    if (deep) {
        const top = String(deep[0]);
        const at = `${looksLikeCredential(top) ? keySegment(top, true) : top}${deep.slice(1).map((k) => keySegment(k)).join("")}`;
        throw new StackFileError(`${file}: config.${at}: nested more than ${MAX_NESTING_DEPTH} levels deep`);
    }
    if (config[FLEET_KUBECONFIG_KEY] === testSecretFor(FLEET_KUBECONFIG_KEY)) {
        config[FLEET_KUBECONFIG_KEY] = planFleetKubeconfig(testSecretFor(FLEET_KUBECONFIG_KEY), fleetKubeconfigContexts(config[`${PROJECT}:platform`]));
    }
    return { stack, file, config, secretKeys };
}

/** The test secret that stands in for a `secure:` value of `key`. */
export function testSecretFor(key: string): string {
    return `plan-test-secret-for-${key.replace(/[^\w-]/g, "-")}`;
}

/**
 * `ancestors`: the values above this one; meeting one again means an alias that contains itself (`&a [*a]`).
 * `shownPath`: the key path as messages print it (a key shaped like a credential described, not shown).
 */
function replaceSecure(value: unknown, keyPath: string, onSecret: () => void, file: string, ancestors: unknown[] = [], shownPath = keyPath): unknown {
    if (typeof value !== "object" || value === null) {
        return value;
    }
    if (ancestors.includes(value)) {
        throw new StackFileError(`${file}: config.${shownPath}: a YAML alias refers to the node that contains it`);
    }
    const inner = [...ancestors, value];
    if (Array.isArray(value)) {
        return value.map((v, i) => replaceSecure(v, `${keyPath}[${i}]`, onSecret, file, inner, `${shownPath}[${i}]`));
    }
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0][0] === "secure") {
        onSecret();
        return testSecretFor(keyPath);
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, replaceSecure(v, `${keyPath}.${k}`, onSecret, file, inner, `${shownPath}${keySegment(k)}`)]));
}
