/**
 * The policy pack's second entry point in the plan: what Argo CD applies. Every Application the plan
 * declares, and every Application its ApplicationSets generate per registered cluster, is rendered
 * from `charts/` with the pinned helm, as Argo CD renders it; each object is then judged by the same
 * running pack (same config, levels and rules) as the resource the Kubernetes provider would register,
 * its parent the Application on that cluster. A chart that cannot be rendered here (from the internet:
 * Helm repositories, OCI) is listed as not judged, once per chart; without helm nothing is rendered
 * and the plan says so in one line.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { applicationsToRender, ApplicationToRender } from "../manifests/applications";
import { HELM_MISSING, renderApplication, RenderContext, RenderedObject } from "../manifests/chart-render";
import { findHelm } from "../manifests/helm";
import { asApplied, objectLabel, RenderSite, renderedObjectResource } from "../manifests/policy-resources";
import { Manifest } from "../manifests/types";
import { ManifestsReport, NotJudged, PolicyAnalyzer, PolicyDiagnostic, PolicyResource, RenderedBy } from "../policy-analyzer";
import { addRenderedSecrets, Redactor } from "./redaction";
import { PROJECT } from "./stack-file";

/** Environment variable naming the helm to render with (the review passes its own to the plans it runs). */
export const HELM_ENV = "PLAN_HELM";

/** One Application on one cluster, with what its chart rendered. */
export interface RenderedApplication {
    app: ApplicationToRender;
    objects: RenderedObject[];
}

/** What the plan rendered for the manifests entry point. */
export interface RenderedApplications {
    /** The helm used; absent when none is installed (then nothing is rendered). */
    helm?: string;
    rendered: RenderedApplication[];
    notJudged: NotJudged[];
    seconds: number;
}

/** What the manifests entry point found: the report's section, the findings, and where each judged object comes from. */
export interface ManifestsJudgement extends ManifestsReport {
    diagnostics: PolicyDiagnostic[];
    /** Per URN of a judged object: the Application, cluster and object. */
    renderedBy: Map<string, RenderedBy>;
    renderSeconds: number;
    judgeSeconds: number;
}

export const HELM_MISSING_NOTE = `Application manifests were not judged: ${HELM_MISSING}`;

/** Runs `fn` over `items` with at most `limit` at a time, keeping the results in order. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const i = next++;
            results[i] = await fn(items[i]);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return results;
}

const appAt = (app: ApplicationToRender) => `${app.application.metadata.name}@${app.cluster}`;

/**
 * Renders the chart of every Application the manifests declare or generate. `manifests` are the
 * plan's Kubernetes objects (as written, redacted: a cluster's name comes from its Secret's name).
 */
export async function renderApplications(options: { projectRoot: string; manifests: Manifest[]; revision?: string; helm?: string }): Promise<RenderedApplications> {
    const started = Date.now();
    const helm = options.helm ?? process.env[HELM_ENV] ?? findHelm(options.projectRoot);
    if (!helm) return { rendered: [], notJudged: [], seconds: 0 };
    const { applications, notExpanded } = applicationsToRender(options.manifests);
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-render-"));
    try {
        const context: RenderContext = { helm, workDir, fetch: false, revision: options.revision ?? "0".repeat(40), cache: new Map(), chartHashes: new Map(), fetchTimeoutSeconds: 0 };
        const results = await pool(applications, Math.max(2, os.cpus().length), (app) => renderApplication(options.projectRoot, app.application, context));
        const rendered: RenderedApplication[] = [];
        const byChart = new Map<string, NotJudged>();
        results.forEach((result, i) => {
            if ("objects" in result) {
                rendered.push({ app: applications[i], objects: result.objects });
                return;
            }
            const what = result.chart ?? applications[i].origin;
            const key = `${what}\0${result.notRendered}`;
            const entry = byChart.get(key) ?? { what, reason: result.notRendered, applications: [] };
            entry.applications.push(appAt(applications[i]));
            byChart.set(key, entry);
        });
        const notJudged = [...byChart.values(), ...notExpanded.map((n) => ({ what: n.what, reason: `${n.reason}: what it would generate is not judged`, applications: [] }))];
        return { helm, rendered, notJudged, seconds: (Date.now() - started) / 1000 };
    } finally {
        fs.rmSync(workDir, { recursive: true, force: true });
    }
}

