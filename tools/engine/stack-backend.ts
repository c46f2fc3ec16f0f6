/**
 * Where a CLI (`npm run audit`, `npm run drift`) finds a stack's Pulumi state: the local loop's file
 * backend for the local stack while the loop runs, else the backend PULUMI_BACKEND_URL (or Pulumi
 * Cloud, with PULUMI_ACCESS_TOKEN) names; none when the pinned CLI is not installed or no backend is
 * named, so the caller can say that layer is unread.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { EngineWorkspace } from "./pulumi-cli";

export interface StackBackend {
    workspace: EngineWorkspace;
    /** The backend for the CLI, when it is not the workspace's file backend. */
    env?: NodeJS.ProcessEnv;
    /** Where the state is, for messages (credentials in a URL left out). */
    where: string;
}

/** The backend of `stack`; `cleanups` gets the removal of the scratch folder made for it. */
export function stackBackend(projectRoot: string, stack: string, loopWorkspace: EngineWorkspace | undefined, cleanups: (() => void)[]): StackBackend | undefined {
    if (!fs.existsSync(path.join(projectRoot, ".tools", "bin", "pulumi"))) return undefined;
    if (stack === "local" && loopWorkspace) return { workspace: loopWorkspace, where: `the local loop's backend ${loopWorkspace.backendDir}` };
    const backend = process.env.PULUMI_BACKEND_URL ?? (process.env.PULUMI_ACCESS_TOKEN ? "https://api.pulumi.com" : undefined);
    if (!backend) return undefined;
    // The engine's runner wants a file backend directory; the backend used is PULUMI_BACKEND_URL's.
    const unused = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-backend-"));
    cleanups.push(() => fs.rmSync(unused, { recursive: true, force: true }));
    const workspace: EngineWorkspace = { projectRoot, backendDir: unused, passphrase: process.env.PULUMI_CONFIG_PASSPHRASE ?? "" };
    return { workspace, env: { PULUMI_BACKEND_URL: backend }, where: `backend ${backend.replace(/\/\/[^/@]*@/, "//")}` };
}
