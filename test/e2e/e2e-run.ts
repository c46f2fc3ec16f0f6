/**
 * One end-to-end run: a work directory, the engine workspace, the steps with their timings, and
 * every line of output the tools printed (the canary check reads it all).
 */
import * as fs from "fs";
import * as path from "path";
import { CliResult, EngineWorkspace, runPulumi } from "../../tools/engine/pulumi-cli";

/** A step as `out/e2e/summary.json` records it. */
export interface StepRecord {
    name: string;
    ok: boolean;
    seconds: number;
    /** What the step measured or why it failed. */
    note?: string;
}

export class E2eRun {
    readonly steps: StepRecord[] = [];
    private readonly transcript: Record<string, string> = {};
    private failed = false;

    constructor(
        readonly projectRoot: string,
        /** Scratch space of this run; removed at the end. */
        readonly work: string,
        readonly ws: EngineWorkspace,
        /** The canary secret set in stack config. */
        readonly canary: string,
        /** Argo CD CRDs of the release the loop runs. */
        readonly argoCdCrdDir: string,
        private readonly log: (line: string) => void,
    ) {}

    /** True once a step failed: later steps that need it are skipped (and recorded as not ok). */
    get hasFailed(): boolean {
        return this.failed;
    }

    /** Runs a step unless an earlier one failed; records its time and outcome. */
    async step(name: string, body: () => Promise<string | void>, options: { always?: boolean } = {}): Promise<boolean> {
        if (this.failed && !options.always) {
            this.steps.push({ name, ok: false, seconds: 0, note: "skipped: an earlier step failed" });
            this.log(`  skip  ${name}`);
            return false;
        }
        const started = process.hrtime.bigint();
        try {
            const note = await body();
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            this.steps.push({ name, ok: true, seconds: roundSeconds(seconds), ...(note ? { note } : {}) });
            this.log(`  ok    ${name} (${seconds.toFixed(1)} s)${note ? `: ${note}` : ""}`);
            return true;
        } catch (e) {
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            const note = (e as Error).message;
            this.failed = true;
            this.steps.push({ name, ok: false, seconds: roundSeconds(seconds), note });
            this.log(`  FAIL  ${name} (${seconds.toFixed(1)} s)\n${note.replace(/^/gm, "        ")}`);
            return false;
        }
    }

    /** Runs the CLI and keeps its output for the canary check; a secret goes in `input` (stdin). */
    async cli(args: string[], input?: string, options: Pick<Parameters<typeof runPulumi>[2] & object, "env" | "onOutput" | "onSpawn"> = {}): Promise<CliResult> {
        const r = await runPulumi(this.ws, args, { input, ...options });
        const n = Object.keys(this.transcript).length;
        this.transcript[`pulumi ${args.slice(0, 2).join(" ")} #${n} stdout`] = r.stdout;
        this.transcript[`pulumi ${args.slice(0, 2).join(" ")} #${n} stderr`] = r.stderr;
        fs.appendFileSync(path.join(this.work, "transcript.log"), `$ pulumi ${args.join(" ")}\n${r.stdout}\n${r.stderr}\n[exit ${r.code}, ${r.seconds.toFixed(1)} s]\n`);
        return r;
    }

    /** Keeps another tool's output for the canary check. */
    record(name: string, text: string): void {
        this.transcript[name] = text;
    }

    /** Every output kept so far, by name. */
    outputs(): Record<string, string> {
        return { ...this.transcript };
    }
}

/** Seconds to one decimal, as the summary reports them. */
export function roundSeconds(seconds: number): number {
    return Math.round(seconds * 10) / 10;
}
