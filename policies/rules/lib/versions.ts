import * as semver from "semver";

/** Why a revision is not pinned; undefined when it is. */
export type PinProblem = string | undefined;

const fullCommit = /^[0-9a-f]{40}$/i;

/** True for Go-template / ApplicationSet placeholders, whose value is only known at generation time. */
export function isTemplated(value: string): boolean {
    return /\{\{.*\}\}/.test(value);
}

/**
 * Checks a chart version: exact semantic version (a leading `v` is tolerated, as Helm does), never
 * `latest`, `*`, a range or empty.
 */
export function chartVersionProblem(version: unknown): PinProblem {
    if (version === undefined || version === null || version === "") {
        return "no version is set, so the newest chart is installed";
    }
    if (typeof version !== "string") {
        return `version ${JSON.stringify(version)} is not a string`;
    }
    const v = version.trim();
    if (isTemplated(v)) {
        return `version "${v}" is a template, so it cannot be checked to be exact`;
    }
    if (v.toLowerCase() === "latest" || v === "*") {
        return `version "${v}" floats to the newest chart`;
    }
    if (semver.valid(v.replace(/^v/, "")) === null) {
        return semver.validRange(v) !== null
            ? `version "${v}" is a range, not an exact version`
            : `version "${v}" is not an exact semantic version`;
    }
    return undefined;
}

/** Settings for Git revision checks. */
export interface GitPinOptions {
    /** Allow HEAD and branch names (branch tracking); default false. */
    allowBranchTracking: boolean;
    /** Regular expression a tag must match; default a semantic version with optional `v`. */
    tagPattern: string;
}

/** Default tag pattern: `v1.2.3`, `1.2.3`, `v1.2.3-rc.1`. */
export const defaultTagPattern = "^v?\\d+\\.\\d+\\.\\d+([-+][0-9A-Za-z.-]+)?$";

/**
 * Checks a Git `targetRevision`: a 40-hex commit or a tag matching the tag pattern. An empty revision is
 * HEAD in Argo CD. Branches and HEAD pass only with branch tracking; `*` and ranges never do.
 */
export function gitRevisionProblem(revision: unknown, options: GitPinOptions): PinProblem {
    const rev = typeof revision === "string" ? revision.trim() : "";
    if (revision !== undefined && revision !== null && typeof revision !== "string") {
        return `targetRevision ${JSON.stringify(revision)} is not a string`;
    }
    if (fullCommit.test(rev) || new RegExp(options.tagPattern).test(rev)) {
        return undefined;
    }
    if (isTemplated(rev)) {
        return `targetRevision "${rev}" is a template, so it cannot be checked to be a tag or commit`;
    }
    if (rev === "*" || (/[*^~<>=| ]/.test(rev) && semver.validRange(rev) !== null)) {
        return `targetRevision "${rev}" is a range, not a tag or commit`;
    }
    if (options.allowBranchTracking) {
        return undefined;
    }
    if (rev === "" || rev.toUpperCase() === "HEAD") {
        return `targetRevision "${rev || "(empty, i.e. HEAD)"}" tracks HEAD`;
    }
    return `targetRevision "${rev}" is a branch or other moving ref, not a tag or a 40-hex commit`;
}
