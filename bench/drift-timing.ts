/**
 * `npm run drift`'s three layers, timed in-process on a running loop (as tools/drift/cli.ts runs
 * them: side by side), for the loop and fleet benches: each layer's seconds, the whole report's, and
 * how many Applications the Argo CD layer read (it reads their status, never renders a chart).
 */
import { argoCdDrift } from "../tools/drift/argocd";
import type { DriftContext } from "../tools/drift/context";
import { pulumiDrift } from "../tools/drift/pulumi";
import { terraformDrift } from "../tools/drift/terraform";

export interface DriftTiming {
    seconds: { total: number; terraform: number; pulumi: number; argocd: number };
    /** Items per layer (-1: the layer could not be read). */
    items: { terraform: number; pulumi: number; argocd: number };
    applications: number;
    /** The Argo CD layer's milliseconds per Application read. */
    argocdMsPerApplication: number;
}

export async function driftTiming(ctx: DriftContext): Promise<DriftTiming> {
    const started = Date.now();
    const [terraform, pulumi, argocd] = await Promise.all([terraformDrift(ctx), pulumiDrift(ctx), argoCdDrift(ctx)]);
    const total = Math.round((Date.now() - started) / 100) / 10;
    const apps = await ctx.kubectl!.get<{ items: unknown[] }>(["applications.argoproj.io", "-n", ctx.argocdNamespace]);
    const applications = apps?.items.length ?? 0;
    const count = (l: { status: string; items: unknown[] }) => (l.status === "error" ? -1 : l.items.length);
    return {
        seconds: { total, terraform: terraform.seconds, pulumi: pulumi.seconds, argocd: argocd.seconds },
        items: { terraform: count(terraform), pulumi: count(pulumi), argocd: count(argocd) },
        applications,
        argocdMsPerApplication: applications ? Math.round((argocd.seconds * 1000) / applications) : 0,
    };
}
