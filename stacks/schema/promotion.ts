/**
 * Release lines `npm run promote` moves a release along: environments in promotion order, each a
 * team application of this hub (`gitops.applications`) whose release is a key of its last values
 * file in Git. A release reaches an environment by a commit to that file, once the environment
 * before it has run it Synced and Healthy for its soak time; `--rollback` is a new commit back.
 */
import { z } from "zod";
import { KubernetesNameSchema } from "./common";

/** `1h30m`, `2m`, `45s`, `0s`: hours, minutes, seconds, in that order, each at most once. */
const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Milliseconds of a duration like `1h30m`, or undefined when it is not one. */
export function durationMs(text: string): number | undefined {
    const match = DURATION.exec(text);
    if (!match || text === "") return undefined;
    const [h, m, s] = match.slice(1).map((part) => Number(part ?? 0));
    return ((h * 60 + m) * 60 + s) * 1000;
}

/** A duration as written in the config: `30s`, `2m`, `1h`, `1h30m`. */
export const DurationSchema = z.string().refine((text) => durationMs(text) !== undefined, { message: "expected a duration like 30s, 2m, 1h or 1h30m" });

/** A dotted key path into a values file, e.g. `image.tag`. */
export const ReleaseKeySchema = z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, { message: "expected a dotted key path like image.tag" });

/** One environment of a release line. */
export const PromotionEnvironmentSchema = z.strictObject({
    /** Environment name, what `--from`, `--to` and `--env` name. Required; unique in the line. */
    name: KubernetesNameSchema,
    /**
     * The `gitops.applications` entry that deploys this environment; its release is `release` in the
     * entry's last `source.valueFiles` file, in its chart folder `source.path`. Required.
     */
    application: KubernetesNameSchema,
    /**
     * The environment is another stack's: `application` is an entry of `stacks/Pulumi.<stack>.yaml`,
     * and the release that entry's `source.version` (Helm/OCI) or `source.revision` (Git), edited in
     * that file. Default: none, an entry of this stack.
     */
    stack: z.string().regex(/^[\w.-]+$/, { message: "expected a stack name like prod" }).optional(),
    /** How long every Application must have been Synced and Healthy before the release may go on from here. Default `0s`. */
    soak: DurationSchema.default("0s"),
    /**
     * After a promotion to here, how long each Application has, from its sync start, to become
     * Healthy before the wave counts as failed and `--watch` rolls back. Default `10m`.
     */
    verifyWindow: DurationSchema.default("10m"),
});
export type PromotionEnvironmentConfig = z.infer<typeof PromotionEnvironmentSchema>;

/** A release line: one application's environments, in promotion order. */
export const PromotionSchema = z.strictObject({
    /** The release line's name, what `--app` names. Required; unique across `gitops.promotion`. */
    application: KubernetesNameSchema,
    /** Key path of the release in each environment's release file. Default `image.tag`. */
    release: ReleaseKeySchema.default("image.tag"),
    /** Environments in promotion order. Required, at least two, names unique. */
    environments: z
        .array(PromotionEnvironmentSchema)
        .min(2, { message: "at least two environments (a release is promoted from one to the next)" })
        .superRefine((environments, ctx) => {
            const seen = new Map<string, number>();
            environments.forEach((env, j) => {
                const first = seen.get(env.name);
                if (first !== undefined) ctx.addIssue({ code: "custom", path: [j, "name"], message: `environment ${JSON.stringify(env.name)} is named twice (also at [${first}])` });
                else seen.set(env.name, j);
            });
        }),
});
export type PromotionConfig = z.infer<typeof PromotionSchema>;
