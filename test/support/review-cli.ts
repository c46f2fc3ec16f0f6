/** `npm run review` as a user runs it, for the specs that read what it writes. */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Review } from "../../tools/review/model";

export interface CliRun {
    status: number;
    stdout: string;
    stderr: string;
    dir: string;
    review: Review;
    summary: string;
    html: string;
}

function withoutGithubSha(): NodeJS.ProcessEnv {
    const env = { ...process.env };
    delete env.GITHUB_SHA;
    return env;
}

/** Runs the review CLI in `repo` as a user does, writing into `<repo>/<outName>/review`. */
export async function runReview(repo: string, args: string[], outName = "out", env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
    const out = path.join(repo, outName);
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(repo, "tools", "review", "cli.ts"), ...args, "--out", out, "--fetch-timeout", "5"], {
        cwd: repo,
        env: { ...withoutGithubSha(), ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const status = await new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? -1)));
    const dir = path.join(out, "review");
    const read = (f: string) => fs.readFileSync(path.join(dir, f), "utf8");
    return { status, stdout, stderr, dir, review: JSON.parse(read("review.json")) as Review, summary: read("summary.md"), html: read("report.html") };
}
