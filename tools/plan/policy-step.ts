import * as fs from "fs";
import * as path from "path";
import { AnalyzerInfo, PolicyAnalyzer, PolicyDiagnostic, PolicyPackConfig, PolicyResource, readPolicyConfigFile, startPolicyAnalyzer } from "../policy-analyzer";
import { ProgramRun, RegisteredResource } from "./run-program";
import { PROJECT } from "./stack-file";

/** The policy pack the plan evaluates, relative to the project root. */
export const POLICY_PACK_DIR = "policies";

/** The pack's per-stack configuration file, relative to the project root. */
export function policyConfigPath(stack: string): string {
    return path.join(POLICY_PACK_DIR, "config", `${stack}.json`);
}

/** The URN of the root stack resource, which carries the stack outputs. */
export function stackUrn(stack: string): string {
    return `urn:pulumi:${stack}::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-${stack}`;
}

/**
 * The resources as the engine hands them to an analyzer: with their providers resolved, and a
 * multi-language component (a helm v4 Chart) with no inputs, because its provider registers it
 * with none; the SDK's mock monitor would show the inputs the program passed.
 */
export function toPolicyResources(run: ProgramRun): PolicyResource[] {
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    const toPolicyResource = (r: RegisteredResource): PolicyResource => {
        const provider = r.provider ? byUrn.get(r.provider) : undefined;
        return {
            urn: r.urn,
            type: r.type,
            name: r.name,
            properties: r.remote ? {} : r.properties,
            parent: r.parent ?? stackUrn(run.stack),
            provider: provider && { urn: provider.urn, type: provider.type, name: provider.name, properties: provider.properties },
            options: r.options,
            dependencies: r.options.dependsOn,
        };
    };
    const stack: PolicyResource = {
        urn: stackUrn(run.stack),
        type: "pulumi:pulumi:Stack",
        name: `${PROJECT}-${run.stack}`,
        properties: run.outputs,
    };
    return [stack, ...run.resources.map(toPolicyResource)];
}

/** What the policy pack said about a run, and what the pack is (for the reports). */
export interface PolicyAnalysis {
    info: AnalyzerInfo;
    diagnostics: PolicyDiagnostic[];
}

/**
 * Runs the policy pack over the resources the way the engine does: the pack is started as its
 * own process and driven over the analyzer gRPC protocol, per resource and then for the stack,
 * with the stack's `policies/config/<stack>.json`. `alsoJudge`, when given, is handed the same running
 * and configured pack afterwards (the manifests entry point: what Argo CD Applications render).
 */
export async function analyzeWithPolicyPack(projectRoot: string, run: ProgramRun, log: (line: string) => void, alsoJudge?: (analyzer: PolicyAnalyzer) => Promise<void>): Promise<PolicyAnalysis> {
    const configFile = policyConfigPath(run.stack);
    const configPath = path.join(projectRoot, configFile);
    let policyConfig: PolicyPackConfig = {};
    if (fs.existsSync(configPath)) {
        policyConfig = readPolicyConfigFile(configPath);
    } else {
        log(`policy: no ${configFile}; every rule at its default enforcement level`);
    }
    const analyzer = await startPolicyAnalyzer(path.join(projectRoot, POLICY_PACK_DIR));
    try {
        const info = await analyzer.getAnalyzerInfo();
        await analyzer.configure(policyConfig, configFile);
        const resources = toPolicyResources(run);
        const diagnostics: PolicyDiagnostic[] = [];
        for (const r of resources.slice(1)) {
            diagnostics.push(...(await analyzer.analyze(r)));
        }
        diagnostics.push(...(await analyzer.analyzeStack(resources)));
        if (alsoJudge) await alsoJudge(analyzer);
        return { info, diagnostics };
    } finally {
        await analyzer.close();
    }
}
