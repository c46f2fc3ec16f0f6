/**
 * Engine-side client of the policy pack: starts the pack the way the Pulumi CLI does and drives it over gRPC with
 * the same protobuf messages, so the plan and the tests run the real analyzer code path.
 */
import { ChildProcess, execFileSync } from "child_process";
import * as fs from "fs";
import { spawnTracked } from "../engine/processes";
import { createRequire } from "module";
import * as path from "path";
import { resolvePolicyConfig } from "./policy-config";
import { AnalyzerInfo, EnforcementLevel, PolicyDiagnostic, PolicyInfo, PolicyPackConfig, PolicyRemediation, PolicyResource } from "./types";

// The protobuf and gRPC modules must be the copies @pulumi/pulumi uses, or message classes would not match.
const fromPulumi = createRequire(require.resolve("@pulumi/pulumi/package.json"));
/* eslint-disable @typescript-eslint/no-explicit-any -- generated protobuf modules have no useful types here */
const analyzerProto: any = fromPulumi("@pulumi/pulumi/proto/analyzer_pb");
const analyzerRpc: any = fromPulumi("@pulumi/pulumi/proto/analyzer_grpc_pb");
const grpc: any = fromPulumi("@grpc/grpc-js");
const structProto: any = fromPulumi("google-protobuf/google/protobuf/struct_pb");
const emptyProto: any = fromPulumi("google-protobuf/google/protobuf/empty_pb");
/* eslint-enable @typescript-eslint/no-explicit-any */

/** A running policy pack. */
export interface PolicyAnalyzer {
    /** Pack and policy metadata (names, descriptions, severities, config schemas). */
    getAnalyzerInfo(): Promise<AnalyzerInfo>;
    /** Sends a policy config (the `policies/config/<stack>.json` shape), reconciled and validated like the CLI does. */
    configure(policyConfig: PolicyPackConfig, source?: string): Promise<void>;
    /** Runs the resource policies on one resource's inputs. */
    analyze(resource: PolicyResource): Promise<PolicyDiagnostic[]>;
    /** Runs the resource policies on each resource, `inFlight` requests at a time (default 16); diagnostics in input order. */
    analyzeAll(resources: PolicyResource[], options?: { inFlight?: number }): Promise<PolicyDiagnostic[]>;
    /** Runs the stack policies on all resources. */
    analyzeStack(resources: PolicyResource[]): Promise<PolicyDiagnostic[]>;
    /** Runs the remediations enabled at level `remediate`. */
    remediate(resource: PolicyResource): Promise<PolicyRemediation[]>;
    /** Stops the pack. */
    close(): Promise<void>;
}

const levelNames: Record<number, EnforcementLevel | "disabled"> = { 0: "advisory", 1: "mandatory", 2: "disabled", 3: "remediate" };
const levelNumbers: Record<string, number> = { advisory: 0, mandatory: 1, disabled: 2, remediate: 3 };
const severityNames: Record<number, string | undefined> = { 0: undefined, 1: "low", 2: "medium", 3: "high", 4: "critical" };

/** JSON round trip: protobuf Structs reject `undefined`. */
function plain(value: unknown): Record<string, unknown> {
    return JSON.parse(JSON.stringify(value ?? {})) as Record<string, unknown>;
}

function toStruct(value: unknown): unknown {
    return structProto.Struct.fromJavaScript(plain(value));
}

function resourceOptions(resource: PolicyResource): unknown {
    const opts = new analyzerProto.AnalyzerResourceOptions();
    opts.setProtect(resource.options?.protect ?? false);
    opts.setIgnorechangesList(resource.options?.ignoreChanges ?? []);
    opts.setAdditionalsecretoutputsList(resource.options?.additionalSecretOutputs ?? []);
    opts.setAliasesList([]);
    opts.setCustomtimeouts(new analyzerProto.AnalyzerResourceOptions.CustomTimeouts());
    if (resource.parent) opts.setParent(resource.parent);
    return opts;
}

function providerResource(resource: PolicyResource): unknown {
    if (!resource.provider) return undefined;
    const p = new analyzerProto.AnalyzerProviderResource();
    p.setUrn(resource.provider.urn);
    p.setType(resource.provider.type);
    p.setName(resource.provider.name);
    p.setProperties(toStruct(resource.provider.properties));
    return p;
}

