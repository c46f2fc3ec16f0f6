/**
 * The Kubernetes objects an Application's chart renders to, through the pinned helm
 * (`.tools/bin/helm template`), with the Application's values as Argo CD passes them: value files
 * first, then `values`/`valuesObject`, then parameters. A chart is rendered from the planned tree
 * when it is there (a Git source under `charts/`, or a packaged chart whose name and version the
 * tree's `charts/<name>/Chart.yaml` holds, since that is what the registry copy is published from),
 * otherwise fetched from its repository when the caller allows it and the machine can reach it (the
 * review does; the offline plan never fetches); a chart that cannot be had is reported as not
 * rendered, with the chart and helm's reason. Objects come back as rendered, Secret data included:
 * the plan hands them to the policy pack and its redactor, the review redacts them for display.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { spawnTracked } from "../engine/processes";
import { Manifest } from "./types";

/** Why nothing is rendered on a machine without helm, and how to get it. */
export const HELM_MISSING = "helm is not installed (bash tools/install.sh helm)";

/** A rendered object, and the chart template it came from when the chart is in the tree. */
export interface RenderedObject {
    object: Manifest;
    /** Project-relative path of the template (`charts/hello-service/templates/deployment.yaml`); absent for a fetched chart. */
    template?: string;
}

/** What an Application renders to, or why it was not rendered (and which chart, when one was named). */
export type RenderResult = { objects: RenderedObject[]; note?: string } | { notRendered: string; chart?: string };

/** What a renderer needs for one run of the review. */
export interface RenderContext {
    /** The helm binary; undefined when none is installed, and then every chart is reported as not rendered. */
    helm: string | undefined;
    /** Scratch directory (helm home, values files). */
    workDir: string;
    /** Fetch a chart that is not in the tree from its repository (Helm or OCI). The offline plan does not. */
    fetch: boolean;
    /** The commit `$ARGOCD_APP_REVISION` stands for (the same on both sides, so it is no change). */
    revision: string;
    cache: Map<string, Promise<RenderResult>>;
    /** Content hashes of chart directories, so a chart used by thousands of Applications is read once; default: hashed per use. */
    chartHashes?: Map<string, string>;
    /** Seconds a fetch of a remote chart may take. */
    fetchTimeoutSeconds: number;
}

interface Source {
    repoURL?: string;
    path?: string;
    chart?: string;
    targetRevision?: string;
    ref?: string;
    helm?: {
        releaseName?: string;
        valueFiles?: string[];
        values?: string;
        valuesObject?: unknown;
        parameters?: { name: string; value: string; forceString?: boolean }[];
        fileParameters?: unknown[];
    };
}

function hashDir(dir: string): string {
    const h = createHash("sha256");
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else if (e.isFile()) h.update(path.relative(dir, p)).update("\0").update(fs.readFileSync(p)).update("\0");
        }
    };
    walk(dir);
    return h.digest("hex");
}

function readChartYaml(dir: string): { name?: string; version?: string } | undefined {
    try {
        return YAML.parse(fs.readFileSync(path.join(dir, "Chart.yaml"), "utf8")) as { name?: string; version?: string };
    } catch {
        return undefined;
    }
}

/** Argo CD's build environment in values and parameters, with values the same on both sides. */
function substituteBuildEnv(text: string, app: Manifest, source: Source, revision: string): string {
    const env: Record<string, string> = {
        ARGOCD_APP_NAME: app.metadata.name,
        ARGOCD_APP_NAMESPACE: String((app.spec as { destination?: { namespace?: string } })?.destination?.namespace ?? ""),
        ARGOCD_APP_REVISION: revision,
        ARGOCD_APP_REVISION_SHORT: revision.slice(0, 7),
        ARGOCD_APP_SOURCE_PATH: source.path ?? "",
        ARGOCD_APP_SOURCE_REPO_URL: source.repoURL ?? "",
        ARGOCD_APP_SOURCE_TARGET_REVISION: source.targetRevision ?? "",
    };
    return text.replace(/\$\{?(ARGOCD_APP_[A-Z_]+)\}?/g, (all, name: string) => env[name] ?? all);
}

