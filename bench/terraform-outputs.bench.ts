/**
 * Reading the outputs of a large local state: the outputs-only reader (lib/terraform) against
 * `JSON.parse` of the whole file. Generates 10 MB and 100 MB v4 states (the outputs of the local
 * stack, then many resource instances), and measures each way in a fresh child process: wall time of
 * the read and peak RSS (`resourceUsage().maxRSS`) above the process's RSS just before the read.
 *
 * Targets, reported as met or missed (a figure, not a pass/fail: the machines are shared and noisy):
 * outputs-only under 50 ms on the 100 MB state, and its memory growth independent of the file size
 * (under 32 MB for both sizes).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { recordResults } from "./results";

const TARGET_MS = 50;
const TARGET_GROWTH_MB = 32;
const MB = 1024 * 1024;

/** One measurement printed by a child process. */
interface Measurement {
    /** Milliseconds of the first read in the process. */
    firstMs: number;
    /** Median milliseconds of the later reads (outputs-only only; the full parse runs once). */
    medianMs?: number;
    /** RSS just before the first read, bytes. */
    baselineRss: number;
    /** Peak RSS of the process, bytes. */
    peakRss: number;
    /** Outputs found. */
    outputs: number;
}

/** Writes a v4 state of about `targetBytes` with the local stack's outputs first, like Terraform. */
function generateState(file: string, targetBytes: number): number {
    const real = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "stacks", "local", "terraform", "terraform.tfstate"), "utf8"));
    const header = JSON.stringify({ version: 4, terraform_version: "1.5.7", serial: 42, lineage: "5b0e6c43-2a4f-4d8e-9b1a-7f3c2d1e0a99", outputs: real.outputs }, null, 2);
    const fd = fs.openSync(file, "w");
    fs.writeSync(fd, `${header.slice(0, header.lastIndexOf("}")).trimEnd()},\n  "resources": [\n`);
    let written = header.length;
    for (let i = 0; written < targetBytes; i++) {
        const instance = {
            mode: "managed",
            type: "aws_instance",
            name: `node_${i}`,
            provider: 'provider["registry.terraform.io/hashicorp/aws"]',
            instances: [
                {
                    schema_version: 1,
                    attributes: {
                        id: `i-${(i * 2654435761).toString(16).padStart(17, "0").slice(-17)}`,
                        ami: "ami-0abcdef1234567890",
                        arn: `arn:aws:ec2:eu-west-1:111122223333:instance/i-${i.toString(16).padStart(17, "0")}`,
                        instance_type: "m7g.large",
                        private_ip: `10.42.${(i >> 8) & 255}.${i & 255}`,
                        subnet_id: "subnet-2fce6d2735c900a04",
                        tags: { Name: `node-${i}`, "kubernetes.io/cluster/gitops-local": "owned", team: "platform" },
                        root_block_device: [{ volume_size: 50, volume_type: "gp3", encrypted: true, iops: 3000, throughput: 125 }],
                        user_data: "IyEvYmluL2Jhc2gKc2V0IC1ldSAjIGJvb3RzdHJhcCB0aGUgbm9kZSB3aXRoIGl0cyBjbHVzdGVyCg==".repeat(4),
                        vpc_security_group_ids: ["sg-0123456789abcdef0", "sg-0fedcba9876543210"],
                    },
                    sensitive_attributes: [],
                    private: "eyJzY2hlbWFfdmVyc2lvbiI6IjEifQ==",
                    dependencies: ["aws_subnet.private", "aws_security_group.nodes"],
                },
            ],
        };
        const text = `${i === 0 ? "" : ",\n"}${JSON.stringify(instance, null, 2).replace(/^/gm, "    ")}`;
        fs.writeSync(fd, text);
        written += text.length;
    }
    fs.writeSync(fd, '\n  ],\n  "check_results": null\n}\n');
    fs.closeSync(fd);
    return fs.statSync(file).size;
}

/** Child side: one way of reading, measured, printed as JSON. */
async function measure(mode: string, file: string): Promise<void> {
    // Load everything the read needs before the baseline, so module loading is not counted.
    const { readTerraformOutputs } = await import("../lib/terraform/readTerraformOutputs");
    await import("../lib/terraform/sources/local");
    const baselineRss = process.memoryUsage().rss;
    let firstMs: number;
    let medianMs: number | undefined;
    let outputs: number;
    if (mode === "outputs-only") {
        const read = async () => Object.keys(await readTerraformOutputs({ backend: "local", path: file })).length;
        let started = process.hrtime.bigint();
        outputs = await read();
        firstMs = Number(process.hrtime.bigint() - started) / 1e6;
        const times: number[] = [];
        for (let i = 0; i < 9; i++) {
            started = process.hrtime.bigint();
            await read();
            times.push(Number(process.hrtime.bigint() - started) / 1e6);
        }
        medianMs = times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
    } else {
        const started = process.hrtime.bigint();
        const doc = JSON.parse(fs.readFileSync(file, "utf8")) as { outputs: Record<string, unknown> };
        outputs = Object.keys(doc.outputs).length;
        firstMs = Number(process.hrtime.bigint() - started) / 1e6;
    }
    const peakRss = process.resourceUsage().maxRSS * 1024;
    const result: Measurement = { firstMs, medianMs, baselineRss, peakRss, outputs };
    process.stdout.write(JSON.stringify(result));
}

