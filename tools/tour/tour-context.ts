/**
 * What every step of the tour works with: the running loop `npm run up` left (its kubeconfig, its
 * Git repository with the developer's key, Pulumi's workspace), and the commands it runs the way
 * a reader would type them, their output kept in the tour's log.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { GitRepository } from "../local-cluster/git-repository";
import { Kubectl } from "../local-cluster/kubectl";
import { LoopLayout, LoopState, loopLayout, readLoopState } from "../local-cluster/loop-state";

export const NAMESPACE = "argocd";
/** Synced straight from main. */
export const DIRECT = { app: "hello-service", namespace: "hello", configMap: "hello-service" };
/** The same chart, hydrated to environments/local by Argo CD's commit server. */
export const HYDRATED = { app: "hello-audited", namespace: "hello-audited", configMap: "hello-audited-hello-service", branch: "environments/local" };
/** The chart value the tour changes. */
export const VALUES_FILE = "charts/hello-service/values-dev.yaml";

/** A command's outcome: its exit code, its output (stdout and stderr interleaved as they came), and stdout alone. */
export interface CommandResult {
    code: number;
    output: string;
    stdout: string;
}

/** What the steps share. */
export class TourContext {
    readonly layout: LoopLayout;
    /** The message the tour's change sets, and the one it replaced (the rollback brings it back). */
    readonly change = { before: "", after: "", commit: "" };

    constructor(
        readonly projectRoot: string,
        /** out/tour: the log of every command the tour ran, and the summary. */
        readonly outDir: string,
    ) {
        this.layout = loopLayout(projectRoot);
    }

    /** The running loop's state; an error if `npm run up` left none. */
    state(): LoopState {
        const state = readLoopState(this.layout);
        if (!state) throw new Error(`no local loop is running (${path.relative(this.projectRoot, this.layout.state)} is missing)`);
        return state;
    }

    kubectl(): Kubectl {
        return new Kubectl(path.join(this.projectRoot, ".tools", "bin", "kubectl"), this.state().kubeconfig);
    }

    /** The loop's Git repository, committing as the developer (signed). */
    git(): GitRepository {
        const developer = this.state().developer;
        if (!developer) throw new Error("the running loop has no developer key: it was started before npm run up signed its commits; npm run down, then npm run up");
        return GitRepository.open(this.layout.gitRepos, developer);
    }

    /** A path as the reader types it, from the project root. */
    rel(file: string): string {
        return path.relative(this.projectRoot, file) || ".";
    }

    /**
     * Runs a command from the project root (or `cwd`), its output appended to the tour's log and,
     * for lines `show` accepts, printed as they come. Never throws on a non-zero exit: the step judges.
     */
    run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; show?: (line: string) => boolean } = {}): Promise<CommandResult> {
        const log = path.join(this.outDir, "tour.log");
        fs.appendFileSync(log, `\n$ ${[command, ...args].join(" ")}\n`);
        return new Promise((resolve, reject) => {
            const child = spawn(command, args, { cwd: options.cwd ?? this.projectRoot, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
            let output = "";
            let stdout = "";
            let partial = "";
            const take = (chunk: Buffer) => {
                const text = chunk.toString();
                output += text;
                fs.appendFileSync(log, text);
                partial += text;
                const lines = partial.split("\n");
                partial = lines.pop() ?? "";
                for (const line of lines) if (options.show?.(line)) console.log(`    ${line}`);
            };
            child.stdout.on("data", (chunk: Buffer) => {
                stdout += chunk.toString();
                take(chunk);
            });
            child.stderr.on("data", take);
            child.on("error", reject);
            child.on("close", (code) => resolve({ code: code ?? 1, output, stdout }));
        });
    }

    /** A tool of this project as `npm run <script>` runs it (ts-node from node_modules). */
    tool(script: string, args: string[], options: { cwd?: string; show?: (line: string) => boolean } = {}): Promise<CommandResult> {
        const cwd = options.cwd ?? this.projectRoot;
        return this.run(path.join(cwd, "node_modules", ".bin", "ts-node"), ["--transpile-only", script, ...args], { ...options, cwd });
    }
}