/** Fills the fields an AnalyzeRequest and an AnalyzerResource share. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- generated protobuf message classes
function withResource<T extends Record<string, any>>(message: T, resource: PolicyResource): T {
    message.setUrn(resource.urn);
    message.setType(resource.type);
    message.setName(resource.name);
    message.setProperties(toStruct(resource.properties));
    message.setOptions(resourceOptions(resource));
    const provider = providerResource(resource);
    if (provider) message.setProvider(provider);
    return message;
}

function analyzeRequest(resource: PolicyResource): unknown {
    return withResource(new analyzerProto.AnalyzeRequest(), resource);
}

function stackResource(resource: PolicyResource): unknown {
    const r = withResource(new analyzerProto.AnalyzerResource(), resource);
    if (resource.parent) r.setParent(resource.parent);
    r.setDependenciesList(resource.dependencies ?? []);
    return r;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
function diagnostics(resp: any, defaultUrn?: string): PolicyDiagnostic[] {
    return resp.getDiagnosticsList().map((d: any) => {
        const diag: PolicyDiagnostic = {
            policyName: d.getPolicyname(),
            policyPackName: d.getPolicypackname(),
            description: d.getDescription(),
            message: d.getMessage(),
            enforcementLevel: levelNames[d.getEnforcementlevel()] as EnforcementLevel,
        };
        const severity = severityNames[d.getSeverity()];
        if (severity) diag.severity = severity;
        const urn = d.getUrn() || defaultUrn;
        if (urn) diag.urn = urn;
        return diag;
    });
}

function analyzerInfo(resp: any): AnalyzerInfo {
    const policies: PolicyInfo[] = resp.getPoliciesList().map((p: any) => {
        const schema = p.getConfigschema();
        const info: PolicyInfo = {
            name: p.getName(),
            description: p.getDescription(),
            enforcementLevel: levelNames[p.getEnforcementlevel()],
            policyType: p.getPolicyType() === 1 ? "resource" : p.getPolicyType() === 2 ? "stack" : "unknown",
            tags: p.getTagsList(),
        };
        const severity = severityNames[p.getSeverity()];
        if (severity) info.severity = severity;
        if (p.getRemediationSteps()) info.remediationSteps = p.getRemediationSteps();
        if (p.getUrl()) info.url = p.getUrl();
        if (schema) info.configSchema = { properties: schema.getProperties()?.toJavaScript() ?? {}, required: schema.getRequiredList() };
        return info;
    });
    return { name: resp.getName(), version: resp.getVersion(), policies };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Calls a unary gRPC method as a promise. */
function call<T>(client: Record<string, (...a: unknown[]) => unknown>, method: string, req: unknown): Promise<T> {
    return new Promise((resolve, reject) => {
        client[method](req, (err: Error | null, resp: T) => (err ? reject(err) : resolve(resp)));
    });
}

/** Waits for the pack to print its port; rejects with its stderr if it exits or takes too long. */
function waitForPort(child: ChildProcess, packDir: string, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
        let stdout = "";
        let stderr = "";
        const timer = setTimeout(() => fail(`did not print its port within ${timeoutMs / 1000}s`), timeoutMs);
        const fail = (why: string) => {
            clearTimeout(timer);
            child.kill("SIGKILL");
            reject(new Error(`policy pack ${packDir} ${why}${stderr.trim() ? `:\n${stderr.trim()}` : ""}`));
        };
        child.stdout?.on("data", (chunk: Buffer) => {
            stdout += chunk.toString();
            const m = /^(\d+)\s*$/m.exec(stdout);
            if (m) {
                clearTimeout(timer);
                resolve(Number(m[1]));
            }
        });
        child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("exit", code => fail(`exited with code ${code} before serving`));
    });
}

/**
 * Compiles a pack kept as TypeScript sources (a folder with a tsconfig.build.json, as `policies/` is in the repository)
 * to the JavaScript its package.json names as main, as `npm pack` does before publishing; `tsc -b` rebuilds only what
 * changed. A published copy ships only the JavaScript and is left as it is.
 */
