/**
 * The review of one stack from its two plans: Pulumi resources, the Argo CD objects the program
 * declares, the Applications its ApplicationSets generate per registered cluster, the objects each
 * Application's chart renders to, the stack file's secrets and the policy findings.
 */
import { applicationsToRender } from "../manifests/applications";
import { GeneratedApplication } from "../manifests/appset-generators";
import { renderApplication, RenderContext, RenderResult } from "../manifests/chart-render";
import { findingsDiff, isMandatory } from "./findings";
import { ComparedObject, kubernetesChanges, objectId } from "./kubernetes-changes";
import { NotShown, ObjectChange, PlanOutcome, StackReview } from "./model";
import { Manifest, PlanOutput } from "./plan-output";
import { redactRenderedObject } from "./rendered-secrets";
import { resourceChanges } from "./resource-changes";
import { stackSecretChanges } from "./stack-secrets";

const ARGOCD_KINDS = new Set(["AppProject", "Application", "ApplicationSet"]);

/** One side of the comparison: the tree it was planned from and what the plan wrote. */
export interface Side {
    root?: string;
    outcome: PlanOutcome;
    output?: PlanOutput;
}

function argoCdObjects(output: PlanOutput): ComparedObject[] {
    return output.manifests.filter((m) => ARGOCD_KINDS.has(m.kind) && String(m.apiVersion).startsWith("argoproj.io/")).map((object) => ({ object }));
}

interface AppOnSide {
    app: Manifest;
    origin: string;
}

/** The Applications one side declares and generates (shared with the plan, which judges what they render). */
function applicationsOf(output: PlanOutput, side: "base" | "head", notExpanded: NotShown[]): { apps: Map<string, AppOnSide>; generated: GeneratedApplication[] } {
    const found = applicationsToRender(output.manifests);
    for (const n of found.notExpanded) if (!notExpanded.some((x) => x.what === n.what && x.reason === n.reason)) notExpanded.push({ ...n, side });
    return { apps: new Map(found.applications.map((a) => [objectId(a.application), { app: a.application, origin: a.origin }])), generated: found.generated };
}

/** Compares two plans of one stack. When the base did not plan, only the head's findings are reported. */
export async function reviewStack(stack: string, base: Side, head: Side, render: RenderContext, fingerprintKey: string): Promise<StackReview> {
    const review: StackReview = {
        stack,
        base: base.outcome,
        head: head.outcome,
        changes: [],
        stackSecrets: [],
        findings: findingsDiff(base.output?.findings ?? [], head.output?.findings ?? []),
        headMandatory: (head.output?.findings ?? []).filter(isMandatory).length,
        notRendered: [],
        notExpanded: [],
        counts: { applications: 0, generatedApplications: 0, renderedObjects: 0 },
    };
    if (!base.output || !head.output || !base.root || !head.root) return review;
    const changes: ObjectChange[] = [...resourceChanges(base.output, head.output)];
    changes.push(...kubernetesChanges("argocd", argoCdObjects(base.output), argoCdObjects(head.output)));

    const { apps: appsBase, generated: genBase } = applicationsOf(base.output, "base", review.notExpanded);
    const { apps: appsHead, generated: genHead } = applicationsOf(head.output, "head", review.notExpanded);
    const asCompared = (g: GeneratedApplication): ComparedObject => ({ object: g.application, origin: `ApplicationSet ${g.applicationSet}, ${g.generatedFor}` });
    changes.push(...kubernetesChanges("generated", genBase.map(asCompared), genHead.map(asCompared)));

    review.counts.applications = [...appsHead.values()].filter((a) => !a.origin.includes("ApplicationSet")).length;
    review.counts.generatedApplications = genHead.length;
    for (const id of new Set([...appsHead.keys(), ...appsBase.keys()])) {
        const b = appsBase.get(id);
        const h = appsHead.get(id);
        const [rb, rh]: (RenderResult | undefined)[] = await Promise.all([b && renderApplication(base.root, b.app, render), h && renderApplication(head.root, h.app, render)]);
        const origin = (h ?? b)!.origin;
        // The reason names the chart (and its version): a version bump of an unfetchable chart reads as two reasons.
        const why = (r: { notRendered: string; chart?: string }) => (r.chart ? `${r.chart} ${r.notRendered.replace(/^it /, "")}` : r.notRendered);
        const failed = [rb && "notRendered" in rb ? { side: "base" as const, reason: why(rb) } : undefined, rh && "notRendered" in rh ? { side: "head" as const, reason: why(rh) } : undefined].filter((x) => x !== undefined);
        if (failed.length === 2 && failed[0].reason === failed[1].reason) review.notRendered.push({ what: origin, side: "both", reason: failed[0].reason });
        else for (const f of failed) review.notRendered.push({ what: origin, side: f.side, reason: f.reason });
        if (failed.length > 0) continue;
        const objects = async (r: RenderResult | undefined): Promise<ComparedObject[]> =>
            r && "objects" in r ? Promise.all(r.objects.map(async (o) => ({ ...(await redactRenderedObject(o, fingerprintKey)), origin }))) : [];
        if (rh && "objects" in rh) review.counts.renderedObjects += rh.objects.length;
        const rendered = kubernetesChanges("rendered", await objects(rb), await objects(rh));
        // One chart's objects may repeat across Applications: the identity includes the Application.
        for (const c of rendered) changes.push({ ...c, id: `${id} → ${c.id}` });
    }
    review.changes = changes;
    review.stackSecrets = stackSecretChanges(base.root, head.root, stack);
    return review;
}
