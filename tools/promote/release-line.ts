/**
 * A release line of the stack config (`gitops.promotion`), resolved to what the tool acts on: for
 * each environment, the Applications that deploy it and the file and key its release is in. The
 * schema's rules have already checked a hub entry (Git source, chart folder, values file); an
 * environment of another stack is checked here, against that stack's file in the repository.
 */
import * as YAML from "yaml";
import { CONFIG_NAMESPACE, PLATFORM_KEY } from "../../stacks/configKeys";
import type { PlatformConfig } from "../../stacks/schema";
import type { PromotionConfig, PromotionEnvironmentConfig } from "../../stacks/schema/promotion";
import { durationMs } from "./durations";
import { type Environment, PromotionRefused, type ReleaseLine } from "./model";

/** Reads a repository file at HEAD (another stack's `stacks/Pulumi.<stack>.yaml`), undefined when absent. */
export type FileReader = (file: string) => string | undefined;

/** The line `--app` names, or a refusal naming the lines there are. */
export function releaseLine(platform: PlatformConfig, stack: string, application: string, readFile: FileReader): ReleaseLine {
    const lines = platform.gitops.promotion;
    const line = lines.find((l) => l.application === application);
    if (!line) {
        const known = lines.map((l) => l.application).join(", ") || "(none)";
        throw new PromotionRefused(`--app ${application}: no release line of that name in gitops.promotion of stack ${stack}; known: ${known}`);
    }
    const at = `gitops.promotion[${lines.indexOf(line)}]`;
    return {
        application,
        stack,
        environments: line.environments.map((env, j) =>
            env.stack === undefined ? hubEnvironment(platform, line, env, `${at}.environments[${j}]`) : stackEnvironment(env, readFile, `${at}.environments[${j}]`),
        ),
    };
}

/** The timings every environment has, from the config's words. */
function timings(env: PromotionEnvironmentConfig): Pick<Environment, "soak" | "soakMs" | "verifyWindow" | "verifyWindowMs"> {
    return { soak: env.soak, soakMs: durationMs(env.soak)!, verifyWindow: env.verifyWindow, verifyWindowMs: durationMs(env.verifyWindow)! };
}

/** An entry of this hub: the release is `release` in its last values file, in its chart folder. */
function hubEnvironment(platform: PlatformConfig, line: PromotionConfig, env: PromotionEnvironmentConfig, at: string): Environment {
    const entry = platform.gitops.applications.find((a) => a.name === env.application);
    if (!entry?.source.path || entry.source.valueFiles.length === 0) throw new PromotionRefused(`${at}.application: ${env.application} has no Git chart folder and values file`);
    return {
        name: env.name,
        entry: entry.name,
        applicationSet: entry.clusterSelector !== undefined,
        release: { file: `${entry.source.path}/${entry.source.valueFiles[entry.source.valueFiles.length - 1]}`, key: line.release.split("."), shownKey: line.release },
        revisionMatch: "release-file",
        ...timings(env),
    };
}

interface StackEntry {
    name?: unknown;
    clusterSelector?: unknown;
    source?: { repository?: unknown };
}

/** An entry of another stack: the release is its source's chart version, or Git revision, in that stack's file. */
function stackEnvironment(env: PromotionEnvironmentConfig, readFile: FileReader, at: string): Environment {
    const file = `stacks/Pulumi.${env.stack}.yaml`;
    const text = readFile(file);
    if (text === undefined) throw new PromotionRefused(`${at}.stack: ${file} is not in the repository at HEAD`);
    const platform = (YAML.parse(text) as { config?: Record<string, unknown> } | null)?.config?.[`${CONFIG_NAMESPACE}:${PLATFORM_KEY}`] as
        | { gitops?: { applications?: StackEntry[]; repositories?: { name?: unknown; type?: unknown }[] } }
        | undefined;
    const entry = platform?.gitops?.applications?.find((a) => a.name === env.application);
    if (!entry) throw new PromotionRefused(`${at}.application: ${file} has no gitops.applications entry ${JSON.stringify(env.application)}`);
    const repository = platform?.gitops?.repositories?.find((r) => r.name === entry.source?.repository);
    if (!repository) throw new PromotionRefused(`${file}: gitops.applications ${env.application}: its repository ${JSON.stringify(entry.source?.repository)} is not declared`);
    const git = repository.type === "git";
    const field = git ? "revision" : "version";
    return {
        name: env.name,
        entry: env.application,
        applicationSet: entry.clusterSelector !== undefined,
        stack: env.stack,
        release: { file, key: ["config", `${CONFIG_NAMESPACE}:${PLATFORM_KEY}`, "gitops", "applications", { name: env.application }, "source", field], shownKey: `source.${field}` },
        revisionMatch: git ? "git-revision" : "chart-version",
        ...timings(env),
    };
}

/** The environment `flag` names, or a refusal naming the line's environments in order. */
export function environmentNamed(line: ReleaseLine, name: string, flag: string): Environment {
    const env = line.environments.find((e) => e.name === name);
    if (!env) throw new PromotionRefused(`${flag} ${name}: no environment of that name in ${line.application}; its environments in order: ${orderOf(line)}`);
    return env;
}

/** `staging → prod`. */
export function orderOf(line: ReleaseLine): string {
    return line.environments.map((e) => e.name).join(" → ");
}
