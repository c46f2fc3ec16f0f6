/**
 * The Git adapter: the dry branch's history and the environment branches' hydrated commits with the
 * `hydrator.metadata` at the root of each (read in one `git cat-file --batch`, not one process per
 * commit); commits that an Application or a hydrated commit names but no branch read holds are
 * looked up. Then the signatures (`%G?` and the key) as git checks them through gpg, once per signed
 * commit: of every commit, or only of those the query needs (an object's chain, a `--since` window),
 * since that check is most of the time on a long history. A URL is cloned bare into a temporary
 * directory first.
 */
import { execFile, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { CommitSignature, DryCommit, GitCommit, HydratedCommit, HydratorMetadata, SignatureStatus, Trailer } from "./model";
import { AuditSourceError } from "./source-error";

/** The file the source hydrator writes at the root of each hydrated commit. */
export const HYDRATOR_METADATA = "hydrator.metadata";

const RECORD = "\x1e";
const FIELD = "\x1f";
const COMMIT_FIELDS = ["%H", "%P", "%an", "%ae", "%aI", "%cn", "%cI", "%s", "%(trailers:only,unfold)"];
const SIGNATURE_FIELDS = ["%G?", "%GF", "%GP", "%GK", "%GS"];
const SIGNATURE_STATUSES = new Set(["G", "B", "U", "X", "Y", "R", "E", "N"]);

export interface GitHistoryOptions {
    /** A bare repository, a clone, or a URL (cloned bare to a temporary directory). */
    repository: string;
    /** The dry branch. Default: main. */
    dryBranch?: string;
    /** The environment branches (missing ones are noted, not an error). */
    environmentBranches: string[];
    /** Commits named elsewhere (Application revisions, hydrated commits' dry shas); unknown ones are looked up. */
    revisions?: string[];
    /** Whose signatures to check (gpg runs once per signed commit). Default: every commit read. */
    signatures?: SignatureScope;
    /** The keyring git's gpg checks signatures with. Default: GNUPGHOME or gpg's own default. */
    gnupgHome?: string;
    /** Per git command. Default: 120 s. */
    timeoutMs?: number;
}

export interface GitHistory {
    description: string;
    dryTip: string;
    dryCommits: DryCommit[];
    hydratedCommits: HydratedCommit[];
    /** Environment branches that were found. */
    branchesRead: string[];
    notes: string[];
}

/** A repository that is a URL rather than a path. */
export function isRepositoryUrl(repository: string): boolean {
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(repository) || /^[\w.-]+@[\w.-]+:/.test(repository);
}

class Git {
    constructor(
        private readonly dir: string,
        private readonly source: string,
        private readonly env: NodeJS.ProcessEnv,
        private readonly timeoutMs: number,
    ) {}

    run(args: string[], allowFail = false): Promise<string> {
        return new Promise((resolve, reject) => {
            execFile("git", ["-C", this.dir, ...args], { env: this.env, maxBuffer: 512 * 1024 * 1024, timeout: this.timeoutMs, encoding: "utf8" }, (err, stdout, stderr) => {
                if (err && !allowFail) {
                    const why = (err as { killed?: boolean }).killed ? `timed out after ${this.timeoutMs / 1000} s` : stderr.trim().split("\n")[0] || err.message;
                    reject(new AuditSourceError(this.source, `git ${args[0]} failed: ${why}`));
                } else resolve(err ? "" : stdout);
            });
        });
    }

    /** Feeds `lines` to `git cat-file <mode>` and returns its output. */
    batch(mode: "--batch" | "--batch-check", lines: string[]): Promise<Buffer> {
        return new Promise((resolve, reject) => {
            const child = spawn("git", ["-C", this.dir, "cat-file", mode], { env: this.env, stdio: ["pipe", "pipe", "pipe"] });
            const chunks: Buffer[] = [];
            let stderr = "";
            const timer = setTimeout(() => child.kill("SIGKILL"), this.timeoutMs);
            child.stdout.on("data", (d: Buffer) => chunks.push(d));
            child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
            child.on("error", (e) => reject(new AuditSourceError(this.source, `git cat-file: ${e.message}`)));
            child.on("close", (code) => {
                clearTimeout(timer);
                if (code !== 0) reject(new AuditSourceError(this.source, `git cat-file failed: ${stderr.trim().split("\n")[0] || `exit ${code}`}`));
                else resolve(Buffer.concat(chunks));
            });
            child.stdin.end(lines.map((l) => `${l}\n`).join(""));
        });
    }
}

function parseTrailers(text: string): Trailer[] {
    return text
        .split("\n")
        .map((line) => /^([A-Za-z0-9][\w-]*)\s*:\s*(.*)$/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ key: m[1], value: m[2].trim() }));
}

function parseCommits(stdout: string): GitCommit[] {
    return stdout
        .split(RECORD)
        .filter((r) => r.trim() !== "")
        .map((record) => {
            const f = record.split(FIELD);
            return {
                sha: f[0],
                parents: f[1] ? f[1].split(" ") : [],
                author: f[2],
                authorEmail: f[3],
                authorDate: f[4],
                committer: f[5],
                committerDate: f[6],
                subject: f[7],
                trailers: parseTrailers(f[8] ?? ""),
            };
        });
}

