// `npm run audit -- --stack <s> [--object <kind>/<namespace>/<name>] [--since <ISO date>] [--format md|html|json] [--out DIR]`
// The audit trail of a stack (a timeline of commits, hydrations, syncs, notifications and Pulumi
// updates) or of one live object (its chain back to the signed commit, the pull request, the Pulumi
// update and the Terraform state). Exit codes: 0 reported, 2 bad input (a flag, an object that does
// not exist, a source that cannot be read: the message names it), 1 an unexpected failure.
import * as fs from "fs";
import * as path from "path";
import { cliFlags } from "../cli-flags";
import type { EngineWorkspace } from "../engine/pulumi-cli";
import { stackBackend } from "../engine/stack-backend";
import { listStacks } from "../plan/stack-file";
import { Redactor } from "../plan/redaction";
import { type ClusterReader, fileCluster, kubectlCluster } from "./cluster";
import { localLoop } from "./local-loop";
import { auditRedactor, redactReport, scrubText } from "./redact";
import { FILE_NAMES, FORMATS, type Format, render } from "./render";
import { type PulumiHistorySource, loadAuditSources } from "./sources";
import { AuditSourceError } from "./source-error";
import { formatObjectRef, isSecretKind, parseObjectRef } from "./tracking-id";
import { auditTrail } from "./trail";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

const USAGE = `usage: npm run audit -- --stack <stack> [--object <kind>/<namespace>/<name>] [--since <ISO date>] [--format md|html|json] [--out DIR]
  what:    --object kind/namespace/name (kind/name if cluster-scoped): the object's chain; without: the stack's timeline
           --since 2026-01-31[T12:00:00Z]: leave out older events;  --format: printed (default md), or with --out the one file written (all three without --format)
  git:     --git-dir DIR|URL (bare repository, clone, or a URL cloned bare; default for local: the loop's, .tools/local-cluster/git)
           [--dry-branch main] [--env-branch BRANCH ...] (default environments/<stack> and the Applications' hydrator branches)
           [--gnupghome DIR] (the keyring signatures are checked with) [--trusted-keys FPR,FPR] (else: git's good (G) counts as verified)
  cluster: --kubeconfig FILE (default for local: the loop's) [--namespace argocd]
           or from saved files: --applications FILE (kubectl get applications.argoproj.io -o json) [--live-object FILE] (kubectl get -o json)
  others:  [--pulumi-history FILE] (pulumi stack history --json; else the pinned CLI with the loop's backend, or PULUMI_BACKEND_URL / PULUMI_ACCESS_TOKEN)
           [--notifications FILE] (JSON lines: the webhook bodies; default for local: the loop's receiver's) [--config-file FILE] (the stack file naming the Terraform state)`;

/** Bad input: printed (with the usage when a flag is at fault) and exit 2. */
class UsageError extends Error {
    constructor(
        message: string,
        readonly showUsage = true,
    ) {
        super(message);
    }
}

function kubectlBinary(): string {
    const pinned = path.join(PROJECT_ROOT, ".tools", "bin", "kubectl");
    return fs.existsSync(pinned) ? pinned : "kubectl";
}

function pulumiSource(stack: string, file: string | undefined, loopWorkspace: EngineWorkspace | undefined, cleanups: (() => void)[]): PulumiHistorySource | undefined {
    if (file) return { file };
    const found = stackBackend(PROJECT_ROOT, stack, loopWorkspace, cleanups);
    return found && { workspace: found.workspace, ...(found.env ? { env: found.env } : {}), description: `pulumi stack history (${found.where})` };
}

function trustedKeys(raw: string | undefined): string[] | undefined {
    if (raw === undefined) return undefined;
    const keys = raw.split(",").map((k) => k.replace(/\s+/g, "")).filter((k) => k !== "");
    const bad = keys.filter((k) => !/^[0-9a-f]{16,40}$/i.test(k));
    if (keys.length === 0 || bad.length > 0) throw new UsageError(`--trusted-keys: expected comma-separated fingerprints (40 hex digits) or long key ids (16), got ${bad.length ? bad.map((b) => JSON.stringify(b)).join(", ") : "none"}`);
    return keys;
}

/** Writes `text` to `file` whole or not at all. */
function writeAtomically(file: string, text: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, text);
    fs.renameSync(temp, file);
}

