/**
 * Turns zod issues into the one-line-per-problem text of every config and Terraform source error.
 * Key paths are written by the policy pack's `formatPath` (`outputs.vpc_id.value`, `headers["X-Token"]`,
 * `[2]`), so a config error, a Terraform source error and a policy finding spell a path alike, with
 * two exceptions for keys that are not safe to print: a key shaped like a credential (a token pasted
 * as a map key) is described, never shown, and invisible or control characters are escaped, so a key
 * cannot hide text or forge a line of the message.
 */
import type { z } from "zod";
import { formatPath, matchSecretShape } from "gitops-platform-policies/shared";

/** Token prefixes of the common issuers (GitHub, GitLab, Slack, npm, OpenAI/Anthropic, Hugging Face, PyPI). */
export const TOKEN_PREFIX = /^(gh[pousr]_|github_pat_|glpat-|xox[abpre]-|npm_|sk-|hf_|pypi-)/;

/**
 * Whether a text is shaped like a credential: a known token prefix, a shape the policy pack knows
 * (`matchSecretShape`), or a long run of mixed-case letters and digits with no word in it.
 */
export function looksLikeCredential(text: string): boolean {
    if (TOKEN_PREFIX.test(text) || matchSecretShape(text) !== undefined) return true;
    return text.length >= 32 && /^[A-Za-z0-9+/=_-]+$/.test(text) && /\d/.test(text) && /[a-z]/.test(text) && /[A-Z]/.test(text);
}

/** Characters escaped in a printed key: controls, invisible formatting (zero-width, bidi), odd spaces. */
const UNSAFE_CHARACTER = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/gu;

const HAS_UNSAFE_CHARACTER = new RegExp(UNSAFE_CHARACTER.source, "u");

/** Whether a key holds a character that `keySegment` escapes (a control, invisible or bidi character). */
export function hasUnsafeCharacter(key: string): boolean {
    return HAS_UNSAFE_CHARACTER.test(key);
}

/** One segment of a key path as printed: `.name`, `["odd key"]`, `[2]`, or a described credential. */
export function keySegment(key: string | number, first = false): string {
    if (typeof key === "number") return `[${key}]`;
    if (looksLikeCredential(key)) return `[(a key of ${key.length} characters shaped like a credential, not shown)]`;
    if (HAS_UNSAFE_CHARACTER.test(key)) {
        const escaped = JSON.stringify(key).replace(UNSAFE_CHARACTER, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, "0")}`);
        return `[${escaped}]`;
    }
    const text = formatPath([key]);
    return first || text.startsWith("[") ? text : `.${text}`;
}

/** A key path as printed (see `keySegment`); `formatPath` for keys that are safe to show. */
export function formatKeyPath(path: readonly (string | number)[]): string {
    return path.map((key, i) => keySegment(key, i === 0)).join("");
}

/** A zod issue path as `formatPath` takes it (a symbol key, which parsed JSON and YAML never have, by its description). */
export function keyPath(path: readonly PropertyKey[]): (string | number)[] {
    return path.map((key) => (typeof key === "symbol" ? String(key) : key));
}

/**
 * The path of an issue: zod 4 puts the discriminator of a union whose discriminator matched no
 * option into the path already, so it is not appended again (`cluster.mode`, not `cluster.mode.mode`).
 */
export function issuePath(issue: z.core.$ZodIssue): PropertyKey[] {
    const discriminator = issue.code === "invalid_union" && "discriminator" in issue ? (issue.discriminator as string | undefined) : undefined;
    if (discriminator === undefined || issue.path[issue.path.length - 1] === discriminator) return [...issue.path];
    return [...issue.path, discriminator];
}

/** One line per issue, `<key path>: <message>`, prefixed by `prefix` (to name e.g. a CLI flag set). */
export function formatZodIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): string[] {
    return issues.flatMap((issue) => {
        const at = (extra: PropertyKey[] = []) => formatKeyPath(keyPath([...prefix, ...issuePath(issue), ...extra])) || "(top level)";
        // zod's own message quotes the keys ("Unrecognized key: \"x\""): one line per key instead, each with its path.
        if (issue.code === "unrecognized_keys") return issue.keys.map((key) => `${at([key])}: unknown key`);
        return [`${at()}: ${issue.message}`];
    });
}
