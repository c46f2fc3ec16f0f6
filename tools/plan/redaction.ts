/**
 * The one place the plan keeps secrets out of what it writes and prints. Two layers:
 * - structure: every Pulumi secret, and every literal the secret detectors (the policy pack's own,
 *   policies/rules/lib/secrets.ts) find in a resource's inputs, is replaced by `[secret]` in the
 *   resources and manifests the plan writes, keeping the value's shape;
 * - text: every secret string known to the run (those values, the stack config's secret-looking
 *   values, the test secrets of `secure:` keys) is replaced wherever it appears in any file or
 *   console line, so a value copied into a message or another field cannot leak either.
 */
import * as YAML from "yaml";
import { findSecretLiterals, SecretFinding, SecretScanOptions } from "gitops-platform-policies/shared";
import { RegisteredResource } from "./run-program";
import { isSerializedSecret, REDACTED, redactSecrets, unwrapSecrets } from "./secrets";

/** Argo CD Helm values are a YAML document in a string: scanned inside, as the policy pack does. */
const SCAN_OPTIONS: SecretScanOptions = { yamlStrings: (path) => path[path.length - 1] === "values" && path.includes("helm") };

/** Shorter strings are too common to scrub from text without mangling it (and too short to be a credential). */
const MIN_SCRUB_LENGTH = 6;

/**
 * Public strings that often sit inside a secret beside the credential (a repository Secret's URL, a kubeconfig's
 * server, a role's ARN): long, letters and digits, yet not secret. Scrubbing them everywhere hid real changes (an
 * application moved to another registry showed as no change), so they are never taken for generated credentials.
 */
const PUBLIC_SHAPES: readonly RegExp[] = [
    /^[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+(:\d+)?(\/\S*)?$/i, // a URL without user info (one with user info is a credential's)
    /^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?(\/[\w./-]*)?$/i, // a host or registry path (123.dkr.ecr.eu-west-1.amazonaws.com/charts)
    /^arn:[\w-]+:[\w-]*:[\w-]*:\d*:\S+$/, // an AWS ARN
];

/** A generated credential's look: one token, long, letters and digits (a random password, a key, base64), not a public shape. */
function looksGenerated(value: string): boolean {
    return value.length >= 16 && !/\s/.test(value) && /[A-Za-z]/.test(value) && /\d/.test(value) && !PUBLIC_SHAPES.some((p) => p.test(value));
}

/** Replaces known secret strings in text. */
export class Redactor {
    private readonly secrets = new Set<string>();
    /** One alternation of every secret (and its JSON-escaped form), longest first; rebuilt after an add. */
    private pattern: RegExp | undefined;

    /** Remembers a secret string. */
    add(value: string): void {
        if (value.length >= MIN_SCRUB_LENGTH && !this.secrets.has(value)) {
            this.secrets.add(value);
            this.pattern = undefined;
        }
    }

    /** Remembers every string inside a value. */
    addAll(value: unknown): void {
        if (typeof value === "string") this.add(value);
        else if (Array.isArray(value)) value.forEach((v) => this.addAll(v));
        else if (typeof value === "object" && value !== null) Object.values(value).forEach((v) => this.addAll(v));
    }

    /** A copy of a JSON-like value with {@link scrub} applied to every string (its syntax stays valid when serialized). */
    scrubValue<T>(value: T): T {
        if (typeof value === "string") return this.scrub(value) as T;
        if (Array.isArray(value)) return value.map((v) => this.scrubValue(v)) as T;
        if (typeof value === "object" && value !== null) {
            return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.scrub(k), this.scrubValue(v)])) as T;
        }
        return value;
    }

    /** `text` with every known secret replaced by `[secret]`, in one pass (longest first, so no fragment survives). */
    scrub(text: string): string {
        if (this.secrets.size === 0) return text;
        this.pattern ??= this.buildPattern();
        return text.replace(this.pattern, REDACTED);
    }

    private buildPattern(): RegExp {
        // JSON and YAML writers escape some characters: the escaped form is looked for too.
        const forms = new Set([...this.secrets].flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]));
        const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        return new RegExp([...forms].sort((a, b) => b.length - a.length).map(escape).join("|"), "g");
    }
}

/**
 * Remembers the credentials among the Pulumi secrets inside a serialized value (resource inputs, stack
 * outputs): what the detectors flag, and generated-looking tokens. Not every part of a secret is one: a
 * cluster Secret's name or a kubeconfig's `kind: Config` would mangle every other line they appear in.
 */
