/**
 * Where `npm run up` keeps the running loop (`.tools/local-cluster/`) and what it records there:
 * the pids `npm run down` stops, the kubeconfig, and the keys of its signed commits. The tour and
 * `npm run audit` read it; only tools/local-cluster/cli.ts writes it.
 */
import * as fs from "fs";
import * as path from "path";
import type { EngineWorkspace } from "../engine/pulumi-cli";
import type { GpgKey } from "./gpg";

/** `state.json`. */
export interface LoopState {
    pids: { name: string; pid: number }[];
    kubeconfig: string;
    /** The developer who signs the loop's commits (a throwaway key under the loop's data). */
    developer?: GpgKey;
    /** A GNUPGHOME with the trusted keys only: `git verify-commit` as Argo CD judges a commit. */
    verifier?: string;
    /** Fingerprints of the keys the stack trusts (the developer's and the commit server's). */
    trustedKeys?: string[];
}

/** The loop's files, relative to nothing: every path is absolute under the project root. */
export interface LoopLayout {
    data: string;
    state: string;
    /** The stack file `pulumi up` runs with (made from stacks/Pulumi.local.yaml). */
    configFile: string;
    /** The folder of the loop's Git repository (the bare one and the developers' checkout). */
    gitRepos: string;
    ws: EngineWorkspace;
    stackArgs: string[];
    policyArgs: string[];
}

export function loopLayout(projectRoot: string): LoopLayout {
    const data = path.join(projectRoot, ".tools", "local-cluster");
    const configFile = path.join(data, "Pulumi.local.yaml");
    return {
        data,
        state: path.join(data, "state.json"),
        configFile,
        gitRepos: path.join(data, "git", "repos"),
        ws: { projectRoot, backendDir: path.join(data, "backend"), passphrase: "local-stack-only" },
        stackArgs: ["--stack", "local", "--config-file", configFile],
        policyArgs: ["--policy-pack", "policies/launch", "--policy-pack-config", "policies/config/local.json"],
    };
}

/** The running loop's state, or undefined when none runs. */
export function readLoopState(layout: LoopLayout): LoopState | undefined {
    if (!fs.existsSync(layout.state)) return undefined;
    return JSON.parse(fs.readFileSync(layout.state, "utf8")) as LoopState;
}
