/**
 * How the gitops-platform stacks are delivered, as code (docs/adr-0003-deployments-as-code.md):
 * per stack its Pulumi Deployments settings, ESC environment, nightly drift detection and policy
 * group; per review stack its settings and time to live.
 */
import { DeliveryConfig, loadDeliveryConfig } from "./config";
import { ReviewStackDelivery } from "./reviewStack";
import { StackDelivery } from "./stackDelivery";

function defineDelivery(config: DeliveryConfig) {
    const source = { organization: config.organization, project: config.project, repository: config.repository };
    const stacks = config.stacks.map((s) =>
        new StackDelivery(s.name, {
            ...source,
            stack: s.name,
            branch: config.branch,
            deployRoleArn: s.deployRoleArn,
            awsRegion: config.awsRegion,
            driftCron: s.drift.cron,
            autoRemediate: s.drift.autoRemediate,
        }),
    );
    // Review stacks run on the dev cluster with dev's role (the config schema requires a dev stack for them).
    const devRole = config.stacks.find((s) => s.name === "dev")?.deployRoleArn ?? "";
    for (const r of config.reviewStacks) {
        new ReviewStackDelivery(r.name, { ...source, stack: r.name, branch: r.branch, deployRoleArn: devRole, expiresAt: r.expiresAt });
    }
    return {
        promotionOrder: config.stacks.map((s) => s.name),
        policyGroups: stacks.map((s) => s.policyGroup.name),
        reviewStacks: config.reviewStacks.map((r) => ({ name: r.name, expiresAt: r.expiresAt })),
    };
}

export = async () => defineDelivery(loadDeliveryConfig());
