import { z } from "zod";
import { KubernetesNameSchema } from "./common";
import { CommitShaSchema } from "./versions";

/** Audit metadata stamped on everything the program creates. */
export const AuditConfigSchema = z.strictObject({
    /** Owning team of the platform resources (`gitops.platform/owner`, AWS tag `owner`). Required. */
    owner: KubernetesNameSchema,
    /** Project name (`gitops.platform/project`). Default `gitops-platform`. */
    project: KubernetesNameSchema.default("gitops-platform"),
    /** Git commit the change came from. Default: `GITHUB_SHA` from CI, else `unknown` (local stack only). */
    gitCommit: CommitShaSchema.optional(),
});
export type AuditConfig = z.infer<typeof AuditConfigSchema>;
