import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { readConfig, stringList } from "../lib/config";
import { secretDataEntries } from "../lib/secret-data";
import { findSecretLiterals } from "../lib/secrets";
import { formatPath, isRecord } from "../lib/types";

/** Knobs of {@link stackOutputsSecretSafe}. */
export interface OutputsSecretSafeConfig {
    /** Outputs the program exports with pulumi.secret(); CrossGuard cannot see that, so they are declared here; default none. */
    secretOutputs: string[];
}

const defaults: OutputsSecretSafeConfig = { secretOutputs: [] };

/** Minimum length of a secret value worth matching inside outputs; shorter ones match by accident. */
const minSecretLength = 8;

/** Collects values the stack holds in fields known to be secret: Secret data/stringData and additionalSecretOutputs. */
function knownSecretValues(resources: PolicyResource[]): string[] {
    const values: string[] = [];
    const addLeaves = (v: unknown) => {
        if (typeof v === "string") {
            if (v.length >= minSecretLength) values.push(v);
        } else if (Array.isArray(v)) {
            v.forEach(addLeaves);
        } else if (isRecord(v)) {
            Object.values(v).forEach(addLeaves);
        }
    };
    for (const r of resources) {
        const props = r.props as Record<string, unknown>;
        if (r.type === "kubernetes:core/v1:Secret") {
            // Only credential entries: an Argo CD cluster Secret's name or server is not secret.
            secretDataEntries(props).filter(e => e.credential).forEach(e => addLeaves(e.value));
        }
        for (const field of r.opts.additionalSecretOutputs ?? []) {
            if (r.type === "kubernetes:core/v1:Secret" && (field === "data" || field === "stringData")) continue; // judged above
            addLeaves(props[field]);
        }
    }
    return values;
}

/**
 * No stack output carries a value that came from a secret unless it is secret.
 *
 * CrossGuard unwraps secrets before a stack policy sees outputs, so this rule cannot see whether an output is
 * secret. It finds outputs that carry secret-derived values (a value held in a Secret's data or a field in
 * additionalSecretOutputs, a secretlint hit, or a credential-named key) and reports each one not declared in
 * `secretOutputs`, the list of outputs the program exports with pulumi.secret().
 *
 * Judges: the stack: pulumi:pulumi:Stack outputs, against kubernetes:core/v1:Secret data/stringData and every resource's additionalSecretOutputs.
 * Severity: critical. Topics: secrets, outputs.
 * Link: https://www.pulumi.com/docs/iac/concepts/secrets/
 */
export const stackOutputsSecretSafe: StackValidationPolicy = {
    name: "stack-outputs-secret-safe",
    description: "Stack outputs that carry secret-derived values are exported as Pulumi secrets (declared in secretOutputs).",
    severity: "critical",
    tags: ["secrets", "outputs"],
    url: "https://www.pulumi.com/docs/iac/concepts/secrets/",
    remediationSteps:
        "Do not export secret material; if you must, wrap it in pulumi.secret() and add the output name to secretOutputs in " +
        "policies/config/<stack>.json so the declaration is reviewed.",
    configSchema: {
        properties: {
            secretOutputs: stringList("Outputs exported with pulumi.secret().", defaults.secretOutputs),
        },
    },
    validateStack: async (args, reportViolation) => {
        const config = readConfig(defaults, args.getConfig<Partial<OutputsSecretSafeConfig>>());
        const secrets = knownSecretValues(args.resources);
        for (const stack of args.resources.filter(r => r.type === "pulumi:pulumi:Stack")) {
            const outputs = stack.props as Record<string, unknown>;
            for (const [name, value] of Object.entries(outputs)) {
                if (config.secretOutputs.includes(name)) {
                    continue;
                }
                const reasons: string[] = [];
                const leaves: string[] = [];
                const walk = (v: unknown) => {
                    if (typeof v === "string") leaves.push(v);
                    else if (Array.isArray(v)) v.forEach(walk);
                    else if (isRecord(v)) Object.values(v).forEach(walk);
                };
                walk(value);
                if (leaves.some(leaf => secrets.some(s => leaf.includes(s)))) {
                    reasons.push("carries a value held in a secret field of another resource");
                }
                const findings = await findSecretLiterals({ [name]: value });
                reasons.push(...findings.map(f => `${f.path}: ${f.reason}`));
                if (reasons.length > 0) {
                    reportViolation(
                        `stack output ${formatPath([name])} ${reasons.join("; ")}; export it with pulumi.secret() and declare it in secretOutputs`,
                        stack.urn,
                    );
                }
            }
        }
    },
};