/**
 * Judges every rendered object with the running pack. Rendered Secret data and any literal the
 * secret detectors find are taught to `redactor` first: whatever is printed or written of a finding
 * passes it.
 */
export async function judgeRenderedApplications(analyzer: PolicyAnalyzer, renders: RenderedApplications, stack: string, redactor: Redactor): Promise<ManifestsJudgement> {
    const started = Date.now();
    const judgement: ManifestsJudgement = {
        judged: renders.helm !== undefined,
        applications: renders.rendered.length,
        clusters: new Set(renders.rendered.map((r) => r.app.cluster)).size,
        objects: 0,
        notJudged: renders.notJudged,
        diagnostics: [],
        renderedBy: new Map(),
        renderSeconds: renders.seconds,
        judgeSeconds: 0,
    };
    if (!renders.helm) judgement.note = HELM_MISSING_NOTE;
    // One chart render is shared by every Application with the same chart and values: learn its secrets once.
    const learned = new WeakSet<Manifest>();
    const judged: { urn: string; by: RenderedBy; resource: PolicyResource }[] = [];
    for (const { app, objects } of renders.rendered) {
        const namespace = (app.application.spec as { destination?: { namespace?: string } } | undefined)?.destination?.namespace;
        const site: RenderSite = { stack, project: PROJECT, application: app.application.metadata.name, cluster: app.cluster, namespace };
        for (const rendered of objects) {
            if (!learned.has(rendered.object)) {
                learned.add(rendered.object);
                await addRenderedSecrets(redactor, rendered.object);
            }
            const object = asApplied(rendered.object, namespace);
            const resource = renderedObjectResource(object, site);
            const by: RenderedBy = { application: site.application, cluster: site.cluster, object: objectLabel(object) };
            if (app.applicationSet) by.applicationSet = app.applicationSet;
            if (rendered.template) by.template = rendered.template;
            judged.push({ urn: resource.urn, by, resource });
        }
    }
    for (const j of judged) judgement.renderedBy.set(j.urn, j.by);
    // Many requests in flight, as the engine may send them: no round trip waits for the one before.
    judgement.diagnostics = await analyzer.analyzeAll(judged.map((j) => j.resource));
    judgement.objects = judged.length;
    judgement.judgeSeconds = (Date.now() - started) / 1000;
    return judgement;
}

/** The lines the plan logs about what the manifests entry point judged and did not. */
export function judgementLines(j: ManifestsJudgement): string[] {
    if (!j.judged) return [j.note ?? HELM_MISSING_NOTE];
    const n = (count: number, what: string) => `${count} ${what}${count === 1 ? "" : "s"}`;
    const lines = [`manifests: ${n(j.objects, "object")} of ${n(j.applications, "Application")} on ${n(j.clusters, "cluster")} judged: ${n(j.diagnostics.length, "violation")}`];
    for (const nj of j.notJudged) lines.push(notJudgedLine(nj));
    return lines;
}

/** `not judged: cert-manager v1.21.2 from https://charts.jetstack.io: a chart from the internet, … (2 Applications: a@x, b@y)` */
export function notJudgedLine(nj: NotJudged): string {
    const apps = nj.applications.length === 0 ? "" : ` (${nj.applications.length} Application${nj.applications.length === 1 ? "" : "s"}: ${nj.applications.slice(0, 3).join(", ")}${nj.applications.length > 3 ? ", …" : ""})`;
    return `not judged: ${nj.what}: ${nj.reason}${apps}`;
}
