import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

/** This project's config namespace (deployments/Pulumi.yaml `name`). */
export const PROJECT = "gitops-platform-deployments";
/** The one structured config key; its value is validated whole before any resource is registered. */
export const CONFIG_KEY = `${PROJECT}:delivery`;

const STACK_NAME = /^[a-z][a-z0-9-]{0,62}$/;
// Five-field cron, as Pulumi Cloud's schedules take it: digits, ranges, steps, lists and `*` only.
const CRON = /^(\S+\s+){4}\S+$/;
const CRON_FIELD = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;
const ROLE_ARN = /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]{1,128}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

const CronSchema = z
    .string()
    .refine((c) => CRON.test(c.trim()) && c.trim().split(/\s+/).every((f) => CRON_FIELD.test(f)), {
        message: "expected a five-field cron expression like \"0 2 * * *\"",
    });

/** A stack Pulumi Deployments updates on merge to main. */
export const DeployedStackSchema = z.strictObject({
    /** Stack name in the gitops-platform project (stacks/Pulumi.<name>.yaml). */
    name: z.string().regex(STACK_NAME, { message: "expected a stack name like dev" }),
    /**
     * IAM role the deployment assumes through Pulumi Cloud's OIDC issuer. Its trust policy names
     * api.pulumi.com/oidc with sub `pulumi:deploy:org:<org>:project:<project>:stack:<name>:*`.
     */
    deployRoleArn: z.string().regex(ROLE_ARN, { message: "expected an IAM role ARN like arn:aws:iam::123456789012:role/name" }),
    /** Nightly drift detection. */
    drift: z.strictObject({
        /** When drift detection runs (UTC). */
        cron: CronSchema,
        /** Run `pulumi up` when drift is found. Only a stack nobody depends on may heal itself. */
        autoRemediate: z.boolean(),
    }),
});

/** A short-lived stack on the dev cluster for one branch, deleted at `expiresAt`. */
export const ReviewStackSchema = z.strictObject({
    name: z.string().regex(/^review-[a-z0-9-]{1,55}$/, { message: "expected a name like review-<topic>" }),
    /** The branch it deploys on every push (it needs its own stacks/Pulumi.<name>.yaml there). */
    branch: z.string().regex(/^[\w./-]+$/, { message: "expected a Git branch name" }),
    /** When the stack is destroyed and deleted (UTC, ISO 8601 to the second). */
    expiresAt: z
        .string()
        .regex(ISO_UTC, { message: "expected a UTC timestamp like 2027-01-15T18:00:00Z" })
        .refine((t) => !Number.isNaN(Date.parse(t)), { message: "not a real date" }),
});

export const DeliveryConfigSchema = z
    .strictObject({
        /** Pulumi Cloud organisation. */
        organization: z.string().regex(/^[\w.-]+$/),
        /** The project whose stacks are deployed (../Pulumi.yaml `name`). */
        project: z.string().regex(/^[\w.-]+$/),
        /** GitHub repository `owner/name` the deployments check out. */
        repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, { message: "expected owner/name" }),
        /** The branch merges land on. */
        branch: z.string().min(1),
        /** Region the ESC environments export as AWS_REGION. */
        awsRegion: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { message: "expected an AWS region like eu-west-1" }),
        /** In promotion order: the deploy workflow updates them one after the other. */
        stacks: z.array(DeployedStackSchema).min(1),
        reviewStacks: z.array(ReviewStackSchema).default([]),
    })
    .superRefine((c, ctx) => {
        const names = [...c.stacks.map((s) => s.name), ...c.reviewStacks.map((s) => s.name)];
        names.forEach((n, i) => {
            if (names.indexOf(n) !== i) ctx.addIssue({ code: "custom", message: `stack ${n} is listed twice`, path: ["stacks"] });
        });
        if (c.reviewStacks.length > 0 && !c.stacks.some((s) => s.name === "dev")) {
            ctx.addIssue({ code: "custom", message: "review stacks run on the dev cluster with dev's role, and there is no dev stack", path: ["reviewStacks"] });
        }
        c.stacks.forEach((s, i) => {
            // Self-healing a stack others are promoted to would undo a hand-made fix mid-incident.
            if (s.drift.autoRemediate && s.name !== "dev") {
                ctx.addIssue({ code: "custom", message: "only dev may auto-remediate drift", path: ["stacks", i, "drift", "autoRemediate"] });
            }
        });
    });

export type DeliveryConfig = z.infer<typeof DeliveryConfigSchema>;
export type DeployedStack = z.infer<typeof DeployedStackSchema>;
export type ReviewStack = z.infer<typeof ReviewStackSchema>;

/** Bad delivery config: the message names the config key and every key path at fault. */
export class DeliveryConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "DeliveryConfigError";
    }
}

/** Validates the raw value of {@link CONFIG_KEY}; every problem is reported at once. */
export function parseDeliveryConfig(raw: unknown): DeliveryConfig {
    const result = DeliveryConfigSchema.safeParse(raw);
    if (!result.success) {
        const problems = result.error.issues.map((i) => `  delivery.${i.path.join(".")}: ${i.message}`);
        throw new DeliveryConfigError(`${CONFIG_KEY} (deployments/Pulumi.<stack>.yaml) is not valid:\n${problems.join("\n")}`);
    }
    return result.data;
}

/** Reads and validates the stack's delivery config. */
export function loadDeliveryConfig(): DeliveryConfig {
    return parseDeliveryConfig(new pulumi.Config(PROJECT).requireObject<unknown>("delivery"));
}