/** Where the chart comes from: a directory of the tree, or a remote reference for helm. */
function locateChart(root: string, source: Source): { dir: string; note?: string; published?: true } | { remote: string[]; label: string } | { notRendered: string; chart?: string } {
    if (source.path !== undefined && !source.chart) {
        const dir = path.resolve(root, source.path);
        const chart = `path ${source.path} of ${source.repoURL}`;
        if (!dir.startsWith(path.resolve(root) + path.sep) || !fs.existsSync(dir)) return { notRendered: `path ${source.path} of ${source.repoURL} is not in this repository's tree`, chart };
        if (!fs.existsSync(path.join(dir, "Chart.yaml"))) return { notRendered: `${source.path} is not a Helm chart (plain or Kustomize directories are not rendered)`, chart };
        return { dir };
    }
    if (!source.chart || !source.repoURL) return { notRendered: "the source names neither a chart nor a path" };
    const local = path.join(root, "charts", source.chart);
    const chartYaml = readChartYaml(local);
    if (chartYaml?.name === source.chart && chartYaml.version === source.targetRevision) {
        return { dir: local, note: `rendered from charts/${source.chart} at version ${source.targetRevision} (what ${source.repoURL} publishes)`, published: true };
    }
    const oci = source.repoURL.startsWith("oci://") || !/^[a-z]+:\/\//.test(source.repoURL);
    const version = source.targetRevision ? ["--version", source.targetRevision] : [];
    if (oci) {
        const ref = `oci://${source.repoURL.replace(/^oci:\/\//, "").replace(/\/$/, "")}/${source.chart}`;
        return { remote: [ref, ...version], label: `${ref}:${source.targetRevision ?? "latest"}` };
    }
    return { remote: [source.chart, "--repo", source.repoURL, ...version], label: `${source.chart} ${source.targetRevision ?? "latest"} from ${source.repoURL}` };
}

function runHelm(helm: string, context: RenderContext, args: string[], timeoutSeconds: number): Promise<{ status: number; stdout: string; stderr: string }> {
    const home = path.join(context.workDir, "helm-home");
    return new Promise((resolve) => {
        // Tracked: an interrupted plan or review stops its helm too.
        const child = spawnTracked(helm, args, {
            env: { ...process.env, HELM_CACHE_HOME: path.join(home, "cache"), HELM_CONFIG_HOME: path.join(home, "config"), HELM_DATA_HOME: path.join(home, "data") },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
        const timer = setTimeout(() => {
            child.kill("SIGKILL");
            stderr += `\nhelm did not finish in ${timeoutSeconds} s`;
        }, timeoutSeconds * 1000);
        // A helm that cannot be started (gone, not executable) is this chart's reason, not the run's end.
        child.on("error", (e) => {
            clearTimeout(timer);
            resolve({ status: -1, stdout, stderr: `${stderr}\nhelm could not be started (${helm}): ${e.message}` });
        });
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ status: code ?? -1, stdout, stderr });
        });
    });
}

/**
 * The chart as tools/publish-charts.sh publishes it: a copy whose Chart.yaml carries the annotation
 * `gitops.platform/git-commit` (the commit the chart's audit label defaults to), here the revision being planned.
 */
function publishedCopy(dir: string, dirHash: string, context: RenderContext): string {
    // One copy per chart content and revision: the base and the head of a review have charts of the same name.
    const copy = path.join(context.workDir, "published", `${dirHash.slice(0, 16)}-${context.revision.slice(0, 12)}`, path.basename(dir));
    if (!fs.existsSync(copy)) {
        fs.cpSync(dir, copy, { recursive: true });
        const file = path.join(copy, "Chart.yaml");
        const chart = YAML.parseDocument(fs.readFileSync(file, "utf8"));
        chart.setIn(["annotations", "gitops.platform/git-commit"], context.revision);
        fs.writeFileSync(file, chart.toString());
    }
    return copy;
}

/**
 * Renders one Application (single source; a multi-source Application is rendered source by source).
 * A hydrated Application renders its dry source: what the hydrator will commit to the environment
 * branch and Argo CD then syncs.
 */
export async function renderApplication(root: string, app: Manifest, context: RenderContext): Promise<RenderResult> {
    const spec = (app.spec ?? {}) as { source?: Source; sources?: Source[]; sourceHydrator?: { drySource?: Source }; destination?: { namespace?: string } };
    const dry = spec.sourceHydrator?.drySource;
    const sources = spec.sources ?? (spec.source ? [spec.source] : dry ? [dry] : []);
    if (sources.length === 0) return { notRendered: "the Application has no source" };
    const objects: RenderedObject[] = [];
    const notes: string[] = [];
    for (const source of sources.filter((s) => s.chart || s.path !== undefined)) {
        const result = await renderSource(root, app, source, spec.destination?.namespace ?? "default", context);
        if ("notRendered" in result) return result;
        objects.push(...result.objects);
        if (result.note) notes.push(result.note);
    }
    return { objects, note: notes.join("; ") || undefined };
}

