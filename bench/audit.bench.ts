/**
 * `npm run audit` on a synthetic stack: a bare repository with 200 dry commits on main (every other
 * one signed with a throwaway GnuPG key, every tenth a pull request's merge) and 200 hydrated commits
 * on `environments/bench` each with its `hydrator.metadata`; 20 Applications with 50 history entries
 * each (as saved `kubectl get applications -o json`), 2,000 notification lines and 100 Pulumi
 * updates. Measured in this process: reading the sources (Git with git's signature checks, the
 * files, the Terraform state), the join, the redactor learning the sources' secrets, and the three
 * renders, for one object's chain and for the whole stack's timeline. Figures only, never asserted:
 * the machines are shared and noisy. Not measured: kubectl against a real API server (the files
 * stand in for it).
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { fileCluster } from "../tools/audit/cluster";
import type { ArgoApplication } from "../tools/audit/model";
import { auditRedactor, redactReport } from "../tools/audit/redact";
import { FORMATS, render } from "../tools/audit/render";
import { loadAuditSources } from "../tools/audit/sources";
import { parseObjectRef } from "../tools/audit/tracking-id";
import { auditTrail } from "../tools/audit/trail";
import { Redactor } from "../tools/plan/redaction";
import { MIB, printTable, recordResults, ROOT } from "./results";

const DRY = 200;
const HYDRATED = 200;
const APPS = 20;
const HISTORY = 50;
const UPDATES = 100;
const BRANCH = "environments/bench";
const START = Date.parse("2026-01-01T00:00:00Z");
const iso = (minutes: number) => new Date(START + minutes * 60_000).toISOString().replace(".000Z", "Z");

function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}, input?: string): string {
    return execFileSync("git", args, { cwd, input, encoding: "utf8", maxBuffer: 256 * MIB, env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", ...env } });
}

/** The repository: main's commits made with commit-tree (signed ones through gpg), the hydrated branch in one fast-import. */
function buildRepository(dir: string): { bare: string; gnupgHome: string; dry: string[]; hydrated: string[] } {
    const gnupgHome = path.join(dir, "gnupg");
    fs.mkdirSync(gnupgHome, { mode: 0o700 });
    execFileSync("gpg", ["--batch", "--passphrase", "", "--quick-gen-key", "Bench <bench@example.invalid>", "ed25519", "sign", "never"], { env: { ...process.env, GNUPGHOME: gnupgHome }, stdio: "ignore" });
    const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(execFileSync("gpg", ["--batch", "--with-colons", "--list-secret-keys"], { env: { ...process.env, GNUPGHOME: gnupgHome }, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }))![1];
    const bare = path.join(dir, "bench.git");
    git(dir, ["init", "--quiet", "--bare", "--initial-branch", "main", bare]);
    const tree = git(bare, ["mktree"], {}, "").trim();
    const dry: string[] = [];
    let parent: string | undefined;
    for (let i = 0; i < DRY; i++) {
        const when = iso(i * 60);
        const env = { GIT_AUTHOR_NAME: `Dev ${i % 7}`, GIT_AUTHOR_EMAIL: `dev${i % 7}@example.invalid`, GIT_COMMITTER_NAME: "Dev", GIT_COMMITTER_EMAIL: "dev@example.invalid", GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when, GNUPGHOME: gnupgHome };
        const sign = i % 2 === 0 ? ["-c", "gpg.program=gpg", "-c", `user.signingkey=${fpr}`] : [];
        let parents = parent ? ["-p", parent] : [];
        let message = `Change ${i}`;
        if (i % 10 === 9 && parent) {
            const side = git(bare, ["commit-tree", tree, "-p", parent, "-m", `Feature ${i}`], env).trim();
            parents = ["-p", parent, "-p", side];
            message = `Merge pull request #${i} from team/feature-${i}`;
        }
        parent = git(bare, [...sign, "commit-tree", tree, ...parents, ...(sign.length ? ["-S"] : []), "-m", message], env).trim();
        dry.push(parent);
    }
    git(bare, ["update-ref", "refs/heads/main", parent!]);

    const stream: string[] = [];
    for (let i = 0; i < HYDRATED; i++) {
        const drySha = dry[Math.min(DRY - 1, i)];
        const metadata = JSON.stringify({ repoURL: "https://git.example.invalid/bench.git", drySha, author: "Dev <dev@example.invalid>", subject: `Change ${i}`, date: iso(i * 60), references: [] });
        const manifest = `# hydrated from ${drySha}\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app-${i % APPS}}\n`;
        const message = `${drySha.slice(0, 7)}: Change ${i}\n`;
        const seconds = Math.floor((START + i * 3600_000 + 1800_000) / 1000);
        stream.push(
            `commit refs/heads/${BRANCH}`,
            `mark :${i + 1}`,
            `committer Argo CD <argocd@example.invalid> ${seconds} +0000`,
            `data ${Buffer.byteLength(message)}`,
            message,
            ...(i > 0 ? [`from :${i}`] : []),
            `M 100644 inline hydrator.metadata`,
            `data ${Buffer.byteLength(metadata)}`,
            metadata,
            `M 100644 inline in-cluster/app-${i % APPS}/manifest.yaml`,
            `data ${Buffer.byteLength(manifest)}`,
            manifest,
            "",
        );
    }
    git(bare, ["fast-import", "--quiet"], {}, `${stream.join("\n")}\n`);
    const hydrated = git(bare, ["rev-list", "--reverse", BRANCH]).trim().split("\n");
    return { bare, gnupgHome, dry, hydrated };
}