const FORMAT = `--format=${RECORD}${COMMIT_FIELDS.join("%x1f")}`;

/** Parses `hydrator.metadata` (JSON); a file that is not an object is a problem, not an error. */
export function parseHydratorMetadata(text: string): { metadata?: HydratorMetadata; problem?: string } {
    try {
        const doc = JSON.parse(text) as unknown;
        if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return { problem: `${HYDRATOR_METADATA} is not a JSON object` };
        const d = doc as Record<string, unknown>;
        const str = (k: string) => (typeof d[k] === "string" ? (d[k] as string) : undefined);
        return {
            metadata: {
                drySha: str("drySha"),
                repoURL: str("repoURL"),
                author: str("author"),
                subject: str("subject") ?? str("message")?.split("\n")[0],
                date: str("date"),
                references: Array.isArray(d.references) ? d.references : undefined,
            },
        };
    } catch (e) {
        return { problem: `${HYDRATOR_METADATA} is not JSON (${(e as Error).message})` };
    }
}

/** Reads `<sha>:hydrator.metadata` of each commit in one batch; missing files are absent from the map. */
async function readMetadata(git: Git, shas: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (shas.length === 0) return found;
    const out = await git.batch("--batch", shas.map((s) => `${s}:${HYDRATOR_METADATA}`));
    let at = 0;
    for (const sha of shas) {
        const eol = out.indexOf(0x0a, at);
        if (eol < 0) break;
        const header = out.subarray(at, eol).toString("utf8");
        at = eol + 1;
        const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
        if (!m) continue; // "<spec> missing"
        const size = Number(m[2]);
        if (m[1] === "blob") found.set(sha, out.subarray(at, at + size).toString("utf8"));
        at += size + 1;
    }
    return found;
}

async function resolveBranch(git: Git, branch: string): Promise<string | undefined> {
    for (const ref of [`refs/heads/${branch}`, `refs/remotes/origin/${branch}`]) {
        const sha = (await git.run(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], true)).trim();
        if (sha) return ref;
    }
    return undefined;
}

function hydrated(commit: GitCommit, branch: string, text: string | undefined): HydratedCommit {
    if (text === undefined) return { ...commit, branch, metadataProblem: `no ${HYDRATOR_METADATA} at the root` };
    const { metadata, problem } = parseHydratorMetadata(text);
    return { ...commit, branch, ...(metadata ? { metadata } : {}), ...(problem ? { metadataProblem: problem } : {}) };
}

/** Commits the signatures of which are checked (each check runs gpg once): all, or what the query needs. */
export interface SignatureScope {
    /** The commits these revisions are, and the dry commits their hydrator.metadata names (an object's chain). */
    revisions?: string[];
    /** Commits committed since then (a timeline from `--since`). */
    since?: string;
}

/** `%G?` and the key of each commit, in one `git log --no-walk` per thousand commits. */
async function readSignatures(git: Git, shas: string[]): Promise<Map<string, CommitSignature>> {
    const found = new Map<string, CommitSignature>();
    for (let i = 0; i < shas.length; i += 1000) {
        const out = await git.run(["log", "--no-walk=unsorted", `--format=${RECORD}%H%x1f${SIGNATURE_FIELDS.join("%x1f")}`, ...shas.slice(i, i + 1000)]);
        for (const record of out.split(RECORD)) {
            const f = record.trim() === "" ? undefined : record.replace(/\n$/, "").split(FIELD);
            if (!f) continue;
            const status = (SIGNATURE_STATUSES.has(f[1]) ? f[1] : "E") as SignatureStatus;
            found.set(f[0], { status, fingerprint: f[2] || undefined, primaryFingerprint: f[3] || undefined, keyId: f[4] || undefined, signer: f[5]?.trim() || undefined });
        }
    }
    return found;
}

/** The shas whose signatures `scope` asks for; all when there is no scope. */
function shasToCheck(dry: readonly GitCommit[], hydratedCommits: readonly HydratedCommit[], scope: SignatureScope | undefined): string[] {
    const all = [...dry, ...hydratedCommits];
    if (!scope) return all.map((c) => c.sha);
    if (scope.revisions) {
        const wanted = new Set<string>();
        for (const r of scope.revisions.map((x) => x.toLowerCase())) {
            for (const c of all) if (c.sha.startsWith(r)) wanted.add(c.sha);
            for (const h of hydratedCommits) if (h.sha.startsWith(r) && h.metadata?.drySha) wanted.add(h.metadata.drySha.toLowerCase());
        }
        return all.filter((c) => wanted.has(c.sha) || [...wanted].some((w) => w.length < c.sha.length && c.sha.startsWith(w))).map((c) => c.sha);
    }
    const since = scope.since ? Date.parse(scope.since) : Number.NEGATIVE_INFINITY;
    return all.filter((c) => Date.parse(c.committerDate) >= since).map((c) => c.sha);
}

