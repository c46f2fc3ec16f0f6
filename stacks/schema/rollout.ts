/**
 * A team application's rollout across the clusters its selector picks: waves of clusters, by cluster
 * labels, synced one after the other by the ApplicationSet controller's progressive syncs
 * (`strategy: RollingSync`): a wave starts only once every Application of the wave before it is
 * Healthy, so a release that never becomes Healthy stops at the first wave.
 */
import { z } from "zod";
import { KubernetesNameSchema } from "./common";
import { LabelsSchema } from "./labels";

/**
 * How many Applications of a wave sync at once: a count (at least 1) or a share of the wave
 * (`25%`, 1 to 100). Argo CD's `maxUpdate`; 0 would leave the wave, and every wave after it, unsynced.
 */
export const MaxUpdateSchema = z.union([
    z.number().int().min(1, { message: "at least 1 (0 would never sync the wave)" }),
    z.string().regex(/^\d{1,3}%$/, { message: "expected a count like 2 or a share like 25%" }).refine((s) => {
        const n = Number(s.slice(0, -1));
        return n >= 1 && n <= 100;
    }, { message: "a share of 1% to 100%" }),
]);

/** One wave of a rollout. */
export const WaveSchema = z.strictObject({
    /** Wave name, shown on its Applications (label `gitops.platform/rollout-wave`), e.g. `canary`. Required. */
    name: KubernetesNameSchema,
    /**
     * The clusters of the wave: those (of the application's selector) whose cluster Secret carries these
     * labels. Left out on the last wave only: every selected cluster no earlier wave took. Default: the rest.
     */
    clusters: LabelsSchema.optional(),
    /** Applications of the wave synced at once. Default: all of them. */
    maxUpdate: MaxUpdateSchema.optional(),
});
export type WaveConfig = z.infer<typeof WaveSchema>;

/** Waves, in order. */
export const RolloutSchema = z
    .strictObject({
        /** At least two waves (one wave is the default, all at once). Required. */
        waves: z.array(WaveSchema).min(2, { message: "at least two waves (one wave is what an application without rollout does)" }),
    })
    .superRefine((rollout, ctx) => {
        const seen = new Set<string>();
        rollout.waves.forEach((wave, j) => {
            if (seen.has(wave.name)) ctx.addIssue({ code: "custom", path: ["waves", j, "name"], message: `wave ${JSON.stringify(wave.name)} is named twice` });
            seen.add(wave.name);
            if (!wave.clusters && j < rollout.waves.length - 1) {
                ctx.addIssue({ code: "custom", path: ["waves", j, "clusters"], message: "only the last wave may leave out clusters (it takes the rest)" });
            }
        });
    });
export type RolloutConfig = z.infer<typeof RolloutSchema>;

/** The label every Application of a rollout carries: the name of its wave. */
export const ROLLOUT_WAVE_LABEL = "gitops.platform/rollout-wave";