function writeInputs(dir: string, hydrated: string[]): { applications: string; notifications: string; pulumi: string; object: string } {
    const apps: ArgoApplication[] = [];
    const lines: string[] = [];
    for (let a = 0; a < APPS; a++) {
        const history = Array.from({ length: HISTORY }, (_, h) => {
            const revision = hydrated[(a * 7 + h * 4) % hydrated.length];
            return { id: h + 1, revision, deployedAt: iso(a + h * 240), deployStartedAt: iso(a + h * 240), initiatedBy: h % 3 === 0 ? { username: `user${h % 5}` } : { automated: true }, source: { repoURL: "https://git.example.invalid/bench.git", targetRevision: BRANCH, path: `in-cluster/app-${a}` } };
        });
        const last = history[history.length - 1];
        apps.push({
            apiVersion: "argoproj.io/v1alpha1",
            kind: "Application",
            metadata: { name: `app-${a}`, namespace: "argocd", labels: { "gitops.platform/stack": "local", "gitops.platform/git-commit": (a % 10).toString(16).repeat(40) }, annotations: { "gitops.platform/note": `application ${a}` } },
            spec: { project: "bench", sourceHydrator: { drySource: { repoURL: "https://git.example.invalid/bench.git", targetRevision: "main", path: `apps/app-${a}` }, syncSource: { targetBranch: BRANCH, path: `in-cluster/app-${a}` } } },
            status: {
                sync: { status: "Synced", revision: last.revision },
                health: { status: "Healthy" },
                history,
                operationState: { phase: "Succeeded", message: "successfully synced (all tasks run)", startedAt: last.deployedAt, finishedAt: last.deployedAt, operation: { initiatedBy: { automated: true }, sync: { revision: last.revision } }, syncResult: { revision: last.revision, resources: [] } },
                sourceHydrator: { currentOperation: { phase: "Hydrated", message: "", drySHA: "", hydratedSHA: last.revision, startedAt: last.deployedAt, finishedAt: last.deployedAt } },
            },
        });
        for (const h of history) {
            for (const event of ["on-audit-sync-running", "on-audit-sync-succeeded"]) {
                lines.push(JSON.stringify({ event, app: `app-${a}`, project: "bench", revision: h.revision, phase: event.endsWith("running") ? "Running" : "Succeeded", message: "successfully synced", at: h.deployedAt, initiatedBy: { username: null, automated: true }, drySha: null, hydratedSha: h.revision, receivedAt: h.deployedAt }));
            }
        }
    }
    const updates = Array.from({ length: UPDATES }, (_, u) => ({
        version: UPDATES - u,
        kind: "update",
        startTime: iso((UPDATES - u) * 100),
        endTime: iso((UPDATES - u) * 100 + 2),
        message: `update ${UPDATES - u}`,
        environment: { "git.head": ((UPDATES - u) % 10).toString(16).repeat(40), "git.author": "Bench" },
        config: {},
        result: "succeeded",
        resourceChanges: u % 4 === 0 ? { update: 1, same: 60 } : { same: 61 },
    }));
    const files = { applications: path.join(dir, "applications.json"), notifications: path.join(dir, "notifications.jsonl"), pulumi: path.join(dir, "history.json"), object: path.join(dir, "object.json") };
    fs.writeFileSync(files.applications, JSON.stringify({ apiVersion: "v1", kind: "List", items: apps }));
    fs.writeFileSync(files.notifications, `${lines.join("\n")}\n`);
    fs.writeFileSync(files.pulumi, JSON.stringify(updates));
    fs.writeFileSync(files.object, JSON.stringify({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "app-7", namespace: "bench", annotations: { "argocd.argoproj.io/tracking-id": "app-7:apps/Deployment:bench/app-7" } } }));
    return files;
}

interface Run {
    sources: number;
    join: number;
    redact: number;
    render: number;
    events: number;
    bytes: number;
}

