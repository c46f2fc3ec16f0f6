/**
 * A bench that measures each size in a fresh process (so one size's memory and caches do not skew
 * the next): the parent runs this same file with `--measure <size>` once per size and reads the
 * JSON the child prints last.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");

/** In the parent: runs `file --measure <size>` per size (GITHUB_SHA fixed) and returns what each child printed. */
export function measureInChildren<T>(file: string, sizes: number[], what: (size: number) => string): T[] {
    return sizes.map((size) => {
        const child = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", file, "--measure", String(size)], {
            cwd: ROOT,
            encoding: "utf8",
            env: { ...process.env, GITHUB_SHA: process.env.GITHUB_SHA ?? "0123456789abcdef0123456789abcdef01234567" },
            maxBuffer: 64 * 1024 * 1024,
        });
        if (child.status !== 0) throw new Error(`${what(size)} failed (exit ${child.status}):\n${child.stderr}`);
        return JSON.parse(child.stdout.trim().split("\n").pop() as string) as T;
    });
}

/** The entry point: in a child (`--measure <size>`) measures and prints the result; in the parent runs `main`. */
export function benchMain<T>(measure: (size: number) => Promise<T>, main: () => void): void {
    if (process.argv[2] !== "--measure") return main();
    measure(Number(process.argv[3])).then(
        (m) => process.stdout.write(`\n${JSON.stringify(m)}\n`),
        (err: unknown) => {
            process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
            process.exit(1);
        },
    );
}
