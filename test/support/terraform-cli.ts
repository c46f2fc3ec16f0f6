/**
 * The real Terraform CLI for tests, run offline: an empty CLI configuration (no credentials, no
 * provider mirrors), no checkpoint calls, and only the builtin provider (`terraform_data`).
 * The binary comes from `.tools/bin` (tools/install.sh terraform) or PATH; missing is an error.
 */
import { execFile, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findTool } from "./helm";

/** The Terraform version the project pins. */
export const PINNED_TERRAFORM_VERSION = "1.5.7";

/** A scratch directory with a copy of a configuration, and Terraform run inside it. */
export interface TerraformWorkdir {
    /** The directory. */
    dir: string;
    /**
     * Runs `terraform <args>` there; rejects with stdout/stderr on a non-zero exit. Resolves to stdout.
     * Asynchronous on purpose: the http backend tests serve Terraform from this same process.
     */
    run(args: string[], env?: NodeJS.ProcessEnv): Promise<string>;
    /** Deletes the directory. */
    remove(): void;
}

/** Path of the pinned Terraform, checked to be version 1.5.7. */
export function terraformBinary(): string {
    const bin = findTool("terraform");
    const version = spawnSync(bin, ["version"], { encoding: "utf8", env: offlineEnv(os.tmpdir()) });
    if (!version.stdout.startsWith(`Terraform v${PINNED_TERRAFORM_VERSION}`)) {
        throw new Error(`${bin} is not Terraform v${PINNED_TERRAFORM_VERSION} (${version.stdout.split("\n")[0]}): run \`bash tools/install.sh terraform\``);
    }
    return bin;
}

function offlineEnv(dir: string): NodeJS.ProcessEnv {
    const rc = path.join(dir, ".empty.tfrc");
    if (!fs.existsSync(rc)) fs.writeFileSync(rc, "");
    const env: NodeJS.ProcessEnv = { ...process.env, TF_CLI_CONFIG_FILE: rc, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
    // Nothing from the caller's Terraform setup may leak in (plugin caches, credentials, variables).
    for (const key of Object.keys(env)) {
        if (/^TF_(PLUGIN_CACHE_DIR|TOKEN_|VAR_|HTTP_|DATA_DIR|WORKSPACE)/.test(key)) delete env[key];
    }
    return env;
}

/** Copies the `.tf` files of `configDir` into a fresh scratch directory. */
export function terraformWorkdir(configDir: string): TerraformWorkdir {
    const bin = terraformBinary();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tf-apply-"));
    for (const file of fs.readdirSync(configDir).filter((f) => f.endsWith(".tf"))) {
        fs.copyFileSync(path.join(configDir, file), path.join(dir, file));
    }
    const base = offlineEnv(dir);
    return {
        dir,
        run(args, env = {}) {
            return new Promise((resolve, reject) => {
                execFile(bin, args, { cwd: dir, encoding: "utf8", env: { ...base, ...env }, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => {
                    if (err) reject(new Error(`terraform ${args.join(" ")} failed (${err.message}):\n${stdout}\n${stderr}`));
                    else resolve(stdout);
                });
            });
        },
        remove() {
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
