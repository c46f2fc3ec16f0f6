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
    /** The credential is the last key of `at` itself, not its value (`path` then names the key's parent, never the key). */
    inKey?: true;
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
    /** The leaf is a key (its value is the key's text), scanned for credential shapes only. */
    isKey?: true;
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

/**
 * Environment variables that hold a credential under a name the word rule misses (one word, or a word that is not a
 * credential elsewhere): PostgreSQL's and MySQL's client passwords, redis-cli's, Sentry's DSN (it embeds the key),
 * Slack's incoming-webhook URL (the URL is the secret), Docker's auth config.
 */
const credentialEnvNames = new Set(["pgpassword", "mysql_pwd", "rediscli_auth", "sentry_dsn", "slack_webhook_url", "docker_auth_config", "npm_config__auth"]);
const keyQualifiers = new Set(["private", "api", "secret", "access", "signing", "encryption"]);

/**
 * True when a key names a credential: its last word is password/token/secret/..., or it ends in
 * `private key`, `api key`, `access key`. Keys naming a reference to a secret (`existingSecret`,
 * `secretName`, `tokenSecretRef`) are not credentials.
 */
export function isCredentialKey(key: string): boolean {
    let verdict = credentialKeys.get(key);
    if (verdict === undefined) {
        if (credentialKeys.size > 100_000) credentialKeys.clear();
        credentialKeys.set(key, (verdict = namesCredential(key)));
    }
    return verdict;
}

/** What {@link isCredentialKey} said of each key: a plan repeats the same keys on thousands of resources. */
const credentialKeys = new Map<string, boolean>();

function namesCredential(key: string): boolean {
    if (credentialEnvNames.has(key.toLowerCase())) {
        return true;
    }
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
    // A number or a boolean under a credential's name is a literal credential too (`password: 12345678`).
    if (typeof value === "number" || typeof value === "bigint") {
        out.push({ path, key, value: String(value), yamlAt });
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
    // A key can be a credential too (a token pasted as a map key): scanned for shapes, reported without its text.
    for (const k of Object.keys(value)) {
        if (k.length >= 16 && !options.skip?.([...path, k])) out.push({ path: [...path, k], key: "", value: k, yamlAt, isKey: true });
    }
    // Env vars and Helm parameters are {name, value} pairs: the name is the key that matters.
    if (typeof value.name === "string" && (typeof value.value === "string" || typeof value.value === "number")) {
        for (const [k, v] of Object.entries(value)) {
            collectLeaves(v, [...path, k], k === "value" ? value.name : k, options, out, yamlAt);
        }
        return;
    }
    for (const [k, v] of Object.entries(value)) {
        collectLeaves(v, [...path, k], k, options, out, yamlAt);
    }
}

/** What secretlint found in each resource's lines (offset and rule), kept across requests; cleared past this many. */
const linted = new Map<string, { at: number; rule: string }[]>();
const LINTED_KEPT = 20_000;

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
        // A key that is a credential is named by its parent and position, never by its text.
        const path = leaf.isKey ? `${formatPath([...base, ...leaf.path.slice(0, -1)]) || "(root)"}: a key` : formatPath([...base, ...leaf.path]);
        const key = leaf.isKey ? `${path} ${leaf.path.length} ${leaf.value.length} ${findings.size}` : path;
        if (!findings.has(key)) {
            findings.set(key, { path, reason, at: leaf.path, ...(leaf.yamlAt ? { inYamlString: leaf.yamlAt } : {}), ...(leaf.isKey ? { inKey: true as const } : {}) });
        }
    };

    // One secretlint run per resource: lines of `key: value`, mapped back by offset. Some rules read the lines
    // around a match (an AWS secret key is one beside a key ID), so a resource is linted whole; what secretlint
    // said of a whole resource is remembered, since the pack sees the same inputs again (preview, then update).
    const offsets: { start: number; end: number; keyEnd: number }[] = [];
    /** Matches that begin in a long key: the value's, unless the key itself is the credential (found below). */
    const inKeyPart: { leaf: Leaf; rule: string }[] = [];
    let content = "";
    for (const leaf of leaves) {
        const line = `${leaf.key}: ${leaf.value}\n`;
        // A long key is scanned as a leaf of its own: a match inside it is not its value's.
        offsets.push({ start: content.length, end: content.length + line.length, keyEnd: leaf.key.length >= 16 ? content.length + leaf.key.length + 2 : content.length });
        content += line;
    }
    if (content !== "") {
        let found = linted.get(content);
        if (found === undefined) {
            const { lintSource, preset } = await loadSecretlint();
            const result = await lintSource({
                source: { content, filePath: "resource-inputs.txt", contentType: "text" },
                options: { config: { rules: [preset as never] }, maskSecrets: true, noPhysicFilePath: true },
            });
            found = result.messages.map((m) => ({ at: m.range[0], rule: m.ruleId.replace("@secretlint/secretlint-rule-", "") }));
            if (linted.size > LINTED_KEPT) linted.clear();
            linted.set(content, found);
        }
        for (const { at, rule } of found) {
            const i = offsets.findIndex((o) => at >= o.start && at < o.end);
            if (i < 0) continue;
            if (at >= offsets[i].keyEnd) add(leaves[i], `secretlint ${rule}`);
            else inKeyPart.push({ leaf: leaves[i], rule });
        }
    }
    for (const leaf of leaves) {
        const shape = matchSecretShape(leaf.value);
        if (shape) {
            add(leaf, `shape ${shape}`);
        }
    }
    // Keys are judged by now (secretlint and shapes): a match in a key that is not itself a credential is its value's.
    const credentialKeysFound = new Set([...findings.values()].filter((f) => f.inKey).map((f) => String(f.at[f.at.length - 1])));
    for (const { leaf, rule } of inKeyPart) {
        if (!credentialKeysFound.has(leaf.key)) add(leaf, `secretlint ${rule}`);
    }
    if (options.keyNames ?? true) {
        for (const leaf of leaves) {
            if (!leaf.isKey && isCredentialKey(leaf.key) && !isReference(leaf.value)) {
                add(leaf, `key "${leaf.key}" names a credential`);
            }
        }
    }
    // A finding below a key that is itself a credential names that key by position, never by its text.
    const secretKeys = new Set([...findings.values()].filter((f) => f.inKey).map((f) => String(f.at[f.at.length - 1])));
    if (secretKeys.size === 0) return [...findings.values()];
    return [...findings.values()].map((f) => (f.inKey ? f : { ...f, path: formatPath([...base, ...f.at.map((k) => (secretKeys.has(String(k)) ? "[a key]" : k))]) }));
}
