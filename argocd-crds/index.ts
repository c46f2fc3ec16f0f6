/**
 * The argocd-crds project: Argo CD's CRDs for the gitops-platform stack of the same name, read from
 * that stack's own config file (stacks/Pulumi.<stack>.yaml, `stackConfigDir: ../stacks`), on the same
 * cluster, brought up before it whenever the stack's `platform.argocd.crds.installedBy` is
 * `crds-stack` (docs/adr-0011-argocd-crds-stack.md). The CRDs come from a directory of Argo CD's CRD
 * files (`platform.argocd.crds.path`) or from Argo CD's repository at the stack's Argo CD release.
 */
import * as fs from "fs";
import * as path from "path";
import { ARGOCD_CRD_FILES, ArgoCdCrds } from "../components/argocd/argoCdCrds";
import { platformContext } from "../components/platform/context";
import { readFoundation } from "../components/platform/foundation";
import { hubCluster } from "../components/platform/hubCluster";
import { StackConfigError } from "../lib/stackConfigError";
import { argoCdRelease } from "../stacks/argoCdRelease";
import { loadStackConfig, StackConfig } from "../stacks/load";

/** The platform project's root: the stack config's paths are relative to it. */
const PLATFORM_ROOT = path.resolve(__dirname, "..");

async function main(): Promise<Record<string, unknown>> {
    const config = fromPlatformRoot(loadStackConfig());
    const crds = config.platform.argocd.crds;
    const release = argoCdRelease(config.platform.argocd);
    const problems = [
        ...(crds.installedBy === "crds-stack"
            ? []
            : [{ path: "platform.argocd.crds.installedBy", message: "is chart: the argo-cd chart installs Argo CD's CRDs in the gitops-platform stack; set crds-stack to install them from this one" }]),
        ...(release ? [] : [{ path: "platform.argocd.release", message: "required: the Argo CD release whose CRDs to install (the chart's pairing is not in the add-on catalogue)" }]),
    ];
    if (problems.length > 0) throw new StackConfigError(config.stack, problems);

    const foundation = await readFoundation(config);
    const ctx = platformContext(config, foundation);
    const cluster = hubCluster(ctx, foundation);
    const files = crds.path ? crdFiles(config.stack, crds.path) : ARGOCD_CRD_FILES.map((f) => `https://raw.githubusercontent.com/argoproj/argo-cd/v${release}/manifests/crds/${f}`);
    new ArgoCdCrds("argocd-crds", { files, release: release!, retainOnDelete: ctx.isProd, audit: ctx.audit }, { provider: cluster.provider, protect: ctx.isProd });
    return {
        argocdRelease: release,
        crdFiles: files,
        ...(ctx.platform.cluster.mode === "render" ? { renderedManifestsDirectory: ctx.platform.cluster.directory } : {}),
    };
}

/**
 * Pulumi runs this program and its provider in this project's directory; the stack config's paths
 * are the platform project's. Each becomes relative to here: still the same in every checkout.
 */
function fromPlatformRoot(config: StackConfig): StackConfig {
    const here = (p: string) => (path.isAbsolute(p) ? p : path.relative(process.cwd(), path.resolve(PLATFORM_ROOT, p)));
    const platform = structuredClone(config.platform);
    const source = platform.terraform.source;
    if (source.backend === "local" || source.backend === "json") source.path = here(source.path);
    if (platform.cluster.mode === "render") platform.cluster.directory = here(platform.cluster.directory);
    if (platform.argocd.crds.path) platform.argocd.crds.path = here(platform.argocd.crds.path);
    return { ...config, platform };
}

/** The CRD files in `dir`: all of Argo CD's, and nothing else. */
function crdFiles(stack: string, dir: string): string[] {
    const missing = ARGOCD_CRD_FILES.filter((f) => !fs.existsSync(path.join(dir, f)));
    if (missing.length > 0) {
        throw new StackConfigError(stack, [{ path: "platform.argocd.crds.path", message: `${dir} lacks ${missing.join(", ")} (Argo CD's manifests/crds)` }]);
    }
    return ARGOCD_CRD_FILES.map((f) => path.join(dir, f));
}

export = main;
