/**
 * The plan's output directory, all or nothing: everything is written into a staging directory
 * beside `<out>/<stack>` and renamed into place only when the plan has finished. A refused input,
 * a failure or an interrupt (SIGINT, SIGTERM) leaves the previous `<out>/<stack>` as it was.
 */
import * as fs from "fs";
import * as path from "path";
import { onExit } from "../engine/processes";

/** `--out` or the stack's directory under it is not usable: bad input, exit 2. */
export class OutputDirError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "OutputDirError";
    }
}

/** The file that marks a directory as the plan's own output; only such a directory is ever replaced. */
export const PLAN_OUTPUT_MARKER = ".gitops-platform-plan";

/** What a plan wrote before the marker existed: a directory holding only these is the plan's too. */
const EARLIER_PLAN_FILES: ReadonlySet<string> = new Set(["manifests", "resources.json", "policy-report.json", "policy-report.sarif", "secret-fingerprints.json"]);

/** True when `dir` may be replaced: empty, marked as the plan's, or holding only what a plan writes. */
function isPlanOutput(dir: string): boolean {
    const entries = fs.readdirSync(dir);
    return entries.includes(PLAN_OUTPUT_MARKER) || entries.every((e) => EARLIER_PLAN_FILES.has(e));
}

export class StagedOutputDir {
    /** Where to write now. */
    readonly path: string;
    private readonly unregister: () => void;
    private done = false;

    /** `finalDir` is `<out>/<stack>`; `shown` is how messages name it (as the user gave it). */
    constructor(
        readonly finalDir: string,
        shown: string,
    ) {
        const parent = path.dirname(finalDir);
        if (fs.existsSync(parent) && !fs.statSync(parent).isDirectory()) {
            throw new OutputDirError(`--out ${path.dirname(shown)}: not a directory`);
        }
        if (fs.existsSync(finalDir) && !fs.lstatSync(finalDir).isDirectory()) {
            throw new OutputDirError(`${shown}: exists and is not a directory; remove it or choose another --out`);
        }
        // The plan replaces its own output only: --out stacks would otherwise delete tracked files.
        if (fs.existsSync(finalDir) && !isPlanOutput(finalDir)) {
            throw new OutputDirError(`${shown}: exists and was not written by the plan (no ${PLAN_OUTPUT_MARKER}); the plan replaces only its own output: remove it or choose another --out`);
        }
        fs.mkdirSync(parent, { recursive: true });
        this.path = fs.mkdtempSync(path.join(parent, `.${path.basename(finalDir)}.partial-`));
        fs.writeFileSync(path.join(this.path, PLAN_OUTPUT_MARKER), "Written by `npm run plan`; replaced whole by the next plan into this directory.\n");
        this.unregister = onExit(() => this.discard());
    }

    /** Replaces `<out>/<stack>` with what was written, in two renames (the old one is kept until the new is in place). */
    commit(): void {
        const old = `${this.path}.old`;
        if (fs.existsSync(this.finalDir)) fs.renameSync(this.finalDir, old);
        fs.renameSync(this.path, this.finalDir);
        fs.rmSync(old, { recursive: true, force: true });
        this.done = true;
        this.unregister();
    }

    /** Removes what was written so far; the previous output stays. */
    discard(): void {
        if (this.done) return;
        fs.rmSync(this.path, { recursive: true, force: true });
        this.done = true;
        this.unregister();
    }
}
