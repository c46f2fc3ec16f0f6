import * as semver from "semver";
import { z } from "zod";
import { shown } from "./common";

/**
 * An exact semantic version such as `10.1.1` (or `1.0.0-rc.1`, or `v1.16.2` for charts such as
 * cert-manager that publish with a leading `v`): never a range (`^10`, `~1.2`, `>=1`), a wildcard
 * or `latest`, because a chart that floats makes a plan unrepeatable.
 */
export const ExactVersionSchema = z.string().superRefine((value, ctx) => {
    const bare = value.startsWith("v") ? value.slice(1) : value;
    // semver.valid also accepts "=1.2.3" and normalises it; an exact pin must already be clean.
    if (semver.valid(bare) !== bare) {
        ctx.addIssue({ code: "custom", message: `expected an exact version like 10.1.1, got ${shown(value)}` });
    }
});

/** A full 40-hex Git commit SHA. */
export const CommitShaSchema = z
    .string()
    .regex(/^[0-9a-f]{40}$/, { message: "expected a full 40-character lowercase hex Git commit SHA" });

/**
 * A Git revision that pins content: a 40-hex commit or a release tag ending in an exact version
 * (`v1.2.3`, `1.2.3`, `hello-service-1.2.3`). Anything else is a branch name.
 */
export function isPinnedRevision(revision: string): boolean {
    if (/^[0-9a-f]{40}$/.test(revision)) return true;
    const match = /^(?:.*[-/])?v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(revision);
    return match !== null && semver.valid(match[1]) === match[1];
}

/** A Git revision: a commit, a tag or a branch (whether a branch is allowed is decided per application). */
export const GitRevisionSchema = z.string().min(1).regex(/^[^\s~^:?*[\\]+$/, { message: "expected a Git commit, tag or branch name" });
