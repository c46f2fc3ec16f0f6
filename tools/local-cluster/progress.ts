/**
 * What `npm run up` and `npm run down` print while they work: one line per step with its time, and
 * the running total at the end. Everything else the steps say (addresses, process logs, the CLI's
 * whole output) goes to a log file that the last line names, so the terminal stays readable.
 */
import * as fs from "fs";
import * as path from "path";
import { performance } from "perf_hooks";

export interface StepTime {
    step: string;
    seconds: number;
}

export class Progress {
    private readonly started = performance.now();
    readonly steps: StepTime[] = [];

    /**
     * @param command `up` or `down`: the prefix of every line.
     * @param logFile where the steps' own messages go (appended, each with the step it came from).
     */
    constructor(
        private readonly command: string,
        readonly logFile: string,
        private readonly print: (line: string) => void = console.log,
    ) {
        fs.mkdirSync(path.dirname(logFile), { recursive: true });
        fs.writeFileSync(logFile, "");
    }

    /** A logger for a step's details: to the log file, not the terminal. */
    readonly log = (message: string): void => {
        fs.appendFileSync(this.logFile, `${message}\n`);
    };

    /** Runs one step; prints `<command>: <what> (<s> s)` when it is done, or `... failed after <s> s`. */
    async step<T>(what: string, work: () => Promise<T> | T): Promise<T> {
        const t0 = performance.now();
        this.log(`== ${what}`);
        try {
            const result = await work();
            this.record(what, t0);
            return result;
        } catch (e) {
            this.print(`${this.command}: ${what}: failed after ${seconds(t0)} s`);
            throw e;
        }
    }

    /** Says something the reader needs now (not a step): printed and logged. */
    note(line: string): void {
        this.print(`${this.command}: ${line}`);
        this.log(line);
    }

    /** Seconds since the command started. */
    get elapsed(): number {
        return (performance.now() - this.started) / 1000;
    }

    private record(what: string, t0: number): void {
        const s = (performance.now() - t0) / 1000;
        this.steps.push({ step: what, seconds: s });
        this.print(`${this.command}: ${what} (${s.toFixed(1)} s)`);
    }
}

function seconds(t0: number): string {
    return ((performance.now() - t0) / 1000).toFixed(1);
}
