// `npm run review -- --base <git ref> [--stack S ...] [--out DIR]`
// Exit codes: 0 no mandatory finding in head, 1 a mandatory finding, 2 bad input (the message says which).
import { cliFlags } from "../cli-flags";
import { ALL_STACKS, review } from "./review";
import { writeReview } from "./write-review";

const USAGE = "usage: npm run review -- --base <git ref> [--stack <local|dev|staging|prod> ...] [--out DIR]";

async function main(argv: string[]): Promise<number> {
    const args = cliFlags("review", USAGE, argv, {
        base: { type: "string" },
        stack: { type: "string", multiple: true },
        out: { type: "string", default: "out" },
        "fetch-timeout": { type: "string", default: "20" },
    });
    if (typeof args === "number") return args;
    if (!args.base) {
        console.error(`review: --base is required\n${USAGE}`);
        return 2;
    }
    const unknown = (args.stack ?? []).filter((s) => !ALL_STACKS.includes(s));
    if (unknown.length > 0) {
        console.error(`review: --stack ${unknown.join(", ")}: not a stack of this project (${ALL_STACKS.join(", ")})\n${USAGE}`);
        return 2;
    }
    const timeout = Number(args["fetch-timeout"]);
    const log = (line: string) => console.error(line);
    try {
        const result = await review({ repo: process.cwd(), base: args.base, stacks: args.stack, fetchTimeoutSeconds: Number.isFinite(timeout) && timeout > 0 ? timeout : 20, log });
        const dir = writeReview(args.out, result);
        for (const e of result.errors) console.error(`review: ${e}`);
        console.log(result.verdict);
        console.log(`review: wrote ${dir}/summary.md, report.html, review.json`);
        return result.exitCode;
    } catch (e) {
        console.error(`review: ${(e as Error).message}`);
        return 2;
    }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
