import * as YAML from "yaml";
import { matchSecretShape } from "./secret-shapes";
import { formatPath, isRecord } from "./types";

/** A secret-looking value found in a resource input. Never carries the value itself. */
export interface SecretFinding {
    /** Where the value sits, e.g. `values.configs.secret.githubSecret`. */
    path: string;
    /** Which detector fired: a secretlint rule id, a known shape or the key-name heuristic. */
    reason: string;
    /** The same path as segments, relative to the scanned value (without `basePath`). */
    at: (string | number)[];
    /** When the value sits inside a YAML document held in a string: that string's path. */
    inYamlString?: (string | number)[];
}

/** Options for a secret scan. */
export interface SecretScanOptions {
    /** Path prefix for findings; default none. */
    basePath?: (string | number)[];
    /** Paths (relative to the scanned value) not to descend into, e.g. fields CrossGuard knows are secret; default none. */
    skip?: (path: readonly (string | number)[]) => boolean;
    /** Apply the key-name heuristic (password, token, secret, private key); default true. */
    keyNames?: boolean;
    /** Paths whose string values are YAML documents to scan inside (Argo CD `helm.values`); default none. */
    yamlStrings?: (path: readonly (string | number)[]) => boolean;
}

interface Leaf {
    path: (string | number)[];
    key: string;
    value: string;
    /** Path of the YAML string this leaf was parsed from, if any. */
    yamlAt?: (string | number)[];
}

/** Splits a key such as `argocdServerAdminPassword`, `DB_PASSWORD` or `server.secretkey` into lower-case words. */
function keyWords(key: string): string[] {
    return key
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter(w => w !== "");
}

const credentialWords = new Set(["password", "passwd", "pwd", "passphrase", "token", "secret", "secretkey", "privatekey", "apikey", "credentials"]);
const keyQualifiers = new Set(["private", "api", "secret", "access", "signing", "encryption"]);

/**
 * True when a key names a credential: its last word is password/token/secret/..., or it ends in
 * `private key`, `api key`, `access key`. Keys naming a reference to a secret (`existingSecret`,
 * `secretName`, `tokenSecretRef`) are not credentials.
 */
export function isCredentialKey(key: string): boolean {
    const words = keyWords(key);
    if (words.length === 0 || words[0] === "existing") {
        return false;
    }
    const last = words[words.length - 1];
    const prev = words[words.length - 2];
    return credentialWords.has(last) || (last === "key" && prev !== undefined && keyQualifiers.has(prev));
}

/** True for values that point at a secret rather than hold one: `$VAR`, `${VAR}`, `$secret:key`, templates, bcrypt hashes. */
function isReference(value: string): boolean {
    const v = value.trim();
    return v === "" || v.startsWith("$") || /^\{\{.*\}\}$/s.test(v) || /^<[^>]*>$/.test(v);
}

function collectLeaves(value: unknown, path: (string | number)[], key: string, options: SecretScanOptions, out: Leaf[], yamlAt?: (string | number)[]): void {
    if (options.skip?.(path)) {
        return;
    }
    if (typeof value === "string") {
        if (yamlAt === undefined && options.yamlStrings?.(path)) {
            let parsed: unknown;
            try {
                parsed = YAML.parse(value);
            } catch {
                parsed = value; // not YAML after all: scanned as text
            }
            if (typeof parsed !== "string") {
                collectLeaves(parsed, path, key, options, out, path);
                return;
            }
        }
        out.push({ path, key, value, yamlAt });
        return;
    }
    if (Array.isArray(value)) {
        value.forEach((v, i) => collectLeaves(v, [...path, i], key, options, out, yamlAt));
        return;
    }
    if (!isRecord(value)) {
        return;
    }
    // Env vars and Helm parameters are {name, value} pairs: the name is the key that matters.
    if (typeof value.name === "string" && typeof value.value === "string") {
        for (const [k, v] of Object.entries(value)) {
            collectLeaves(v, [...path, k], k === "value" ? value.name : k, options, out, yamlAt);
        }
        return;
    }
    for (const [k, v] of Object.entries(value)) {
        collectLeaves(v, [...path, k], k, options, out, yamlAt);
    }
}

type LintSource = typeof import("@secretlint/core").lintSource;
type SecretlintRule = { id: string; rule: unknown };
let secretlint: Promise<{ lintSource: LintSource; preset: SecretlintRule }> | undefined;

/** Loads secretlint (ESM) once; the recommended preset covers AWS, GCP, GitHub, Slack, private keys, basic auth, ... */
function loadSecretlint(): Promise<{ lintSource: LintSource; preset: SecretlintRule }> {
    secretlint ??= (async () => {
        // Its profiler keeps every mark it ever made and searches them on each new one: with one
        // scan per resource that grows quadratically (a 500-cluster plan spent minutes there).
        (await import("@secretlint/profiler")).secretLintProfiler.setEnabled(false);
        const core = await import("@secretlint/core");
        const presetModule = await import("@secretlint/secretlint-rule-preset-recommend");
        return { lintSource: core.lintSource, preset: { id: presetModule.creator.meta.id, rule: presetModule.creator } };
    })();
    return secretlint;
}

/**
 * Finds secret-looking values in `root`: every string is run through secretlint's recommended preset
 * (with its key as context, since some rules need it) and, unless disabled, keys naming a credential
 * with a literal value are reported. Findings name the path and the detector, never the value.
 */
export async function findSecretLiterals(root: unknown, options: SecretScanOptions = {}): Promise<SecretFinding[]> {
    const leaves: Leaf[] = [];
    collectLeaves(root, [], "", options, leaves);
    const base = options.basePath ?? [];
    const findings = new Map<string, SecretFinding>();
    const add = (leaf: Leaf, reason: string) => {
        const path = formatPath([...base, ...leaf.path]);
        if (!findings.has(path)) {
            findings.set(path, { path, reason, at: leaf.path, ...(leaf.yamlAt ? { inYamlString: leaf.yamlAt } : {}) });
        }
    };

    // One secretlint run per resource: lines of `key: value`, mapped back by offset.
    const offsets: { start: number; end: number; leaf: Leaf }[] = [];
    let content = "";
    for (const leaf of leaves) {
        const line = `${leaf.key}: ${leaf.value}\n`;
        offsets.push({ start: content.length, end: content.length + line.length, leaf });
        content += line;
    }
    if (content !== "") {
        const { lintSource, preset } = await loadSecretlint();
        const result = await lintSource({
            source: { content, filePath: "resource-inputs.txt", contentType: "text" },
            options: { config: { rules: [preset as never] }, maskSecrets: true, noPhysicFilePath: true },
        });
        for (const message of result.messages) {
            const at = offsets.find(o => message.range[0] >= o.start && message.range[0] < o.end);
            if (at) {
                add(at.leaf, `secretlint ${message.ruleId.replace("@secretlint/secretlint-rule-", "")}`);
            }
        }
    }
    for (const leaf of leaves) {
        const shape = matchSecretShape(leaf.value);
        if (shape) {
            add(leaf, `shape ${shape}`);
        }
    }
    if (options.keyNames ?? true) {
        for (const leaf of leaves) {
            if (isCredentialKey(leaf.key) && !isReference(leaf.value)) {
                add(leaf, `key "${leaf.key}" names a credential`);
            }
        }
    }
    return [...findings.values()];
}
