// `npm run adopt -- --stack <s> [--namespace <ns>...] [--write | --finish]`
// Reads what already runs on the stack's cluster (Helm releases, objects applied by hand,
// Applications made outside this program, an Argo CD installed by hand) and proposes the stack config
// entries that bring it under GitOps, with a takeover plan. It changes the cluster only with
// --finish, the takeover's last step (after pulumi up). Exit codes: 0 done, 1 problems (nothing written or
// deleted), 2 bad input or an unreadable cluster.
import * as fs from "fs";
import * as path from "path";
import { localLoop } from "../audit/local-loop";
import { cliFlags } from "../cli-flags";
import { Kubectl } from "../local-cluster/kubectl";
import { listStacks, readStackConfig, StackFileError } from "../plan/stack-file";
import { parsePlatform } from "../../stacks/load";
import { checkoutRepository } from "./chart-source";
import { ReleaseRecordError } from "./helm-release";
import { ClusterReadError, readInventory } from "./inventory";
import { takeoverPlan } from "./plan";
import { HELM_FIELD_MANAGER, propose } from "./proposal";
import { finishTakeover } from "./takeover";
import { editStackFile } from "./stack-edit";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

const USAGE = `usage: npm run adopt -- --stack <stack> [--namespace NS]... [--write] [--team TEAM]
       npm run adopt -- --stack <stack> [--namespace NS]... --finish
  (default)          print the proposal and its takeover plan; change nothing
  --write            write the config change into the stack file, the chart of objects applied by hand
                     under charts/ and the plan to docs/adoption/<stack>.md (nothing in the cluster)
  --finish           the takeover's last step, after pulumi up: sync each adopted Application once so
                     Argo CD takes the fields over, then delete a Helm release's records once Argo CD
                     owns every object of it (nothing deleted for a release it does not own whole)
  --namespace NS     where to look (repeatable; default every namespace but Kubernetes' and Argo CD's)
  --team TEAM        owner of new projects (default: the stack's audit.owner)
  cluster:           --kubeconfig FILE (default for local: the loop's) [--argocd-namespace argocd]
  --config-file FILE the stack file read and written (default stacks/Pulumi.<stack>.yaml)
  --repo-dir DIR     the checkout of the Git repository the stack's charts come from (default: this one)
exit codes: 0 done, 1 problems (nothing written or deleted), 2 bad input or an unreadable cluster`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
    const args = cliFlags("adopt", USAGE, argv, {
        stack: { type: "string" },
        namespace: { type: "string", multiple: true, default: [] },
        write: { type: "boolean", default: false },
        finish: { type: "boolean", default: false },
        team: { type: "string" },
        kubeconfig: { type: "string" },
        "argocd-namespace": { type: "string", default: "argocd" },
        "config-file": { type: "string" },
        "repo-dir": { type: "string" },
    });
    if (typeof args === "number") return args;
    try {
        const stack = args.stack;
        if (!stack) throw new UsageError("--stack is required");
        if (!listStacks(PROJECT_ROOT).includes(stack) && !args["config-file"]) throw new UsageError(`--stack ${stack}: not a stack of this project (${listStacks(PROJECT_ROOT).join(", ")}); give --config-file for another`);
        if (args.write && args.finish) throw new UsageError("--write and --finish are two steps of the takeover: merge and pulumi up in between");
        const loop = stack === "local" ? localLoop(PROJECT_ROOT) : undefined;
        const kubeconfig = args.kubeconfig ?? loop?.kubeconfig;
        if (!kubeconfig) throw new UsageError(`no cluster to read: give --kubeconfig${stack === "local" ? " (or start the loop with npm run up)" : ""}`);
        if (!fs.existsSync(kubeconfig)) throw new UsageError(`--kubeconfig ${kubeconfig}: no such file`);
        // The stack file a pull request changes (not the loop's copy, which `npm run up` writes afresh).
        const configFile = path.resolve(PROJECT_ROOT, args["config-file"] ?? path.join("stacks", `Pulumi.${stack}.yaml`));
        const repoDir = path.resolve(args["repo-dir"] ?? PROJECT_ROOT);
        if (!fs.existsSync(repoDir)) throw new UsageError(`--repo-dir ${repoDir}: no such folder`);
        const engine = readStackConfig(PROJECT_ROOT, stack, configFile);
        const { platform, problems: configProblems } = parsePlatform(engine.config["gitops-platform:platform"] ?? "{}");
        if (!platform) throw new UsageError(`${configFile}: ${configProblems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
        const kubectlBinary = fs.existsSync(path.join(PROJECT_ROOT, ".tools", "bin", "kubectl")) ? path.join(PROJECT_ROOT, ".tools", "bin", "kubectl") : "kubectl";
        const kubectl = new Kubectl(kubectlBinary, kubeconfig);
        const inventory = await readInventory(kubectl, { namespaces: args.namespace, argocdNamespace: args["argocd-namespace"] });

        if (args.finish) {
            const adopted = platform.gitops.applications.filter((a) => a.adoption);
            if (adopted.length === 0) {
                console.log(`no adopted application in ${path.relative(PROJECT_ROOT, configFile)} (adoption.fieldManager): nothing to finish`);
                return 0;
            }
            let owned = true;
            for (const entry of adopted) {
                const fieldManager = entry.adoption!.fieldManager;
                const release = fieldManager === HELM_FIELD_MANAGER ? inventory.releases.find((r) => r.name === entry.name && r.namespace === entry.destination.namespace) : undefined;
                const result = await finishTakeover(kubectl, { argocdNamespace: args["argocd-namespace"], application: entry.name, fieldManager, release });
                const synced = result.sync ? ` (synced once: ${result.sync})` : "";
                if (result.notOwned.length > 0) {
                    owned = false;
                    console.log(`${entry.name}${synced}: not Argo CD's whole yet${release ? ", the release records are kept" : ""}:\n${result.notOwned.map((n) => `  - ${n}`).join("\n")}`);
                } else {
                    console.log(`${entry.name}${synced}: every object is Argo CD's${result.deletedRecords.length > 0 ? `; deleted the Helm release records ${result.deletedRecords.join(", ")}` : ""}`);
                }
            }
            return owned ? 0 : 1;
        }

        const repository = checkoutRepository(platform);
        const proposal = await propose(inventory, platform, { stack, team: args.team, ...(repository ? { checkout: { dir: repoDir, repository } } : {}) });
        const planFile = path.join(repoDir, "docs", "adoption", `${stack}.md`);
        const edited = editStackFile(fs.readFileSync(configFile, "utf8"), path.relative(PROJECT_ROOT, configFile), proposal);
        if (proposal.problems.length === 0) proposal.problems.push(...edited.problems);
        const plan = takeoverPlan(proposal, { stackFile: path.relative(repoDir, configFile).startsWith("..") ? configFile : path.relative(repoDir, configFile) });
        process.stdout.write(`${plan}\n`);
        if (proposal.problems.length > 0) {
            console.error(`adopt: ${proposal.problems.length} problem${proposal.problems.length === 1 ? "" : "s"}; nothing written`);
            return 1;
        }
        if (!args.write) return 0;
        if (proposal.applications.length === 0) {
            console.log("nothing to write");
            return 0;
        }
        const clash = Object.keys(proposal.files).find((f) => fs.existsSync(path.join(repoDir, f)));
        if (clash) {
            console.error(`adopt: ${path.join(repoDir, clash)} exists; nothing written`);
            return 1;
        }
        for (const [file, text] of Object.entries(proposal.files)) {
            fs.mkdirSync(path.dirname(path.join(repoDir, file)), { recursive: true });
            fs.writeFileSync(path.join(repoDir, file), text);
        }
        fs.mkdirSync(path.dirname(planFile), { recursive: true });
        fs.writeFileSync(planFile, plan);
        // The stack file last: it is what makes pulumi up act.
        fs.writeFileSync(configFile, edited.text!);
        console.log(`written: ${configFile}, ${planFile}${Object.keys(proposal.files).length > 0 ? `, ${Object.keys(proposal.files).length} chart files under ${repoDir}` : ""}`);
        return 0;
    } catch (e) {
        if (e instanceof UsageError || e instanceof StackFileError || e instanceof ClusterReadError || e instanceof ReleaseRecordError) {
            console.error(`adopt: ${e.message}`);
            return 2;
        }
        throw e;
    }
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: Error) => {
        console.error(e.stack ?? e.message);
        process.exit(2);
    },
);
