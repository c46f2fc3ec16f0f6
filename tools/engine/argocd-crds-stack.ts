/**
 * The argocd-crds stack (argocd-crds, docs/adr-0011-argocd-crds-stack.md): Argo CD's CRDs for
 * the platform stack of the same name, from the same stack file, in the same backend, brought up
 * before it. Every tool that brings a platform stack up on a cluster calls `upArgoCdCrds` first.
 */
import * as path from "path";
import { CONFIG_NAMESPACE, PLATFORM_KEY } from "../../stacks/configKeys";
import { readStackConfig } from "../plan/stack-file";
import { CliResult, EngineWorkspace, runPulumi } from "./pulumi-cli";

/** The argocd-crds project's directory, relative to the platform project's root. */
export const ARGOCD_CRDS_PROJECT = "argocd-crds";

/** Flags whose value is a path: the CLI reads it from the project it runs on, so it goes absolute. */
const PATH_FLAGS = new Set(["--config-file", "--policy-pack", "--policy-pack-config", "--event-log"]);

/** `pulumi <args>` run on the argocd-crds project; paths in `args` are the platform project's. */
export function argoCdCrdsCli(ws: EngineWorkspace, args: string[], options: Parameters<typeof runPulumi>[2] = {}): Promise<CliResult> {
    const absolute = args.map((a, i) => (i > 0 && PATH_FLAGS.has(args[i - 1]) ? path.resolve(ws.projectRoot, a) : a));
    return runPulumi(ws, ["--cwd", ARGOCD_CRDS_PROJECT, ...absolute], options);
}

/** The value of `flag` in `args`, if given. */
function flagValue(args: string[], flag: string): string | undefined {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
}

/** Whether the stack file of `stackArgs` (`--config-file`, else stacks/Pulumi.<stack>.yaml) has its Argo CD CRDs from the argocd-crds stack. */
export function crdsFromCrdsStack(projectRoot: string, stackArgs: string[]): boolean {
    const stack = flagValue(stackArgs, "--stack");
    if (!stack) throw new Error(`no --stack in ${JSON.stringify(stackArgs)}`);
    const { config } = readStackConfig(projectRoot, stack, flagValue(stackArgs, "--config-file"));
    const platform = JSON.parse(config[`${CONFIG_NAMESPACE}:${PLATFORM_KEY}`] ?? "{}") as { argocd?: { crds?: { installedBy?: string } } };
    return platform.argocd?.crds?.installedBy === "crds-stack";
}

/**
 * When the stack file of `stackArgs` says so (`platform.argocd.crds.installedBy: crds-stack`),
 * creates the argocd-crds stack of that name if it is new and updates it with the policy pack of
 * `policyArgs` (no preview before: the pack judges every resource of the update); otherwise the
 * chart installs the CRDs and this returns undefined. Throws with the CLI's last lines on failure.
 */
export async function upArgoCdCrds(ws: EngineWorkspace, stackArgs: string[], policyArgs: string[], extraArgs: string[] = []): Promise<CliResult | undefined> {
    if (!crdsFromCrdsStack(ws.projectRoot, stackArgs)) return undefined;
    const init = await argoCdCrdsCli(ws, ["stack", "init", flagValue(stackArgs, "--stack")!, "--secrets-provider", "passphrase"]);
    if (init.code !== 0 && !/already exists/.test(init.stderr)) throw new Error(`pulumi stack init (${ARGOCD_CRDS_PROJECT}) failed:\n${init.stderr.trim()}`);
    const up = await argoCdCrdsCli(ws, ["up", "--yes", "--skip-preview", ...stackArgs, ...policyArgs, ...extraArgs]);
    if (up.code !== 0) {
        const last = `${up.stdout}\n${up.stderr}`.trim().split("\n").slice(-30).join("\n");
        throw new Error(`pulumi up of Argo CD's CRDs (${ARGOCD_CRDS_PROJECT}) failed (exit ${up.code}):\n${last}`);
    }
    return up;
}
