// `npm run promote -- --app <line> --from <env> --to <env> [...]` and `npm run promote -- --rollback --app <line> --env <env> [...]`
// A thin wrapper over the functions of index.ts: flags in, one clear message out. Exit codes: 0 done
// (the commit's sha on stdout), 1 refused or failed (nothing written, unless the message says what
// was), 2 bad flags.
import * as fs from "fs";
import * as path from "path";
import { localLoop } from "../audit/local-loop";
import { cliFlags } from "../cli-flags";
import { listStacks, StackFileError } from "../plan/stack-file";
import { clusterApplications, clusterSyncer } from "./applications";
import { PushFailed } from "./commit";
import { GitError, WorkingTree } from "./git";
import { type CommitOutcome, PromotionRefused } from "./model";
import { promote } from "./promote";
import { ReleaseFileError } from "./release-file";
import { environmentNamed, releaseLine } from "./release-line";
import { rollback } from "./rollback";
import { stackPlatform } from "./stack-config";
import { explainVerification } from "./verify";
import { watchPromotion } from "./watch";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

const USAGE = `usage: npm run promote -- --app <line> --from <env> --to <env> [options]
       npm run promote -- --rollback --app <line> --env <env> [--reason TEXT] [options]
  promote:   the release --from runs, once every Application there is Synced and Healthy at it for its soak,
             committed to --to's release file (--to later in the line's order than --from)
  rollback:  --env's release set back to its value before its last change (a rollback and what it undid are passed over),
             as a new commit (Reason: --reason, default "requested")
  options:   --stack local|dev|staging|prod (default local: the stack whose gitops.promotion names the line)
             --config-file FILE (the stack file; default for local while the loop runs: the one npm run up wrote)
             --repo DIR (the Git working tree the release files are committed to; default: this project)
             --kubeconfig FILE (the hub; default for local: the loop's) [--env-kubeconfig ENV=FILE ...] [--namespace argocd]
             --push (push the commit to the branch's remote, never forced)
             --pull-request (commit on a new branch promote/<line>/<to>-<release>; the current branch is left as it is)
             --watch (after the commit: follow the rollout; a wave not Healthy within verifyWindow is rolled back,
             and the rollback followed until Synced and Healthy, an Application that took the failed release synced to it)
             --dry-run (print the diff and the commit message; write nothing)
  output:    stdout: the commit's sha (the rollback's on a second line), or with --dry-run the diff and message
exit codes: 0 done, 1 refused or failed (the message says why), 2 bad flags`;

class UsageError extends Error {}

/** `ENV=FILE` pairs as a map. */
function environmentKubeconfigs(pairs: string[] | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    for (const pair of pairs ?? []) {
        const match = /^([^=]+)=(.+)$/.exec(pair);
        if (!match) throw new UsageError(`--env-kubeconfig ${pair}: expected ENV=FILE`);
        out[match[1]] = match[2];
    }
    return out;
}

function kubectlBinary(): string {
    const pinned = path.join(PROJECT_ROOT, ".tools", "bin", "kubectl");
    return fs.existsSync(pinned) ? pinned : "kubectl";
}

/** Dry: the diff and message. Real: the sha, and where it went. */
function report(outcome: CommitOutcome, what: string): void {
    if (!outcome.sha) {
        process.stdout.write(`${outcome.diff}\n${outcome.message}`);
        console.error(`promote: dry run: ${what} not committed`);
        return;
    }
    console.log(outcome.sha);
    console.error(`promote: ${what}: ${outcome.sha.slice(0, 7)} on ${outcome.branch}${outcome.pushed ? " (pushed)" : ""}`);
}

