/**
 * What `npm run drift -- --remediate` may do on this stack. Only a stack nobody depends on corrects
 * itself (the same rule as Pulumi Deployments' auto-remediation, deployments/config.ts): the others
 * report, and a person decides.
 */
import { z } from "zod";

export const DriftConfigSchema = z.strictObject({
    /**
     * `report`: remediation reports only. `correct`: `pulumi up --refresh` for the Pulumi and Terraform
     * layers, a sync of each Application without self-heal (those with it heal themselves); orphans
     * are always only reported. Local and dev only. Default `report`.
     */
    remediation: z.enum(["report", "correct"]).default("report"),
});
export type DriftConfig = z.infer<typeof DriftConfigSchema>;
