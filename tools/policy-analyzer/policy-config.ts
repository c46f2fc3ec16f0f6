import Ajv from "ajv";
import * as fs from "fs";
import { AnalyzerInfo, PolicyPackConfig } from "./types";

/** A policy config file that is not valid: the message starts with the file. */
export class PolicyConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PolicyConfigError";
    }
}

/** Config of one policy after reconciling, as sent to the analyzer. */
export interface ResolvedPolicyConfig {
    /** Enforcement level in force. */
    enforcementLevel: "advisory" | "mandatory" | "remediate" | "disabled";
    /** Knob values: schema defaults overlaid with the given ones. */
    properties: Record<string, unknown>;
}

const levels = ["advisory", "mandatory", "remediate", "disabled"];

/** Reads a policy config JSON file; bad JSON is reported with the file name. */
export function readPolicyConfigFile(file: string): PolicyPackConfig {
    const text = fs.readFileSync(file, "utf8");
    try {
        // Its shape is checked when it is sent: configure() validates it against the pack's schemas.
        return JSON.parse(text) as PolicyPackConfig;
    } catch (e) {
        throw new PolicyConfigError(`${file}: not valid JSON: ${(e as Error).message}`);
    }
}

/**
 * Reconciles a policy config the way the Pulumi CLI does (schema defaults, then `all`, then per-policy entries) and
 * validates it more strictly: unknown policies, unknown knobs, bad levels and schema violations are all collected
 * into one error naming `source` and every key path at fault.
 */
export function resolvePolicyConfig(info: AnalyzerInfo, config: Record<string, unknown>, source: string): Record<string, ResolvedPolicyConfig> {
    const problems: string[] = [];
    const result: Record<string, ResolvedPolicyConfig> = {};
    for (const p of info.policies) {
        const properties: Record<string, unknown> = {};
        for (const [k, schema] of Object.entries(p.configSchema?.properties ?? {})) {
            if (schema.default !== undefined) properties[k] = structuredClone(schema.default);
        }
        result[p.name] = { enforcementLevel: p.enforcementLevel, properties };
    }
    const levelOf = (key: string, value: unknown): ResolvedPolicyConfig["enforcementLevel"] | undefined => {
        if (value === undefined) return undefined;
        if (typeof value !== "string" || !levels.includes(value)) {
            problems.push(`${key}: ${JSON.stringify(value)} is not an enforcement level (${levels.join(", ")})`);
            return undefined;
        }
        return value as ResolvedPolicyConfig["enforcementLevel"];
    };
    const entries = Object.entries(config);
    const all = config.all;
    if (all !== undefined) {
        const level = levelOf("all.enforcementLevel", typeof all === "string" ? all : (all as Record<string, unknown>)?.enforcementLevel);
        if (typeof all === "object" && all !== null && Object.keys(all).some(k => k !== "enforcementLevel")) {
            problems.push(`all: only enforcementLevel may be set for all policies`);
        }
        if (level) for (const r of Object.values(result)) r.enforcementLevel = level;
    }
    const ajv = new Ajv({ allErrors: true, strict: false });
    for (const [name, value] of entries) {
        if (name === "all") continue;
        const policy = info.policies.find(p => p.name === name);
        if (!policy) {
            problems.push(`${name}: no such policy in ${info.name}`);
            continue;
        }
        if (typeof value === "string") {
            const level = levelOf(`${name}`, value);
            if (level) result[name].enforcementLevel = level;
            continue;
        }
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
            problems.push(`${name}: must be an enforcement level or an object`);
            continue;
        }
        const { enforcementLevel, ...knobs } = value as Record<string, unknown>;
        const level = levelOf(`${name}.enforcementLevel`, enforcementLevel);
        if (level) result[name].enforcementLevel = level;
        const schema = {
            type: "object",
            properties: policy.configSchema?.properties ?? {},
            required: policy.configSchema?.required ?? [],
            additionalProperties: false,
        };
        const validate = ajv.compile(schema);
        if (!validate(knobs)) {
            for (const err of validate.errors ?? []) {
                const extra = err.keyword === "additionalProperties" ? `.${String(err.params.additionalProperty)}` : "";
                const where = `${name}${err.instancePath.replace(/\//g, ".")}${extra}`;
                problems.push(`${where}: ${err.keyword === "additionalProperties" ? "unknown setting" : err.message}`);
            }
        }
        Object.assign(result[name].properties, knobs);
    }
    if (problems.length > 0) {
        throw new PolicyConfigError(`${source}: invalid policy config:\n  - ${problems.join("\n  - ")}`);
    }
    return result;
}
