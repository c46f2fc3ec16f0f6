import * as fs from "fs";
import * as path from "path";
import { PolicyDiagnostic, PolicyResource, startPolicyAnalyzer } from "../policy-analyzer";
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

/** The resources as the engine hands them to an analyzer: with their providers resolved. */
export function toPolicyResources(run: ProgramRun): PolicyResource[] {
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    const toPolicyResource = (r: RegisteredResource): PolicyResource => {
        const provider = r.provider ? byUrn.get(r.provider) : undefined;
        return {
            urn: r.urn,
            type: r.type,
            name: r.name,
            properties: r.properties,
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

/**
 * Runs the policy pack over the resources the way the engine does: the pack is started as its
 * own process and driven over the analyzer gRPC protocol, per resource and then for the stack.
 */
export async function analyzeWithPolicyPack(projectRoot: string, run: ProgramRun, log: (line: string) => void): Promise<PolicyDiagnostic[]> {
    const configFile = policyConfigPath(run.stack);
    const configPath = path.join(projectRoot, configFile);
    let policyConfig: Record<string, unknown> = {};
    if (fs.existsSync(configPath)) {
        try {
            policyConfig = JSON.parse(fs.readFileSync(configPath, "utf8"));
        } catch (e) {
            throw new Error(`${configFile}: not valid JSON: ${(e as Error).message}`);
        }
    } else {
        log(`policy: no ${configFile}; every rule at its default enforcement level`);
    }
    const analyzer = await startPolicyAnalyzer(path.join(projectRoot, POLICY_PACK_DIR));
    try {
        await analyzer.configure(policyConfig);
        const resources = toPolicyResources(run);
        const diagnostics: PolicyDiagnostic[] = [];
        for (const r of resources.slice(1)) {
            diagnostics.push(...(await analyzer.analyze(r)));
        }
        diagnostics.push(...(await analyzer.analyzeStack(resources)));
        return diagnostics;
    } finally {
        await analyzer.close();
    }
}
