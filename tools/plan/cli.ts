// `npm run plan -- --stack <name> [--out DIR] [--format text|json|sarif] [--terraform-outputs FILE] [--config-file FILE]`
// Exit codes: 0 planned, 1 a mandatory policy is violated, 2 bad config or input.
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { plan } from "./plan";
import { formatSummary } from "./summary";

const FORMATS = ["text", "json", "sarif"] as const;
const USAGE = "usage: npm run plan -- --stack <name> [--out DIR] [--format text|json|sarif] [--terraform-outputs FILE] [--config-file FILE]";

async function main(argv: string[]): Promise<number> {
    let args;
    try {
        args = parseArgs({
            args: argv,
            options: {
                stack: { type: "string" },
                out: { type: "string", default: "out" },
                format: { type: "string", default: "text" },
                "terraform-outputs": { type: "string" },
                "config-file": { type: "string" },
                help: { type: "boolean", short: "h" },
            },
            strict: true,
        }).values;
    } catch (e) {
        console.error(`plan: ${(e as Error).message}\n${USAGE}`);
        return 2;
    }
    if (args.help) {
        console.log(USAGE);
        return 0;
    }
    const format = args.format as (typeof FORMATS)[number];
    if (!args.stack || !FORMATS.includes(format)) {
        console.error(`plan: ${!args.stack ? "--stack is required" : `--format must be one of ${FORMATS.join(", ")}, got "${args.format}"`}\n${USAGE}`);
        return 2;
    }
    // Progress goes to stderr so that --format json|sarif leaves stdout to the report alone.
    const log = (line: string) => console.error(line);
    try {
        const result = await plan({ projectRoot: process.cwd(), stack: args.stack, outDir: args.out, terraformOutputs: args["terraform-outputs"], configFile: args["config-file"], log });
        if (format === "text") {
            console.log(formatSummary(result.stack, result.dir, result.run.resources, result.manifests.length, result.diagnostics));
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
        // Config, stack file and Terraform source errors already name their source and key paths.
        console.error(`plan ${args.stack}: ${(e as Error).message}`);
        return 2;
    }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