async function audit(repo: { bare: string; gnupgHome: string }, files: ReturnType<typeof writeInputs>, object?: string): Promise<Run> {
    const t0 = performance.now();
    const redactor = new Redactor();
    const sources = await loadAuditSources({
        projectRoot: ROOT,
        stack: "local",
        cluster: fileCluster({ applicationsFile: files.applications, objectFile: object ? files.object : undefined, redactor }),
        git: { repository: repo.bare, gnupgHome: repo.gnupgHome, environmentBranches: [BRANCH] },
        object: object ? parseObjectRef(object) : undefined,
        pulumi: { file: files.pulumi },
        notificationsFile: files.notifications,
        terraform: {},
        redactor,
    });
    const t1 = performance.now();
    const report = auditTrail(sources, { object: object ? parseObjectRef(object) : undefined });
    const t2 = performance.now();
    const safe = redactReport(report, await auditRedactor(sources, redactor));
    const t3 = performance.now();
    const bytes = FORMATS.reduce((n, f) => n + render(safe, f).length, 0);
    const t4 = performance.now();
    if (object && !safe.chain?.dryCommit) throw new Error(`the bench object's chain is incomplete: ${JSON.stringify(safe.chain?.gaps)}`);
    return { sources: t1 - t0, join: t2 - t1, redact: t3 - t2, render: t4 - t3, events: safe.timeline.length, bytes };
}

async function main(): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-bench-"));
    let gnupgHome: string | undefined;
    try {
        const b0 = performance.now();
        const repo = buildRepository(dir);
        gnupgHome = repo.gnupgHome;
        const files = writeInputs(dir, repo.hydrated);
        const built = (performance.now() - b0) / 1000;
        // Git's own share: the dry branch's log with signatures (one gpg check per signed commit), and without.
        const g0 = performance.now();
        git(repo.bare, ["log", "--format=%H %G? %GF", "main"], { GNUPGHOME: repo.gnupgHome });
        const g1 = performance.now();
        git(repo.bare, ["log", "--format=%H", "main"]);
        const g2 = performance.now();

        const runs: Record<string, Run[]> = { object: [], stack: [] };
        for (let i = 0; i < 3; i++) {
            runs.object.push(await audit(repo, files, "deployment/bench/app-7"));
            runs.stack.push(await audit(repo, files));
        }
        const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
        const ms = (x: number) => x.toFixed(0);
        const rows = [["audit", "first total ms", "median total ms", "sources ms", "join ms", "redaction ms", "3 renders ms", "timeline events", "output KiB"]];
        const figures: Record<string, unknown> = {};
        for (const [name, list] of Object.entries(runs)) {
            const total = (r: Run) => r.sources + r.join + r.redact + r.render;
            const m = list[list.length - 1];
            rows.push([
                name === "object" ? "one object's chain" : "whole stack timeline",
                ms(total(list[0])),
                ms(median(list.map(total))),
                ms(median(list.map((r) => r.sources))),
                ms(median(list.map((r) => r.join))),
                ms(median(list.map((r) => r.redact))),
                ms(median(list.map((r) => r.render))),
                String(m.events),
                (m.bytes / 1024).toFixed(0),
            ]);
            figures[name] = { firstMs: Math.round(total(list[0])), medianMs: Math.round(median(list.map(total))), sourcesMs: Math.round(median(list.map((r) => r.sources))), joinMs: Math.round(median(list.map((r) => r.join))), redactMs: Math.round(median(list.map((r) => r.redact))), renderMs: Math.round(median(list.map((r) => r.render))), events: m.events, outputBytes: m.bytes };
        }
        process.stdout.write(`synthetic stack: ${DRY} dry commits (half signed), ${HYDRATED} hydrated, ${APPS} Applications x ${HISTORY} history entries, ${APPS * HISTORY * 2} notifications, ${UPDATES} Pulumi updates; built in ${built.toFixed(1)} s\n`);
        process.stdout.write(`git log of main: ${ms(g1 - g0)} ms with signature checks (%G?), ${ms(g2 - g1)} ms without\n`);
        printTable(rows);
        process.stdout.write(`peak RSS ${((process.resourceUsage().maxRSS * 1024) / MIB).toFixed(0)} MiB\n`);
        recordResults({ audit: { dryCommits: DRY, hydratedCommits: HYDRATED, applications: APPS, historyPerApplication: HISTORY, gitLogSignedMs: Math.round(g1 - g0), gitLogUnsignedMs: Math.round(g2 - g1), ...figures } });
    } finally {
        if (gnupgHome) spawnSync("gpgconf", ["--kill", "gpg-agent"], { env: { ...process.env, GNUPGHOME: gnupgHome } });
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

main().catch((e) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
});
