/**
 * The platform config of the stack that declares the release lines, read as the other tools read it
 * (the stack file as the engine would hand it over, then the schema with every rule), so a line the
 * program would refuse is refused here too, with the same key paths.
 */
import { parsePlatform } from "../../stacks/load";
import type { PlatformConfig } from "../../stacks/schema";
import { PROJECT, readStackConfig } from "../plan/stack-file";
import { PromotionRefused } from "./model";

/** The validated platform config of `stack` (or of `configFile` in its place). */
export function stackPlatform(projectRoot: string, stack: string, configFile?: string): PlatformConfig {
    const engine = readStackConfig(projectRoot, stack, configFile);
    const raw = engine.config[`${PROJECT}:platform`];
    if (raw === undefined) throw new PromotionRefused(`${engine.file}: no ${PROJECT}:platform config`);
    const { platform, problems } = parsePlatform(raw);
    if (!platform) throw new PromotionRefused(`${engine.file}: invalid config:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join("\n")}`);
    return platform;
}
