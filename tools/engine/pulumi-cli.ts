/**
 * The real Pulumi CLI, as the pinned toolchain installs it (tools/install.sh): its PULUMI_HOME with
 * the Kubernetes provider installed, the Node.js language host beside the binary, a file backend
 * and the passphrase secrets provider. No network and no Pulumi Cloud.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnTracked } from "./processes";

/** Where the engine keeps its state and how its secrets are encrypted. */
export interface EngineWorkspace {
    /** The project root (Pulumi.yaml); the CLI runs there. */
    projectRoot: string;
    /** The file backend's directory (`file://<dir>`). */
    backendDir: string;
    /** Passphrase of the passphrase secrets provider. */
    passphrase: string;
}

/** The result of one CLI run. */
export interface CliResult {
    args: string[];
    code: number;
    stdout: string;
    stderr: string;
    seconds: number;
}

/** The pinned binaries' folder. */
export function toolsBin(projectRoot: string): string {
    return path.join(projectRoot, ".tools", "bin");
}

/** The PULUMI_HOME tools/install.sh prepared (the provider is installed there). */
export function pulumiHome(projectRoot: string): string {
    const marker = path.join(projectRoot, ".tools", "pulumi-home");
    if (fs.existsSync(marker)) return fs.readFileSync(marker, "utf8").trim();
    return path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "gitops-platform", "tools", "pulumi-home");
}

/** The environment the CLI runs in: only the pinned tools, nothing downloaded, nothing phoned home. */
export function engineEnv(ws: EngineWorkspace, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const bin = toolsBin(ws.projectRoot);
    if (!fs.existsSync(path.join(bin, "pulumi"))) {
        throw new Error(`the pinned Pulumi CLI is not installed (${path.join(bin, "pulumi")}): run bash tools/install.sh`);
    }
    return {
        ...process.env,
        PATH: `${bin}:${process.env.PATH ?? ""}`,
        PULUMI_HOME: pulumiHome(ws.projectRoot),
        PULUMI_BACKEND_URL: `file://${ws.backendDir}`,
        PULUMI_CONFIG_PASSPHRASE: ws.passphrase,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        // The provider comes from PULUMI_HOME, the language host from beside the CLI, not from PATH.
        PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
        // Makes `--event-log FILE` available: the engine's events (policy findings among them) as JSON lines.
        PULUMI_DEBUG_COMMANDS: "true",
        ...extra,
    };
}

/**
 * A temporary directory of one CLI run, its TMPDIR, for the caller to remove when the run ends. The
 * Kubernetes provider writes the kubeconfig it is configured with, credentials and all, to a file in
 * TMPDIR and never deletes it: without this, every run against a cluster left one in /tmp.
 */
function runTmpDir(): { dir: string; remove: () => void } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-run-"));
    return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Runs `pulumi <args>` in the project root; resolves with its exit code and output. A secret goes in
 * `input` (stdin, as `pulumi config set --secret KEY` reads it), never in `args`: a command line is
 * visible to every process on the machine and is written to transcripts.
 */
export function runPulumi(
    ws: EngineWorkspace,
    args: string[],
    options: {
        env?: NodeJS.ProcessEnv;
        timeoutMs?: number;
        input?: string;
        /** Output to this process's console, live (then not in the result). */
        inherit?: boolean;
        /** Each chunk of stdout as it comes (a fault injected at a moment of the update). */
        onOutput?: (text: string) => void;
        /** The CLI's pid, which leads its process group (language host, providers, policy packs). */
        onSpawn?: (pid: number) => void;
    } = {},
): Promise<CliResult> {
    fs.mkdirSync(ws.backendDir, { recursive: true }); // `file://DIR` must exist
    const started = process.hrtime.bigint();
    const tmp = runTmpDir();
    const child = spawnTracked(path.join(toolsBin(ws.projectRoot), "pulumi"), [...args, "--non-interactive"], {
        cwd: ws.projectRoot,
        env: engineEnv(ws, { TMPDIR: tmp.dir, ...options.env }),
        stdio: [options.input === undefined ? "ignore" : "pipe", options.inherit ? "inherit" : "pipe", options.inherit ? "inherit" : "pipe"],
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => {
        stdout += d.toString();
        options.onOutput?.(d.toString());
    });
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const timeout = setTimeout(() => child.pid && process.kill(-child.pid, "SIGTERM"), options.timeoutMs ?? 15 * 60_000);
    return new Promise((resolve, reject) => {
        child.once("error", (e) => {
            tmp.remove();
            reject(e);
        });
        child.once("close", (code, signal) => {
            clearTimeout(timeout);
            tmp.remove();
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            resolve({ args, code: code ?? (signal ? 128 : 1), stdout, stderr, seconds });
        });
    });
}

/** One policy finding from the engine's event log. */
export interface EngineFinding {
    policy: string;
    resource: string;
    level: string;
    message: string;
}

/** The policy findings in an event log written by `--event-log FILE` (one JSON event per line). */
export function readPolicyFindings(eventLog: string): EngineFinding[] {
    if (!fs.existsSync(eventLog)) return [];
    const findings: EngineFinding[] = [];
    for (const line of fs.readFileSync(eventLog, "utf8").split("\n")) {
        if (!line.trim()) continue;
        const event = JSON.parse(line) as { policyEvent?: { policyName: string; resourceUrn?: string; enforcementLevel: string; message: string } };
        const p = event.policyEvent;
        if (p) findings.push({ policy: p.policyName, resource: p.resourceUrn ?? "", level: p.enforcementLevel, message: p.message });
    }
    return findings;
}
