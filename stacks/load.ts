/**
 * Reads and validates the whole config of a stack before anything is registered. Every problem is
 * collected and reported at once in a `StackConfigError`; no secret value ever appears in it.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { type ConfigProblem, StackConfigError } from "../lib/stackConfigError";
import { formatKeyPath, issuePath, keyPath, looksLikeCredential } from "../lib/zodIssues";
import { CONFIG_NAMESPACE, FLEET_KUBECONFIG_KEY, PLATFORM_KEY, SECRET_KEYS, type SecretKey } from "./configKeys";
import { PlatformConfig, PlatformConfigSchema } from "./schema";
import { CommitShaSchema } from "./schema/versions";
import { shown } from "./schema/common";
import { storeKeyProblems } from "./secretStore";
import { isSecretConfigKey } from "./secretness";

/** Key names that look like credentials; inside `platform` they are always a mistake. */
const SECRET_LOOKING_KEY = /(password|passwd|token|secret|private[-_]?key|client[-_]?secret|credential|api[-_]?key)/i;

/** The validated config of a stack. */
export interface StackConfig {
    /** Stack name (`pulumi.getStack()`). */
    stack: string;
    /** The validated platform config with defaults applied. */
    platform: PlatformConfig;
    /** Git commit the change came from: `platform.audit.gitCommit`, else `GITHUB_SHA`, else `unknown` (local only). */
    gitCommit: string;
    /** Secret config values, as Pulumi secrets; unset when not configured. */
    secrets: Partial<Record<SecretKey, pulumi.Output<string>>>;
}

/** Options of {@link loadStackConfig}. */
export interface LoadStackConfigOptions {
    /** Environment variables consulted for the Git commit (`GITHUB_SHA`). Default: `process.env`. */
    env?: NodeJS.ProcessEnv;
}

/** Reads `gitops-platform:*` config, validates all of it and returns it, or throws one {@link StackConfigError}. */
export function loadStackConfig(options: LoadStackConfigOptions = {}): StackConfig {
    const env = options.env ?? process.env;
    const stack = pulumi.getStack();
    const config = new pulumi.Config(CONFIG_NAMESPACE);
    const problems: ConfigProblem[] = [];

    problems.push(...unknownTopLevelKeys());

    let platform: PlatformConfig | undefined;
    const rawPlatform = rawValue(PLATFORM_KEY);
    if (rawPlatform === undefined) {
        problems.push({ path: PLATFORM_KEY, message: `required: set ${CONFIG_NAMESPACE}:${PLATFORM_KEY} in stacks/Pulumi.${stack}.yaml` });
    } else if (isSecretConfigKey(`${CONFIG_NAMESPACE}:${PLATFORM_KEY}`)) {
        problems.push({ path: PLATFORM_KEY, message: `holds a secure value; secrets go to their own keys (${SECRET_KEYS.join(", ")}), never inside ${PLATFORM_KEY}` });
    } else {
        const parsed = parsePlatform(rawPlatform);
        if (parsed.problems.length > 0) problems.push(...parsed.problems);
        platform = parsed.platform;
    }

    const secrets: StackConfig["secrets"] = {};
    for (const key of SECRET_KEYS) {
        const fullKey = `${CONFIG_NAMESPACE}:${key}`;
        if (rawValue(key) === undefined) continue;
        if (!isSecretConfigKey(fullKey)) {
            problems.push({ path: key, message: `must be a Pulumi secret, not plaintext: run \`pulumi config set --secret ${key}\`` });
            continue;
        }
        secrets[key] = config.requireSecret(key);
    }
    if (platform) problems.push(...secretRequirements(platform, secrets), ...storeKeyProblems(platform, stack));

    const gitCommit = platform ? resolveGitCommit(platform, env, problems) : "unknown";
    if (problems.length > 0 || !platform) throw new StackConfigError(stack, problems);
    return { stack, platform, gitCommit, secrets };
}

/** The raw string of a config key, read without the SDK's "secret read as plaintext" warning. */
function rawValue(key: string): string | undefined {
    return pulumi.runtime.allConfig()[`${CONFIG_NAMESPACE}:${key}`];
}

function unknownTopLevelKeys(): ConfigProblem[] {
    const known = new Set<string>([PLATFORM_KEY, ...SECRET_KEYS]);
    const prefix = `${CONFIG_NAMESPACE}:`;
    return Object.keys(pulumi.runtime.allConfig())
        .filter((k) => k.startsWith(prefix) && !known.has(k.slice(prefix.length)))
        .map((k) => ({
            path: formatKeyPath([k.slice(prefix.length)]),
            message: `unknown config key; the program reads ${PLATFORM_KEY} and the secrets ${SECRET_KEYS.join(", ")}`,
        }));
}