async function main(argv: string[]): Promise<number> {
    const args = cliFlags("promote", USAGE, argv, {
        app: { type: "string" },
        from: { type: "string" },
        to: { type: "string" },
        env: { type: "string" },
        rollback: { type: "boolean", default: false },
        reason: { type: "string" },
        stack: { type: "string", default: "local" },
        "config-file": { type: "string" },
        repo: { type: "string" },
        kubeconfig: { type: "string" },
        "env-kubeconfig": { type: "string", multiple: true },
        namespace: { type: "string", default: "argocd" },
        push: { type: "boolean", default: false },
        "pull-request": { type: "boolean", default: false },
        watch: { type: "boolean", default: false },
        "dry-run": { type: "boolean", default: false },
    });
    if (typeof args === "number") return args;
    try {
        if (!args.app) throw new UsageError("--app is required");
        if (args.rollback ? !args.env || args.from || args.to || args.watch : !args.from || !args.to || args.env || args.reason) {
            throw new UsageError(args.rollback ? "--rollback takes --env (not --from, --to or --watch)" : "a promotion takes --from and --to (--env and --reason go with --rollback)");
        }
        if (args.watch && (args["pull-request"] || args["dry-run"])) throw new UsageError("--watch follows a commit on the deployed branch: not with --pull-request or --dry-run");
        const stacks = listStacks(PROJECT_ROOT);
        if (!stacks.includes(args.stack) && !args["config-file"]) throw new UsageError(`--stack ${args.stack}: not a stack of this project (${stacks.join(", ")}); give --config-file for another`);
        const loop = args.stack === "local" ? localLoop(PROJECT_ROOT) : undefined;
        const configFile = args["config-file"] ?? loop?.configFile;
        if (configFile && !fs.existsSync(configFile)) throw new UsageError(`--config-file ${configFile}: no such file`);
        const envKubeconfigs = environmentKubeconfigs(args["env-kubeconfig"]);

        const tree = new WorkingTree(args.repo ?? PROJECT_ROOT);
        const line = releaseLine(stackPlatform(PROJECT_ROOT, args.stack, configFile), args.stack, args.app, (file) => tree.fileAt("HEAD", file));
        if (args.rollback) {
            const result = rollback({ line, environment: args.env!, tree, reason: args.reason, push: args.push, pullRequest: args["pull-request"], dryRun: args["dry-run"] });
            report(result, `rolled back ${line.application} in ${result.environment} from ${result.replaced} to ${result.release} (undoes ${result.undone.slice(0, 7)})`);
            return 0;
        }

        const kubeconfig = args.kubeconfig ?? loop?.kubeconfig;
        if (!kubeconfig) throw new UsageError("--kubeconfig is required (no running local loop: npm run up)");
        for (const file of [kubeconfig, ...Object.values(envKubeconfigs)]) if (!fs.existsSync(file)) throw new UsageError(`kubeconfig ${file}: no such file`);
        const cluster = { binary: kubectlBinary(), kubeconfig, environmentKubeconfigs: envKubeconfigs, namespace: args.namespace };
        const readApplications = clusterApplications(cluster);
        const result = await promote({ line, from: args.from!, to: args.to!, tree, readApplications, push: args.push, pullRequest: args["pull-request"], dryRun: args["dry-run"] });
        console.error(`promote: ${result.from}: ${explainVerification(result.verification)}`);
        report(result, `promoted ${line.application} ${result.release} from ${result.from} to ${result.to} (was ${result.previous})`);
        if (result.pullRequest) console.error(`promote: branch ${result.pullRequest.branch}; review it with: ${result.pullRequest.reviewHint}`);
        if (!args.watch || !result.sha) return 0;

        const target = environmentNamed(line, result.to, "--to");
        console.error(`promote: watching ${target.name} (each wave gets ${target.verifyWindow} to become Healthy)${result.pushed ? "" : "; not pushed: Argo CD sees the commit only if it reads this repository"}`);
        const watched = await watchPromotion({ line, environment: target, release: result.release, promotionSha: result.sha, tree, readApplications, push: args.push, log: (l) => console.error(l), syncApplication: clusterSyncer({ ...cluster, kubeconfig: envKubeconfigs[target.name] ?? kubeconfig }) });
        if (watched.rollout.outcome === "healthy") {
            console.error(`promote: ${target.name} runs ${result.release}, Synced and Healthy, after ${watched.rollout.elapsedSeconds}s`);
            return 0;
        }
        if (watched.rollback) {
            report(watched.rollback, `wave verification failed (${watched.rollout.reason}): rolled back ${target.name} to ${watched.rollback.release}`);
            const r = watched.recovery;
            if (r) console.error(r.outcome === "healthy" ? `promote: ${target.name} Synced and Healthy at the rollback after ${r.elapsedSeconds}s${r.resynced.length ? ` (synced to it: ${r.resynced.join(", ")})` : ""}` : `promote: ${r.reason}`);
        }
        else console.error(`promote: gave up watching: ${watched.rollout.reason}; the promotion ${result.sha.slice(0, 7)} stands (roll back with --rollback --app ${line.application} --env ${target.name})`);
        return 1;
    } catch (e) {
        if (e instanceof UsageError) {
            console.error(`promote: ${e.message}\n${USAGE}`);
            return 2;
        }
        const known = e instanceof PromotionRefused || e instanceof GitError || e instanceof PushFailed || e instanceof ReleaseFileError || e instanceof StackFileError;
        console.error(`promote: ${known ? (e as Error).message : ((e as Error).stack ?? String(e))}`);
        return 1;
    }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