async function readHistory(dir: string, description: string, options: GitHistoryOptions, env: NodeJS.ProcessEnv): Promise<GitHistory> {
    const git = new Git(dir, description, env, options.timeoutMs ?? 120_000);
    if ((await git.run(["rev-parse", "--git-dir"], true)).trim() === "") throw new AuditSourceError(description, "not a Git repository");
    const dryBranch = options.dryBranch ?? "main";
    const dryRef = await resolveBranch(git, dryBranch);
    if (!dryRef) throw new AuditSourceError(description, `has no branch ${dryBranch} (the dry branch)`);
    const notes: string[] = [];

    const dryLog = parseCommits(await git.run(["log", "--topo-order", FORMAT, dryRef]));
    const dry: { commit: GitCommit; onDryBranch: boolean }[] = dryLog.map((commit) => ({ commit, onDryBranch: true }));
    const hydratedCommits: HydratedCommit[] = [];
    const branchesRead: string[] = [];
    for (const branch of options.environmentBranches) {
        const ref = await resolveBranch(git, branch);
        if (!ref) {
            notes.push(`no branch ${branch}: no hydrated commits from it`);
            continue;
        }
        branchesRead.push(branch);
        const commits = parseCommits(await git.run(["log", FORMAT, ref]));
        const metadata = await readMetadata(git, commits.map((c) => c.sha));
        hydratedCommits.push(...commits.map((commit) => hydrated(commit, branch, metadata.get(commit.sha))));
    }

    // Commits named elsewhere that no branch read holds: a dry sha of a hydrated commit, an Application's revision.
    const known = new Set([...dry.map((c) => c.commit.sha), ...hydratedCommits.map((c) => c.sha)]);
    const named = [...hydratedCommits.map((h) => h.metadata?.drySha), ...(options.revisions ?? [])].filter((r): r is string => !!r && /^[0-9a-f]{7,64}$/i.test(r));
    const unknown = [...new Set(named.map((r) => r.toLowerCase()))].filter((r) => !known.has(r) && (r.length >= 40 || ![...known].some((k) => k.startsWith(r))));
    if (unknown.length > 0) {
        const check = (await git.batch("--batch-check", unknown.map((r) => `${r}^{commit}`))).toString("utf8").split("\n");
        const found = [...new Set(check.map((l) => /^([0-9a-f]{40,64}) commit \d+$/.exec(l)?.[1]).filter((s): s is string => !!s && !known.has(s)))];
        if (found.length > 0) {
            const metadata = await readMetadata(git, found);
            const log = parseCommits(await git.run(["log", "--no-walk=unsorted", FORMAT, ...found]));
            for (const commit of log) {
                if (metadata.has(commit.sha)) hydratedCommits.push(hydrated(commit, "", metadata.get(commit.sha)));
                else dry.push({ commit, onDryBranch: false });
            }
        }
        const missing = unknown.length - found.length;
        if (missing > 0) notes.push(`${missing} revision${missing === 1 ? "" : "s"} named by Applications or hydrated commits ${missing === 1 ? "is" : "are"} not in the repository (a Helm chart version, or a commit not fetched)`);
    }

    const toCheck = shasToCheck(dry.map((d) => d.commit), hydratedCommits, options.signatures);
    const signatures = await readSignatures(git, toCheck);
    if (toCheck.length < dry.length + hydratedCommits.length) notes.push(`signatures checked of the ${toCheck.length} commits the query needs`);
    const dryCommits: DryCommit[] = dry.map(({ commit, onDryBranch }) => ({ ...commit, onDryBranch, ...(signatures.has(commit.sha) ? { signature: signatures.get(commit.sha) } : {}) }));
    for (const h of hydratedCommits) if (signatures.has(h.sha)) h.signature = signatures.get(h.sha);
    return { description, dryTip: dryCommits[0]?.sha ?? "", dryCommits, hydratedCommits, branchesRead, notes };
}

/** Reads the history; a URL is cloned bare to a temporary directory, removed afterwards. */
export async function readGitHistory(options: GitHistoryOptions): Promise<GitHistory> {
    const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: "0", ...(options.gnupgHome ? { GNUPGHOME: options.gnupgHome } : {}) };
    if (!isRepositoryUrl(options.repository)) {
        const dir = path.resolve(options.repository);
        const description = `Git repository ${options.repository}`;
        if (!fs.existsSync(dir)) throw new AuditSourceError(description, "no such directory");
        return readHistory(dir, description, options, env);
    }
    const description = `Git repository ${options.repository.replace(/\/\/[^/@]*@/, "//")}`;
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), "audit-git-"));
    try {
        await new Git(temp, description, env, options.timeoutMs ?? 120_000).run(["clone", "--quiet", "--bare", "--", options.repository, path.join(temp, "repo.git")]);
        return await readHistory(path.join(temp, "repo.git"), description, options, env);
    } finally {
        fs.rmSync(temp, { recursive: true, force: true });
    }
}
