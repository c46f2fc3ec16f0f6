// `npm run drift -- --stack <s> [--format text|json|md|sarif] [--out DIR] [--remediate]`
// One report of what drifted in the three layers (Terraform's outputs, Pulumi's resources, what Argo
// CD deploys), grouped by layer then cluster, each item with what to do. Exit codes: 0 no drift, 1
// drift, 2 could not tell (a layer could not be read, or bad input). `--remediate` does what the
// stack's `drift.remediation` says (default: report only), never in a layer whose read failed.
import * as fs from "fs";
import * as path from "path";
import { localLoop } from "../audit/local-loop";
import { cliFlags } from "../cli-flags";
import type { EngineWorkspace } from "../engine/pulumi-cli";
import { stackBackend } from "../engine/stack-backend";
import { Kubectl } from "../local-cluster/kubectl";
import { listStacks } from "../plan/stack-file";
import { argoCdDrift } from "./argocd";
import type { DriftContext } from "./context";
import { type DriftReport, exitCode } from "./model";
import { pulumiDrift } from "./pulumi";
import { remediate, stackRemediation } from "./remediate";
import { FORMATS, type Format, render } from "./report";
import { terraformDrift } from "./terraform";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

const USAGE = `usage: npm run drift -- --stack <stack> [--format text|json|md|sarif] [--out DIR] [--remediate]
  --format:     printed (default text); with --out DIR the one file written (every form without --format:
                drift.txt, drift.md, drift.json, drift.sarif)
  --remediate:  do what the stack's drift.remediation says (report: nothing; correct: pulumi up --refresh
                and a sync of each Application without self-heal), only in layers that were read
  cluster:      --kubeconfig FILE (default for local: the loop's) [--namespace argocd]
  state:        the pinned pulumi CLI with the loop's backend for local, else PULUMI_BACKEND_URL / PULUMI_ACCESS_TOKEN
  --config-file FILE: the stack file (default for local while the loop runs: the one npm run up wrote)
exit codes: 0 no drift, 1 drift, 2 could not tell (a layer unreadable, or bad input)`;

class UsageError extends Error {}

/** How to reach the stack's Pulumi backend: the loop's file backend for local, else the environment's. */
function pulumiBackend(stack: string, loopWorkspace: EngineWorkspace | undefined, cleanups: (() => void)[]): DriftContext["pulumi"] {
    const found = stackBackend(PROJECT_ROOT, stack, loopWorkspace, cleanups);
    return found && { workspace: found.workspace, ...(found.env ? { env: found.env } : {}), description: found.where };
}

async function main(argv: string[]): Promise<number> {
    const args = cliFlags("drift", USAGE, argv, {
        stack: { type: "string" },
        format: { type: "string" },
        out: { type: "string" },
        remediate: { type: "boolean", default: false },
        kubeconfig: { type: "string" },
        namespace: { type: "string", default: "argocd" },
        "config-file": { type: "string" },
    });
    if (typeof args === "number") return args;
    const cleanups: (() => void)[] = [];
    try {
        const stack = args.stack;
        if (!stack) throw new UsageError("--stack is required");
        if (!listStacks(PROJECT_ROOT).includes(stack) && !args["config-file"]) throw new UsageError(`--stack ${stack}: not a stack of this project (${listStacks(PROJECT_ROOT).join(", ")}); give --config-file for another`);
        if (args.format !== undefined && !FORMATS.includes(args.format as Format)) throw new UsageError(`--format ${args.format}: expected one of ${FORMATS.join(", ")}`);
        const loop = stack === "local" ? localLoop(PROJECT_ROOT) : undefined;
        const kubeconfig = args.kubeconfig ?? loop?.kubeconfig;
        if (kubeconfig && !fs.existsSync(kubeconfig)) throw new UsageError(`--kubeconfig ${kubeconfig}: no such file`);
        const configFile = args["config-file"] ?? loop?.configFile;
        if (configFile && !fs.existsSync(configFile)) throw new UsageError(`--config-file ${configFile}: no such file`);
        const kubectlBinary = fs.existsSync(path.join(PROJECT_ROOT, ".tools", "bin", "kubectl")) ? path.join(PROJECT_ROOT, ".tools", "bin", "kubectl") : "kubectl";
        const ctx: DriftContext = {
            projectRoot: PROJECT_ROOT,
            stack,
            configFile,
            pulumi: pulumiBackend(stack, loop?.pulumi, cleanups),
            kubectl: kubeconfig ? new Kubectl(kubectlBinary, kubeconfig) : undefined,
            argocdNamespace: args.namespace,
        };
        // One layer's failure never stops the others: each reads on its own.
        const layers = await Promise.all([terraformDrift(ctx), pulumiDrift(ctx), argoCdDrift(ctx)]);
        const report: DriftReport = { stack, generatedAt: new Date().toISOString(), layers };
        if (args.remediate) report.remediation = await remediate(ctx, report, stackRemediation(ctx));
        if (!args.out) {
            process.stdout.write(render(report, (args.format ?? "text") as Format));
            return exitCode(report);
        }
        fs.mkdirSync(args.out, { recursive: true });
        for (const format of args.format ? [args.format as Format] : FORMATS) {
            // Whole or not at all: a schedule never reads half a report.
            const file = path.join(args.out, `drift.${format === "text" ? "txt" : format}`);
            fs.writeFileSync(`${file}.tmp`, render(report, format));
            fs.renameSync(`${file}.tmp`, file);
            console.error(`drift: wrote ${file}`);
        }
        return exitCode(report);
    } catch (e) {
        const usage = e instanceof UsageError;
        console.error(`drift: ${usage ? (e as Error).message : ((e as Error).stack ?? String(e))}`);
        if (usage) console.error(USAGE);
        return 2;
    } finally {
        cleanups.forEach((c) => c());
    }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
