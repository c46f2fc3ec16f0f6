/**
 * Turns zod issues into the one-line-per-problem text of every config and Terraform source error.
 * Key paths are written by the policy pack's `formatPath` (`outputs.vpc_id.value`, `headers["X-Token"]`,
 * `[2]`), so a config error, a Terraform source error and a policy finding spell a path alike.
 */
import type { z } from "zod";
import { formatPath } from "gitops-platform-policies/shared";

/** A zod issue path as `formatPath` takes it (a symbol key, which parsed JSON and YAML never have, by its description). */
export function keyPath(path: readonly PropertyKey[]): (string | number)[] {
    return path.map((key) => (typeof key === "symbol" ? String(key) : key));
}

/** One line per issue, `<key path>: <message>`, prefixed by `prefix` (to name e.g. a CLI flag set). */
export function formatZodIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): string[] {
    return issues.map((issue) => `${formatPath(keyPath([...prefix, ...issue.path])) || "(top level)"}: ${issue.message}`);
}
