/** Shapes the analyzer client exchanges with the plan and the tests. */

/** Secret signature key and value of Pulumi's serialized RPC form. */
export const secretSig = { key: "4dabf18193072939515e22adb298388d", value: "1b47061264138c4ac30d75fd1eb44270" } as const;

/** A resource as the engine hands it to an analyzer. */
export interface PolicyResource {
    /** Resource URN. */
    urn: string;
    /** Type token, e.g. `kubernetes:argoproj.io/v1alpha1:Application`. */
    type: string;
    /** Logical name. */
    name: string;
    /** Inputs in Pulumi's serialized RPC form: secrets appear as `{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: ...}`. */
    properties: Record<string, unknown>;
    /** Parent URN; default none. */
    parent?: string;
    /** The provider resource the resource uses; default none. */
    provider?: { urn: string; type: string; name: string; properties: Record<string, unknown> };
    /**
     * Resource options. `retainOnDelete` and `dependsOn` are accepted for the plan's convenience but the analyzer
     * protocol has no field for them, so policies cannot see them (use `dependencies` for the latter).
     */
    options?: { protect?: boolean; retainOnDelete?: boolean; additionalSecretOutputs?: string[]; dependsOn?: string[]; ignoreChanges?: string[] };
    /** URNs the resource depends on (stack analysis only); default none. */
    dependencies?: string[];
}

/** Enforcement level of a diagnostic. */
export type EnforcementLevel = "advisory" | "mandatory" | "remediate";

/** A policy violation as the analyzer reports it. */
export interface PolicyDiagnostic {
    /** Name of the violated policy. */
    policyName: string;
    /** Name of the policy pack. */
    policyPackName: string;
    /** The policy's description. */
    description: string;
    /** What is wrong (the description followed by details). */
    message: string;
    /** Enforcement level in force for this violation. */
    enforcementLevel: EnforcementLevel;
    /** Severity of the policy (low, medium, high, critical); default none. */
    severity?: string;
    /** URN of the violating resource; for resource analysis the analysed resource. */
    urn?: string;
}

/** Metadata of one policy, from `GetAnalyzerInfo`. */
export interface PolicyInfo {
    /** Unique kebab-case name. */
    name: string;
    /** Description. */
    description: string;
    /** Default enforcement level (before config). */
    enforcementLevel: EnforcementLevel | "disabled";
    /** Severity; default none. */
    severity?: string;
    /** Resource or stack policy. */
    policyType: "resource" | "stack" | "unknown";
    /** Remediation steps; default none. */
    remediationSteps?: string;
    /** Documentation link; default none. */
    url?: string;
    /** Topics; default none. */
    tags: string[];
    /** JSON schema of the knobs; default none. */
    configSchema?: { properties: Record<string, Record<string, unknown>>; required: string[] };
}

/** Metadata of the policy pack. */
export interface AnalyzerInfo {
    /** Pack name. */
    name: string;
    /** Pack version (from policies/package.json). */
    version: string;
    /** The policies. */
    policies: PolicyInfo[];
}

/** A remediation a policy applied. */
export interface PolicyRemediation {
    /** Name of the remediating policy. */
    policyName: string;
    /** New inputs, in serialized RPC form; default none when only a diagnostic came back. */
    properties?: Record<string, unknown>;
    /** Diagnostic instead of a remediation (e.g. unknown values); default none. */
    diagnostic?: string;
}

/** Per-policy config as `policies/config/<stack>.json` holds it: a level string or `{enforcementLevel, ...knobs}`. */
export type PolicyPackConfig = Record<string, string | Record<string, unknown>>;