function runChild(mode: string, file: string): Measurement {
    const child = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", __filename, "--measure", mode, file], {
        cwd: path.join(__dirname, ".."),
        encoding: "utf8",
        maxBuffer: 1024 * 1024,
    });
    if (child.status !== 0) throw new Error(`measuring ${mode} failed (exit ${child.status}):\n${child.stderr}`);
    return JSON.parse(child.stdout) as Measurement;
}

const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;
const ms = (n: number) => (n < 10 ? `${n.toFixed(2)} ms` : `${n.toFixed(0)} ms`);

async function main(): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tf-bench-"));
    const misses: string[] = [];
    try {
        const rows: string[][] = [["state", "way", "time (first)", "time (median of 9)", "peak RSS", "RSS growth"]];
        const growths: number[] = [];
        for (const target of [10 * MB, 100 * MB]) {
            const file = path.join(dir, `state-${target / MB}mb.tfstate`);
            const size = generateState(file, target);
            const fast = runChild("outputs-only", file);
            const full = runChild("json-parse", file);
            if (fast.outputs !== full.outputs) throw new Error(`output counts differ: ${fast.outputs} vs ${full.outputs}`);
            const fastGrowth = fast.peakRss - fast.baselineRss;
            const fullGrowth = full.peakRss - full.baselineRss;
            growths.push(fastGrowth);
            rows.push([mb(size), "outputs-only reader", ms(fast.firstMs), ms(fast.medianMs ?? fast.firstMs), mb(fast.peakRss), `+${mb(fastGrowth)}`]);
            rows.push([mb(size), "JSON.parse whole file", ms(full.firstMs), "-", mb(full.peakRss), `+${mb(fullGrowth)}`]);
            rows.push([
                mb(size),
                "ratio (parse / reader)",
                `${(full.firstMs / fast.firstMs).toFixed(0)}x`,
                `${(full.firstMs / (fast.medianMs ?? fast.firstMs)).toFixed(0)}x`,
                `${(full.peakRss / fast.peakRss).toFixed(1)}x`,
                `${(fullGrowth / Math.max(fastGrowth, 1)).toFixed(0)}x`,
            ]);
            if (target === 100 * MB) {
                recordResults({ terraformOutputs100MB: { stateMiB: Number((size / MB).toFixed(1)), outputsOnlyMs: Number(fast.firstMs.toFixed(1)), outputsOnlyRssGrowthMiB: Number((fastGrowth / MB).toFixed(1)), jsonParseMs: Math.round(full.firstMs), jsonParseRssGrowthMiB: Number((fullGrowth / MB).toFixed(1)) } });
            }
            if (target === 100 * MB && fast.firstMs >= TARGET_MS) misses.push(`outputs-only took ${ms(fast.firstMs)} on ${mb(size)} (target < ${TARGET_MS} ms)`);
            if (fastGrowth >= TARGET_GROWTH_MB * MB) misses.push(`outputs-only grew RSS by ${mb(fastGrowth)} on ${mb(size)} (target < ${TARGET_GROWTH_MB} MB)`);
            fs.rmSync(file);
        }
        const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
        for (const row of rows) process.stdout.write(`  ${row.map((cell, c) => cell.padEnd(widths[c])).join("  ")}\n`);
        process.stdout.write(
            `  outputs-only RSS growth, 10 MB vs 100 MB state: +${mb(growths[0])} vs +${mb(growths[1])} (does not grow with the file)\n` +
                `  targets: first read < ${TARGET_MS} ms on 100 MB, RSS growth < ${TARGET_GROWTH_MB} MB: ${misses.length ? "MISSED" : "met"}\n`,
        );
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
    if (misses.length) process.stdout.write(`  missed: ${misses.join("; ")}\n`);
}

if (process.argv[2] === "--measure") {
    measure(process.argv[3], process.argv[4]).catch((err: unknown) => {
        process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
        process.exit(1);
    });
} else {
    main().catch((err: unknown) => {
        process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
        process.exit(1);
    });
}
