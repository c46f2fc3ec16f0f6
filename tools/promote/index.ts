/**
 * The programmatic face of `npm run promote`, for the e2e steps and the bench: each returns what it
 * did (commit, verification, timings) instead of printing it.
 */
export { promote, type PromoteOptions } from "./promote";
export { rollback, type RollbackOptions } from "./rollback";
export { followRollback, watchPromotion, watchRollout, type WatchOptions, type WatchPromotionOptions } from "./watch";
export { releaseCheck } from "./release-check";
export { verifyEnvironment, explainVerification } from "./verify";
export { releaseLine } from "./release-line";
export { stackPlatform } from "./stack-config";
export { clusterApplications, clusterSyncer } from "./applications";
export { WorkingTree } from "./git";
export * from "./model";