async function main(argv: string[]): Promise<number> {
    const args = cliFlags("audit", USAGE, argv, {
        stack: { type: "string" },
        object: { type: "string" },
        since: { type: "string" },
        format: { type: "string" },
        out: { type: "string" },
        "git-dir": { type: "string" },
        "dry-branch": { type: "string", default: "main" },
        "env-branch": { type: "string", multiple: true },
        gnupghome: { type: "string" },
        "trusted-keys": { type: "string" },
        kubeconfig: { type: "string" },
        namespace: { type: "string", default: "argocd" },
        applications: { type: "string" },
        "live-object": { type: "string" },
        "pulumi-history": { type: "string" },
        notifications: { type: "string" },
        "config-file": { type: "string" },
    });
    if (typeof args === "number") return args;
    const redactor = new Redactor();
    const cleanups: (() => void)[] = [];
    try {
        const stack = args.stack;
        if (!stack) throw new UsageError("--stack is required");
        const stacks = listStacks(PROJECT_ROOT);
        if (!stacks.includes(stack) && !args["config-file"]) throw new UsageError(`--stack ${stack}: not a stack of this project (${stacks.join(", ")}); give --config-file for another`);
        if (args.format !== undefined && !FORMATS.includes(args.format as Format)) throw new UsageError(`--format ${args.format}: expected one of ${FORMATS.join(", ")}`);
        const format = (args.format ?? "md") as Format;
        if (args.since !== undefined && (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(args.since) || Number.isNaN(Date.parse(args.since)))) {
            throw new UsageError(`--since ${args.since}: expected an ISO 8601 date or time, like 2026-01-31 or 2026-01-31T12:00:00Z`);
        }
        const object = args.object === undefined ? undefined : parseObjectRef(args.object);
        if (args.object !== undefined && !object) throw new UsageError(`--object ${args.object}: expected <kind>/<namespace>/<name>, or <kind>/<name> for a cluster-scoped object`);

        const loop = stack === "local" ? localLoop(PROJECT_ROOT) : undefined;
        const repository = args["git-dir"] ?? loop?.gitDir;
        if (!repository) throw new UsageError("--git-dir is required (no local loop repository under .tools/local-cluster: npm run up makes one)");

        let cluster: ClusterReader;
        if (args.applications || args["live-object"]) {
            if (object && !args["live-object"]) throw new UsageError("--object with saved files needs --live-object FILE (the object as kubectl get -o json writes it)");
            cluster = fileCluster({ applicationsFile: args.applications, objectFile: args["live-object"], redactor });
        } else {
            const kubeconfig = args.kubeconfig ?? loop?.kubeconfig;
            if (!kubeconfig) throw new UsageError("--kubeconfig is required (no running local loop: npm run up), or give --applications FILE");
            cluster = kubectlCluster({ binary: kubectlBinary(), kubeconfig, redactor });
        }

        const sources = await loadAuditSources({
            projectRoot: PROJECT_ROOT,
            stack,
            cluster,
            argocdNamespace: args.namespace,
            git: { repository, dryBranch: args["dry-branch"], environmentBranches: args["env-branch"], gnupgHome: args.gnupghome },
            object,
            since: args.since,
            pulumi: pulumiSource(stack, args["pulumi-history"], loop?.pulumi, cleanups),
            notificationsFile: args.notifications ?? loop?.notificationsFile,
            terraform: { configFile: args["config-file"] },
            trustedKeys: trustedKeys(args["trusted-keys"]),
            redactor,
        });
        if (object && !sources.liveObject) throw new UsageError(`--object ${formatObjectRef(object)}: not found (${cluster.description})`, false);

        const report = redactReport(auditTrail(sources, { object, since: args.since }), await auditRedactor(sources, redactor));
        if (object && (isSecretKind(object.kind) || sources.liveObject?.kind === "Secret")) console.error("audit: a Secret: its metadata only; its data is never read into the audit");
        const formats: Format[] = args.out && args.format === undefined ? [...FORMATS] : [format];
        const texts = formats.map((f) => [f, render(report, f)] as const);
        if (!args.out) {
            process.stdout.write(texts[0][1]);
            return 0;
        }
        const base = object ? `${object.kind}.${object.namespace ?? "_cluster"}.${object.name}`.replace(/[^\w.-]/g, "_") : "stack";
        const dir = path.resolve(args.out, "audit", stack);
        for (const [f, text] of texts) {
            const file = path.join(dir, FILE_NAMES[f].replace(/^audit/, base));
            writeAtomically(file, text);
            console.log(`audit: wrote ${path.relative(process.cwd(), file) || file}`);
        }
        return 0;
    } catch (e) {
        const known = e instanceof UsageError || e instanceof AuditSourceError;
        console.error(scrubText(`audit: ${known ? (e as Error).message : ((e as Error).stack ?? String(e))}`, redactor));
        if (e instanceof UsageError && e.showUsage) console.error(USAGE);
        return known ? 2 : 1;
    } finally {
        cleanups.forEach((c) => c());
    }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