/** Parses and validates the raw `platform` config (JSON text, as the engine hands it over); every problem with its key path. */
export function parsePlatform(raw: string): { platform?: PlatformConfig; problems: ConfigProblem[] } {
    let value: unknown;
    try {
        value = JSON.parse(raw);
    } catch {
        return { problems: [{ path: PLATFORM_KEY, message: "expected a structured value (a YAML mapping in the stack file)" }] };
    }
    const result = PlatformConfigSchema.safeParse(value);
    if (result.success) return { platform: result.data, problems: [] };
    return { problems: result.error.issues.flatMap(issueProblems) };
}

/**
 * One problem per issue; an unknown-keys issue becomes one problem per key, so each has its own path.
 * Paths are written once (zod already puts a union's discriminator into the path) and a key shaped
 * like a credential is described, not shown (`formatKeyPath`).
 */
function issueProblems(issue: z.core.$ZodIssue): ConfigProblem[] {
    const at = (extra: PropertyKey[] = []) => formatKeyPath(keyPath([PLATFORM_KEY, ...issuePath(issue), ...extra]));
    if (issue.code === "unrecognized_keys") {
        return issue.keys.map((key) => ({
            path: at([key]),
            message: SECRET_LOOKING_KEY.test(key) || looksLikeCredential(key)
                ? `looks like a credential; secrets never go in ${PLATFORM_KEY} (it is stored in plaintext): use a Secret reference (existingSecret, externalSecret) or a secret config key set with \`pulumi config set --secret\``
                : "unknown key",
        }));
    }
    return [{ path: at(), message: issue.message }];
}

function secretRequirements(platform: PlatformConfig, secrets: StackConfig["secrets"]): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const set = (key: SecretKey) => secrets[key] !== undefined;
    const hint = (key: SecretKey) => `\`pulumi config set --secret ${key}\``;
    if (platform.argocd.admin.enabled && !set("argocdAdminPassword")) {
        problems.push({ path: "argocdAdminPassword", message: `required while platform.argocd.admin.enabled is true: run ${hint("argocdAdminPassword")}` });
    }
    if (!platform.argocd.admin.enabled && set("argocdAdminPassword")) {
        problems.push({ path: "argocdAdminPassword", message: "set, but platform.argocd.admin.enabled is false; remove it so no unused password lingers" });
    }
    if (platform.cluster.mode === "kubeconfig" && !set("kubeconfig")) {
        problems.push({ path: "kubeconfig", message: `required while platform.cluster.mode is "kubeconfig": run ${hint("kubeconfig")} < path/to/kubeconfig` });
    }
    if (platform.cluster.mode !== "kubeconfig" && set("kubeconfig")) {
        problems.push({ path: "kubeconfig", message: `set, but platform.cluster.mode is ${JSON.stringify(platform.cluster.mode)}; remove it` });
    }
    const kubeconfigEntries = platform.fleet.flatMap((e, i) => (e.from === "kubeconfig" ? [`platform.fleet[${i}]`] : []));
    if (kubeconfigEntries.length > 0 && !set(FLEET_KUBECONFIG_KEY)) {
        problems.push({ path: FLEET_KUBECONFIG_KEY, message: `required while ${kubeconfigEntries.join(", ")} ${kubeconfigEntries.length === 1 ? "is" : "are"} from: kubeconfig: run ${hint(FLEET_KUBECONFIG_KEY)} < path/to/kubeconfig` });
    }
    if (kubeconfigEntries.length === 0 && set(FLEET_KUBECONFIG_KEY)) {
        problems.push({ path: FLEET_KUBECONFIG_KEY, message: "set, but no entry of platform.fleet is from: kubeconfig; remove it so no unused credential lingers" });
    }
    if (set("terraformToken") && platform.terraform.source.backend !== "remote") {
        problems.push({ path: "terraformToken", message: `only used with platform.terraform.source.backend "remote", not ${JSON.stringify(platform.terraform.source.backend)}` });
    }
    if (set("terraformHttpPassword") && platform.terraform.source.backend !== "http") {
        problems.push({ path: "terraformHttpPassword", message: `only used with platform.terraform.source.backend "http", not ${JSON.stringify(platform.terraform.source.backend)}` });
    }
    return problems;
}

function resolveGitCommit(platform: PlatformConfig, env: NodeJS.ProcessEnv, problems: ConfigProblem[]): string {
    if (platform.audit.gitCommit) return platform.audit.gitCommit;
    const fromCi = env.GITHUB_SHA;
    if (fromCi) {
        if (CommitShaSchema.safeParse(fromCi).success) return fromCi;
        problems.push({ path: "GITHUB_SHA", message: `expected a 40-hex commit SHA, got ${shown(fromCi)}` });
        return "unknown";
    }
    if (platform.environment !== "local") {
        problems.push({ path: "platform.audit.gitCommit", message: `required on ${platform.environment} (or the GITHUB_SHA environment variable): the commit the change came from` });
    }
    return "unknown";
}