export function buildPolicyPack(packDir: string): void {
    const buildConfig = path.join(packDir, "tsconfig.build.json");
    if (!fs.existsSync(buildConfig)) return;
    const tsc = require.resolve("typescript/bin/tsc", { paths: [packDir] });
    try {
        execFileSync(process.execPath, [tsc, "-b", buildConfig], { stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
        const out = (e as { stdout?: Buffer }).stdout?.toString() ?? "";
        throw new Error(`policy pack ${packDir} does not compile:\n${out.trim()}`);
    }
}

/**
 * Starts the policy pack in `packDir` like the Pulumi CLI's `pulumi-analyzer-policy` plugin: node runs
 * `@pulumi/pulumi/cmd/run-policy-pack` in the pack directory, which registers ts-node and loads the pack's main
 * module; `@pulumi/policy` prints the gRPC port on stdout.
 */
export async function startPolicyAnalyzer(packDir: string, options: { timeoutMs?: number; nodeArgs?: string[] } = {}): Promise<PolicyAnalyzer> {
    const dir = path.resolve(packDir);
    buildPolicyPack(dir);
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [dir] });
    // The first argument is the engine address; the pack never dials it during analysis.
    // Tracked: an interrupted or failed plan stops the pack too (tools/engine/processes.ts).
    // ts-node's settings of the caller (npm run review sets TS_NODE_PROJECT for its plans) are not the
    // pack's: the runner registers ts-node with type-checking, which the project's swc cannot do, and
    // must read the pack's own tsconfig.json, as under the CLI.
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("TS_NODE_")));
    const child = spawnTracked(process.execPath, [...(options.nodeArgs ?? []), runner, "127.0.0.1:0", "."], { cwd: dir, stdio: ["ignore", "pipe", "pipe"], env });
    const port = await waitForPort(child, dir, options.timeoutMs ?? 180_000);
    const client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
        "grpc.max_receive_message_length": 400 * 1024 * 1024,
    });
    let info: AnalyzerInfo | undefined;
    const getAnalyzerInfo = async () => (info ??= analyzerInfo(await call(client, "getAnalyzerInfo", new emptyProto.Empty())));
    return {
        getAnalyzerInfo,
        async configure(policyConfig, source = "policy config") {
            const resolved = resolvePolicyConfig(await getAnalyzerInfo(), policyConfig, source);
            const req = new analyzerProto.ConfigureAnalyzerRequest();
            const map = req.getPolicyconfigMap();
            for (const [name, c] of Object.entries(resolved)) {
                const pc = new analyzerProto.PolicyConfig();
                pc.setEnforcementlevel(levelNumbers[c.enforcementLevel]);
                pc.setProperties(toStruct(c.properties));
                map.set(name, pc);
            }
            await call(client, "configure", req);
        },
        async analyze(resource) {
            return diagnostics(await call(client, "analyze", analyzeRequest(resource)), resource.urn);
        },
        async analyzeAll(resources, options = {}) {
            // Requests built up front; the pack serves several at once (its rules are async), as the engine may send them.
            const requests = resources.map(analyzeRequest);
            const results: PolicyDiagnostic[][] = new Array(resources.length);
            let next = 0;
            const worker = async () => {
                while (next < requests.length) {
                    const i = next++;
                    results[i] = diagnostics(await call(client, "analyze", requests[i]), resources[i].urn);
                }
            };
            await Promise.all(Array.from({ length: Math.max(1, options.inFlight ?? 16) }, worker));
            return results.flat();
        },
        async analyzeStack(resources) {
            const req = new analyzerProto.AnalyzeStackRequest();
            req.setResourcesList(resources.map(stackResource));
            return diagnostics(await call(client, "analyzeStack", req));
        },
        async remediate(resource) {
            // eslint-disable-next-line @typescript-eslint/no-explicit-any
            const resp: any = await call(client, "remediate", analyzeRequest(resource));
            // eslint-disable-next-line @typescript-eslint/no-explicit-any
            return resp.getRemediationsList().map((r: any) => {
                const out: PolicyRemediation = { policyName: r.getPolicyname() };
                if (r.getProperties()) out.properties = r.getProperties().toJavaScript();
                if (r.getDiagnostic()) out.diagnostic = r.getDiagnostic();
                return out;
            });
        },
        async close() {
            client.close();
            if (child.exitCode === null) {
                const exited = new Promise(resolve => child.once("exit", resolve));
                child.kill("SIGTERM");
                await exited;
            }
        },
    };
}