async function renderSource(root: string, app: Manifest, source: Source, namespace: string, context: RenderContext): Promise<RenderResult> {
    const located = locateChart(root, source);
    if ("notRendered" in located) return located;
    const helm = context.helm;
    if (helm === undefined) return { notRendered: HELM_MISSING, chart: "dir" in located ? path.relative(root, located.dir) : located.label };
    if ("remote" in located && !context.fetch) return { notRendered: "a chart from the internet, which is not fetched here", chart: located.label };
    const h = source.helm ?? {};
    if (h.fileParameters?.length) return { notRendered: "helm.fileParameters are not supported by the review" };
    const valueFiles = h.valueFiles ?? [];
    if (valueFiles.some((f) => f.startsWith("$"))) return { notRendered: `value files from another source (${valueFiles.find((f) => f.startsWith("$"))}) are not supported by the review` };
    if ("remote" in located && valueFiles.length > 0) return { notRendered: `value files ${valueFiles.join(", ")} live inside the remote chart, which is not unpacked here`, chart: located.label };

    const inline: string[] = [];
    if (h.values) inline.push(substituteBuildEnv(h.values, app, source, context.revision));
    if (h.valuesObject !== undefined) inline.push(substituteBuildEnv(YAML.stringify(h.valuesObject), app, source, context.revision));
    const set = (h.parameters ?? []).map((p) => [p.forceString ? "--set-string" : "--set", `${p.name}=${substituteBuildEnv(p.value, app, source, context.revision)}`]);
    const releaseName = h.releaseName ?? app.metadata.name;
    const dirHash = (dir: string) => {
        const known = context.chartHashes?.get(dir);
        if (known) return known;
        const hash = hashDir(dir);
        context.chartHashes?.set(dir, hash);
        return hash;
    };
    const chartKey = "dir" in located ? `dir:${dirHash(located.dir)}` : `remote:${located.remote.join(" ")}`;
    const key = createHash("sha256").update(JSON.stringify([chartKey, valueFiles, inline, set, releaseName, namespace])).digest("hex");
    const cached = context.cache.get(key);
    if (cached) return cached;

    const promise = (async (): Promise<RenderResult> => {
        const chartArg = "dir" in located ? (located.published ? publishedCopy(located.dir, dirHash(located.dir), context) : located.dir) : undefined;
        const args = ["template", releaseName, ...(chartArg !== undefined ? [chartArg] : "remote" in located ? located.remote : []), "--namespace", namespace];
        for (const f of valueFiles) {
            if (!("dir" in located)) break;
            const file = path.resolve(located.dir, f);
            if (!fs.existsSync(file)) return { notRendered: `value file ${f} is not in ${path.relative(root, located.dir)}` };
            args.push("--values", file);
        }
        inline.forEach((text, i) => {
            const file = path.join(context.workDir, `values-${key.slice(0, 16)}-${i}.yaml`);
            fs.writeFileSync(file, text);
            args.push("--values", file);
        });
        for (const s of set) args.push(...s);
        const run = await runHelm(helm, context, args, "dir" in located ? 120 : context.fetchTimeoutSeconds);
        if (run.status !== 0) {
            const reason = run.stderr.trim().split("\n").filter(Boolean).pop() ?? `helm exited ${run.status}`;
            return "dir" in located
                ? { notRendered: `helm template failed: ${reason}`, chart: path.relative(root, located.dir) }
                : { notRendered: `it cannot be fetched: ${reason}`, chart: located.label };
        }
        const chartDir = "dir" in located ? path.relative(root, located.dir) : undefined;
        const objects: RenderedObject[] = [];
        for (const doc of YAML.parseAllDocuments(run.stdout)) {
            const object = doc.toJS() as Manifest | null;
            if (object === null || typeof object !== "object" || typeof object.kind !== "string") continue;
            // helm prints `# Source: <chart>/templates/<file>` above each document: the template in the tree.
            const comment = `${doc.commentBefore ?? ""}\n${(doc.contents as { commentBefore?: string } | null)?.commentBefore ?? ""}`;
            const source = /Source: [^/\s]+\/(\S+)/.exec(comment)?.[1];
            objects.push(chartDir !== undefined && source ? { object, template: path.posix.join(chartDir.split(path.sep).join("/"), source) } : { object });
        }
        return { objects, note: "dir" in located ? located.note : `fetched ${located.label}` };
    })();
    context.cache.set(key, promise);
    return promise;
}
