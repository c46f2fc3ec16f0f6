/**
 * Where `npm run up` (tools/local-cluster/cli.ts) keeps the local loop's state, so the audit of the
 * local stack needs no flags while the loop runs: under `.tools/local-cluster/`, `state.json` (the
 * kubeconfig's path), the bare repository its Git server serves (`git/repos/gitops-platform.git`;
 * read on disk, no credentials needed; `git/gitops-platform.git` before the server), Pulumi's file
 * backend (`backend/`, the local stack's public passphrase), the stack file it ran with and the
 * webhook receiver's events (`webhook-events.jsonl`, wherever under it). The layout is cli.ts's;
 * this only reads it.
 */
import * as fs from "fs";
import * as path from "path";
import type { EngineWorkspace } from "../engine/pulumi-cli";

/** The local stack's passphrase (README: it guards only the local stack's demo values). */
const LOCAL_PASSPHRASE = "local-stack-only";

export interface LocalLoop {
    /** The bare repository Argo CD reads, if the loop made one. */
    gitDir?: string;
    /** The loop's kubeconfig, if the loop runs. */
    kubeconfig?: string;
    /** Pulumi's file backend of the loop, if it has one. */
    pulumi?: EngineWorkspace;
    /** The stack file `pulumi up` ran with. */
    configFile?: string;
    /** The webhook receiver's JSON-lines file. */
    notificationsFile?: string;
}

/** The first file named `name` under `dir`, at most `depth` folders down. */
function findFile(dir: string, name: string, depth: number): string | undefined {
    let entries: fs.Dirent[];
    try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
        return undefined;
    }
    const here = entries.find((e) => e.isFile() && e.name === name);
    if (here) return path.join(dir, here.name);
    if (depth === 0) return undefined;
    for (const e of entries) {
        if (!e.isDirectory() || e.name.endsWith(".git") || e.name === "logs") continue;
        const found = findFile(path.join(dir, e.name), name, depth - 1);
        if (found) return found;
    }
    return undefined;
}

/** What of the local loop exists under `projectRoot`; undefined when it never ran (or `npm run down` removed it). */
export function localLoop(projectRoot: string): LocalLoop | undefined {
    const data = path.join(projectRoot, ".tools", "local-cluster");
    if (!fs.existsSync(data)) return undefined;
    const loop: LocalLoop = {};
    loop.gitDir = [path.join(data, "git", "repos", "gitops-platform.git"), path.join(data, "git", "gitops-platform.git")].find((d) => fs.existsSync(d));
    try {
        const state = JSON.parse(fs.readFileSync(path.join(data, "state.json"), "utf8")) as { kubeconfig?: unknown };
        if (typeof state.kubeconfig === "string" && fs.existsSync(state.kubeconfig)) loop.kubeconfig = state.kubeconfig;
    } catch {
        // Not running: no kubeconfig to default to.
    }
    const backendDir = path.join(data, "backend");
    if (fs.existsSync(backendDir)) loop.pulumi = { projectRoot, backendDir, passphrase: LOCAL_PASSPHRASE };
    const configFile = path.join(data, "Pulumi.local.yaml");
    if (fs.existsSync(configFile)) loop.configFile = configFile;
    loop.notificationsFile = findFile(data, "webhook-events.jsonl", 3);
    return loop;
}
