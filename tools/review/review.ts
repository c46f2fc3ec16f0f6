/**
 * `npm run review`: plans the base ref (in a temporary git worktree) and the working tree for each
 * stack with `npm run plan`, and compares what they declare, generate, render and find.
 */
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { addBaseWorktree, BaseWorktree, headCommit, resolveCommit } from "./base-worktree";
import { HELM_MISSING, RenderContext } from "../manifests/chart-render";
import { findHelm } from "../manifests/helm";
import { Review, StackReview } from "./model";
import { runPlan } from "./run-plan";
import { reviewStack } from "./stack-review";
import { verdict } from "./verdict";

/** Every stack the project has, in deployment order. */
export const ALL_STACKS = ["local", "dev", "staging", "prod"];

export interface ReviewOptions {
    /** The working tree (head) to review: a git checkout of this project. */
    repo: string;
    /** The git ref to compare against. */
    base: string;
    /** Stacks to review. Default: all four. */
    stacks?: string[];
    /** Seconds a remote chart fetch may take. Default 20. */
    fetchTimeoutSeconds?: number;
    log?: (line: string) => void;
}

export async function review(options: ReviewOptions): Promise<Review> {
    const started = Date.now();
    const log = options.log ?? (() => undefined);
    const repo = path.resolve(options.repo);
    const stacks = options.stacks?.length ? options.stacks : ALL_STACKS;
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-review-"));
    const removeScratch = () => fs.rmSync(scratch, { recursive: true, force: true });
    process.once("exit", removeScratch);
    const errors: string[] = [];
    const notes: string[] = [];
    const head = headCommit(repo);
    // Both sides carry the same audit commit label, or every object would differ in it.
    const auditCommit = process.env.GITHUB_SHA || head;
    if (auditCommit) notes.push(`both sides are labelled with the audit commit ${auditCommit.slice(0, 12)} (and Argo CD's $ARGOCD_APP_REVISION is that commit), so the commit label is no change`);
    const fingerprintKey = randomBytes(32).toString("hex");
    let worktree: BaseWorktree | undefined;
    let baseCommit: string | undefined;
    const seconds = (since: number) => Math.round((Date.now() - since) / 100) / 10;
    const timings: Review["timings"] = { worktreeSeconds: 0, stacks: {} };
    try {
        try {
            baseCommit = resolveCommit(repo, options.base);
            log(`review: base ${options.base} is ${baseCommit.slice(0, 12)}; checking it out in a temporary worktree`);
            const t = Date.now();
            worktree = addBaseWorktree(repo, baseCommit, path.join(scratch, "base-tree"), log);
            timings.worktreeSeconds = seconds(t);
            log(`review: base dependencies ${worktree.dependencies}`);
        } catch (e) {
            errors.push((e as Error).message);
        }
        const helm = findHelm(repo);
        if (!helm) notes.push(`${HELM_MISSING}: no chart is rendered`);
        const render: RenderContext = {
            helm,
            workDir: fs.mkdtempSync(path.join(scratch, "render-")),
            fetch: true,
            revision: auditCommit ?? "0".repeat(40),
            cache: new Map(),
            fetchTimeoutSeconds: options.fetchTimeoutSeconds ?? 20,
        };
        // The plans judge what each Application renders with the same helm (a base worktree has no .tools).
        const env = { auditCommit, fingerprintKey, helm };
        const reviews: StackReview[] = [];
        for (const stack of stacks) {
            const t = Date.now();
            const [h, b] = await Promise.all([
                runPlan(repo, stack, path.join(scratch, "plans", "head"), env),
                worktree ? runPlan(worktree.dir, stack, path.join(scratch, "plans", "base"), env) : Promise.resolve(undefined),
            ]);
            if (!h.outcome.planned) errors.push(`the working tree does not plan stack ${stack}: ${h.outcome.error}`);
            if (b && !b.outcome.planned) errors.push(`base ${options.base} does not plan stack ${stack}: ${b.outcome.error}`);
            const planned = Date.now();
            const baseSide = b ? { root: worktree?.dir, ...b } : { outcome: { planned: false, exitCode: 2, error: errors[0] } };
            const stackReview = await reviewStack(stack, baseSide, { root: repo, ...h }, render, fingerprintKey);
            reviews.push(stackReview);
            timings.stacks[stack] = { planSeconds: Math.round((planned - t) / 100) / 10, compareSeconds: seconds(planned) };
            log(`review: ${stack}: ${stackReview.changes.length} changes, ${stackReview.findings.new.length} new and ${stackReview.findings.fixed.length} fixed findings (${((Date.now() - t) / 1000).toFixed(1)} s)`);
        }
        const anyMandatory = reviews.some((r) => r.headMandatory > 0);
        const exitCode = errors.length > 0 ? 2 : anyMandatory ? 1 : 0;
        const result: Review = {
            base: { ref: options.base, commit: baseCommit },
            head: { description: "the working tree", commit: head },
            stacks: reviews,
            errors,
            notes,
            verdict: "",
            exitCode,
            seconds: seconds(started),
            timings,
        };
        result.verdict = verdict(result);
        return result;
    } finally {
        worktree?.remove();
        removeScratch();
        process.removeListener("exit", removeScratch);
    }
}
