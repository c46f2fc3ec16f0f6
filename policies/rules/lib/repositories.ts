/**
 * Matching repository URLs against an allow-list with per-organisation wildcards.
 * `*` matches within one path segment, `**` across segments, so `https://github.com/acme-platform/*`
 * allows every repository of the organisation but nothing nested elsewhere.
 */

/**
 * Normalises a repository URL: scp-style Git to https, lower-case scheme and host, no `.git` or trailing `/`,
 * and no `oci://` (Argo CD names a Helm OCI repository without a scheme, Helm with one: the same registry).
 */
export function normalizeRepoUrl(url: string): string {
    let u = url.trim().replace(/^oci:\/\//i, "");
    // git@github.com:org/repo.git is the scp form of ssh://git@github.com/org/repo.git.
    const scp = /^[\w.-]+@([\w.-]+):(?!\/)(.*)$/.exec(u);
    if (scp) {
        u = `https://${scp[1]}/${scp[2]}`;
    }
    u = u.replace(/^ssh:\/\/[\w.-]+@/, "https://").replace(/^git:\/\//, "https://");
    const m = /^([a-z][a-z0-9+.-]*:\/\/)?([^/]*)(.*)$/i.exec(u);
    if (m) {
        u = (m[1] ?? "").toLowerCase() + m[2].toLowerCase() + m[3];
    }
    return u.replace(/\/+$/, "").replace(/\.git$/, "");
}

/** The URL as a message may show it: any user info (`user:password@`) replaced, since it may be a credential. */
export function displayRepoUrl(url: string): string {
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, "$1[user-info]@");
}

function patternToRegExp(pattern: string): RegExp {
    const normalized = normalizeRepoUrl(pattern);
    let source = "";
    for (let i = 0; i < normalized.length; i++) {
        const c = normalized[i];
        if (c === "*") {
            if (normalized[i + 1] === "*") {
                source += ".*";
                i++;
            } else {
                source += "[^/]*";
            }
        } else {
            source += c.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
        }
    }
    return new RegExp(`^${source}$`);
}

/** True when `url` matches at least one allowed pattern. */
export function isAllowedRepo(url: string, allowed: readonly string[]): boolean {
    const target = normalizeRepoUrl(url);
    return allowed.some(pattern => patternToRegExp(pattern).test(target));
}

/**
 * True when an AppProject `sourceRepos` pattern stays inside the allow-list: it is itself allowed, or it is
 * literally one of the allowed patterns (an organisation wildcard may be repeated as is).
 */
export function isAllowedRepoPattern(pattern: string, allowed: readonly string[]): boolean {
    const normalized = normalizeRepoUrl(pattern);
    return allowed.some(a => normalizeRepoUrl(a) === normalized) || (!pattern.includes("*") && isAllowedRepo(pattern, allowed));
}
