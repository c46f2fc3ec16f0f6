// `npm run plan -- --stack <name> [--out DIR] [--format text|json|sarif] [--terraform-outputs FILE] [--config-file FILE]`
// Exit codes: 0 planned, 1 a mandatory policy is violated, 2 bad config or input.
import * as fs from "fs";
import * as path from "path";
import { cliFlags } from "../cli-flags";
import { plan } from "./plan";
import { Redactor } from "./redaction";
import { formatSummary } from "./summary";

const FORMATS = ["text", "json", "sarif"] as const;
const USAGE = "usage: npm run plan -- --stack <name> [--out DIR] [--format text|json|sarif] [--terraform-outputs FILE] [--config-file FILE]";

async function main(argv: string[]): Promise<number> {
    const args = cliFlags("plan", USAGE, argv, {
        stack: { type: "string" },
        out: { type: "string", default: "out" },
        format: { type: "string", default: "text" },
        "terraform-outputs": { type: "string" },
        "config-file": { type: "string" },
    });
    if (typeof args === "number") return args;
    const format = args.format as (typeof FORMATS)[number];
    if (!args.stack || !FORMATS.includes(format)) {
        console.error(`plan: ${!args.stack ? "--stack is required" : `--format must be one of ${FORMATS.join(", ")}, got "${args.format}"`}\n${USAGE}`);
        return 2;
    }
    // Everything printed goes through the redactor, which learns the run's secrets as the plan finds them.
    const redactor = new Redactor();
    // Progress goes to stderr so that --format json|sarif leaves stdout to the report alone.
    const log = (line: string) => console.error(redactor.scrub(line));
    try {
        const result = await plan({ projectRoot: process.cwd(), stack: args.stack, outDir: args.out, terraformOutputs: args["terraform-outputs"], configFile: args["config-file"], log, redactor });
        if (format === "text") {
            console.log(redactor.scrub(formatSummary(result.stack, result.dir, result.run.resources, result.manifests.length, result.diagnostics, result.rendered)));
        } else {
            const file = format === "json" ? "policy-report.json" : "policy-report.sarif";
            process.stdout.write(fs.readFileSync(path.join(result.dir, file), "utf8"));
        }
        if (result.exitCode === 1) {
            const names = [...new Set(result.diagnostics.filter((d) => d.enforcementLevel === "mandatory").map((d) => d.policyName))];
            console.error(`plan: mandatory policy violated: ${names.join(", ")}`);
        }
        return result.exitCode;
    } catch (e) {
        // Config, stack file and Terraform source errors name their source and key paths; a program
        // error names the stack file the config came from.
        console.error(redactor.scrub(`plan ${args.stack}: ${errorText(e as Error, args["config-file"] ?? `stacks/Pulumi.${args.stack}.yaml`)}`));
        return 2;
    }
}

/** Errors whose messages start with the file, flag or Terraform source they concern. */
const SELF_NAMING_ERRORS = new Set(["StackFileError", "StackNameError", "OutputDirError", "TerraformSourceError", "PolicyConfigError"]);

/** The message of an input error; any other also names the stack file. Never a stack trace. */
function errorText(e: Error, stackFile: string): string {
    const message = e instanceof Error ? e.message : String(e);
    // The program names the stack's own file; with --config-file the config came from another.
    if (e?.name === "StackConfigError") return message.replace((e as Error & { file: string }).file, stackFile);
    return SELF_NAMING_ERRORS.has(e?.name) ? message : `${stackFile}: ${message}`;
}

// A reader that stops early (`| head`) closes the pipe: the report is cut, which is the reader's
// choice, so stop quietly instead of dying with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
        if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
        throw e;
    });
}

main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    // Exit once the report has drained into the pipe, or at once if nothing is pending.
    if (process.stdout.writableLength === 0) process.exit(code);
    process.stdout.once("drain", () => process.exit(code));
});
