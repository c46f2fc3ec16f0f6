/**
 * `--remediate`: what the stack's `drift.remediation` allows, per layer, and never in a layer that
 * could not be read (its drift is unknown, so "correcting" it could undo a change nobody saw).
 * `correct` runs `pulumi up --refresh` (which also takes Terraform's new outputs: the foundation
 * itself stays Terraform's) and starts a sync of each Application whose drift self-heal will not
 * revert; orphans are reported only, since deleting what no one declared is a person's decision.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { CONFIG_NAMESPACE, PLATFORM_KEY } from "../../stacks/configKeys";
import type { DriftContext } from "./context";
import type { DriftReport, Layer } from "./model";
import { remediatePulumi } from "./pulumi";

export type Remediation = "report" | "correct";
type Step = NonNullable<DriftReport["remediation"]>[number];

/** The stack file's `drift.remediation` (default `report`; the schema allows `correct` on local and dev only). */
export function stackRemediation(ctx: Pick<DriftContext, "projectRoot" | "stack" | "configFile">): Remediation {
    const file = ctx.configFile ?? path.join(ctx.projectRoot, "stacks", `Pulumi.${ctx.stack}.yaml`);
    const raw = (YAML.parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> }).config?.[`${CONFIG_NAMESPACE}:${PLATFORM_KEY}`] as { drift?: { remediation?: unknown } } | undefined;
    return raw?.drift?.remediation === "correct" ? "correct" : "report";
}

export async function remediate(ctx: DriftContext, report: DriftReport, mode: Remediation): Promise<Step[]> {
    const layer = (name: Layer) => report.layers.find((l) => l.layer === name)!;
    if (mode === "report") return [{ layer: "pulumi", action: "report only", ok: true, detail: `drift.remediation of stack ${ctx.stack} is report: a person decides` }];
    const steps: Step[] = [];
    const unread = (name: Layer) => layer(name).status === "error";
    // Pulumi corrects its own resources and takes Terraform's new outputs in one update.
    if (unread("pulumi") || unread("terraform")) {
        const which = (["terraform", "pulumi"] as const).filter(unread).join(" and ");
        steps.push({ layer: "pulumi", action: "pulumi up --refresh", ok: false, detail: `not run: the ${which} layer could not be read` });
    } else if (layer("pulumi").status === "drift" || layer("terraform").status === "drift") {
        const policy = ["--policy-pack", "policies/launch", "--policy-pack-config", `policies/config/${ctx.stack}.json`];
        const result = await remediatePulumi(ctx, policy);
        steps.push({ layer: "pulumi", action: "pulumi up --refresh", ok: result.ok, detail: result.detail });
    }
    const argocd = layer("argocd");
    if (argocd.status === "error") {
        steps.push({ layer: "argocd", action: "sync", ok: false, detail: "not run: the Argo CD layer could not be read" });
    } else if (argocd.status === "drift") {
        const toSync = [...new Set(argocd.items.filter((i) => i.kind !== "orphaned" && !i.selfHeals && i.application).map((i) => i.application!))];
        for (const app of toSync) steps.push(await syncApplication(ctx, app));
        const healing = argocd.items.filter((i) => i.selfHeals).length;
        if (healing > 0) steps.push({ layer: "argocd", action: "self-heal", ok: true, detail: `${healing} item(s) Argo CD's self-heal reverts on its own` });
        const orphans = argocd.items.filter((i) => i.kind === "orphaned").map((i) => i.object);
        if (orphans.length > 0) steps.push({ layer: "argocd", action: "report orphans", ok: true, detail: `not deleted (no one declared them): ${orphans.join(", ")}` });
    }
    return steps;
}

/** What `argocd app sync` asks of the controller: an operation on the Application, to its target revision. */
async function syncApplication(ctx: DriftContext, app: string): Promise<Step> {
    const operation = { operation: { initiatedBy: { username: "npm run drift --remediate" }, sync: { syncOptions: [] } } };
    const r = await ctx.kubectl!.run(["patch", "applications.argoproj.io", app, "-n", ctx.argocdNamespace, "--type", "merge", "-p", JSON.stringify(operation)], { allowFail: true });
    return { layer: "argocd", action: `sync ${app}`, ok: r.code === 0, detail: r.code === 0 ? "sync operation started" : r.stderr.trim() };
}