export async function addPulumiSecrets(redactor: Redactor, value: unknown): Promise<void> {
    const plaintexts: unknown[] = [];
    const walk = (v: unknown): void => {
        if (isSerializedSecret(v)) plaintexts.push(unwrapSecrets(v.value));
        else if (typeof v === "object" && v !== null) Object.values(v).forEach(walk);
    };
    walk(value);
    for (const plaintext of plaintexts) {
        for (const finding of await findSecretLiterals({ secret: plaintext })) learnFinding(redactor, { secret: plaintext }, finding);
        forEachString(plaintext, (s) => looksGenerated(s) && redactor.add(s));
    }
}

function forEachString(value: unknown, fn: (s: string) => unknown): void {
    if (typeof value === "string") fn(value);
    else if (typeof value === "object" && value !== null) Object.values(value).forEach((v) => forEachString(v, fn));
}

/** Secret-looking literals in plain config values (the stack file before any resource exists). */
export async function addConfigSecrets(redactor: Redactor, config: Record<string, string>, secretValues: string[]): Promise<void> {
    secretValues.forEach((v) => redactor.add(v));
    const parsed = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, parseJson(v)]));
    for (const finding of await findSecretLiterals(parsed)) learnFinding(redactor, parsed, finding);
}

/**
 * Learns the secrets of an object a chart rendered for an Argo CD Application (the policy pack's
 * manifests entry point judges it whole): every value of a Secret's `data` (decoded, and as written)
 * and `stringData`, and every literal the secret detectors find in any object (a token in a ConfigMap).
 */
export async function addRenderedSecrets(redactor: Redactor, object: Record<string, unknown>): Promise<void> {
    if (object.kind === "Secret") {
        for (const [field, encoded] of [["data", true], ["stringData", false]] as const) {
            const data = object[field];
            if (typeof data !== "object" || data === null) continue;
            for (const value of Object.values(data)) {
                if (typeof value !== "string") continue;
                redactor.add(value);
                if (encoded) redactor.add(Buffer.from(value, "base64").toString("utf8"));
            }
        }
    }
    for (const finding of await findSecretLiterals(object)) learnFinding(redactor, object, finding);
}

/**
 * The resources with every secret and detected literal replaced by `[secret]`; each replaced value
 * is added to `redactor`. The run's own resources are not changed (the policy pack needs them).
 */
export async function redactResources(resources: RegisteredResource[], redactor: Redactor): Promise<RegisteredResource[]> {
    const out: RegisteredResource[] = [];
    for (const r of resources) {
        await addPulumiSecrets(redactor, r.properties);
        let properties = redactSecrets(r.properties) as Record<string, unknown>;
        const findings = await findSecretLiterals(properties, SCAN_OPTIONS);
        if (findings.length > 0) {
            properties = structuredClone(properties);
            for (const f of findings) {
                if (f.inKey) {
                    // A credential used as a key: the key is the secret (its value is not), renamed wherever it is.
                    redactor.add(String(f.at[f.at.length - 1]));
                    continue;
                }
                if (f.inYamlString) {
                    const doc = YAML.parse(valueAt(properties, f.inYamlString) as string) as unknown;
                    const inner = f.at.slice(f.inYamlString.length);
                    redactor.addAll(valueAt(doc, inner));
                    setValueAt(properties, f.inYamlString, YAML.stringify(setValueAt(doc, inner, REDACTED)));
                } else {
                    redactor.addAll(valueAt(properties, f.at));
                    setValueAt(properties, f.at, REDACTED);
                }
            }
        }
        out.push({ ...r, properties, inputs: properties });
    }
    return out;
}

/** Remembers what a detector found: the value at its path, or the key itself when the key is the credential. */
function learnFinding(redactor: Redactor, root: unknown, finding: SecretFinding): void {
    if (finding.inKey) redactor.add(String(finding.at[finding.at.length - 1]));
    else redactor.addAll(valueAt(root, finding.at));
}

function parseJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
    return path.reduce<unknown>((v, k) => (typeof v === "object" && v !== null ? (v as Record<string | number, unknown>)[k] : undefined), root);
}

/** Sets the value at `path` (an empty path replaces the root) and returns the root. */
function setValueAt(root: unknown, path: readonly (string | number)[], value: unknown): unknown {
    if (path.length === 0) return value;
    const parent = valueAt(root, path.slice(0, -1));
    if (typeof parent === "object" && parent !== null) (parent as Record<string | number, unknown>)[path[path.length - 1]] = value;
    return root;
}
