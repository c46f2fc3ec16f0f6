import { ResourceValidationPolicy } from "@pulumi/policy";
import { flag, readConfig } from "../lib/config";
import { findSecretLiterals } from "../lib/secrets";
import { secretReplacementTypes } from "../lib/types";

/** Knobs of {@link noSecretLiterals}. */
export interface NoSecretLiteralsConfig {
    /** Also report keys named like credentials (password, token, secret, private key) with a literal value; default true. */
    keyNameHeuristics: boolean;
}

const defaults: NoSecretLiteralsConfig = { keyNameHeuristics: true };

/** Types whose inputs are secrets by design and are checked by other rules. */
function isExempt(type: string): boolean {
    return type.startsWith("pulumi:providers:") || type === "pulumi:pulumi:Stack" || secretReplacementTypes.includes(type);
}

/**
 * No secret literal in any resource input: Helm values, ConfigMaps, environment variables, Argo CD Helm
 * parameters and values, annotations. Detection uses secretlint's recommended preset plus key-name heuristics.
 *
 * CrossGuard unwraps Pulumi secrets before a policy sees inputs, so a secret-looking value is reported even if it
 * was passed as a Pulumi secret; only fields named in `additionalSecretOutputs` (and Secret data, see
 * kubernetes-secret-protected) are known to be secret and are skipped. Messages name the path, never the value.
 *
 * Judges: every resource's inputs except pulumi:providers:*, pulumi:pulumi:Stack, ExternalSecret and SealedSecret (kubernetes:core/v1:Secret data and stringData, and additionalSecretOutputs, skipped).
 * Severity: critical. Topics: secrets.
 * Link: https://github.com/secretlint/secretlint/tree/master/packages/%40secretlint/secretlint-rule-preset-recommend
 */
export const noSecretLiterals: ResourceValidationPolicy = {
    name: "no-secret-literals",
    description: "No secret literal (keys, tokens, passwords, credentials in URLs) in resource inputs outside fields known to be secret.",
    severity: "critical",
    tags: ["secrets"],
    url: "https://github.com/secretlint/secretlint/tree/master/packages/%40secretlint/secretlint-rule-preset-recommend",
    remediationSteps:
        "Move the value into a secret store and reference it: an ExternalSecret (or SealedSecret) plus secretKeyRef/existingSecret in " +
        "values or env, `$secret:key` references in Argo CD config. Rotate the credential if it was ever committed.",
    configSchema: {
        properties: {
            keyNameHeuristics: flag("Report credential-named keys with literal values.", defaults.keyNameHeuristics),
        },
    },
    validateResource: async (args, reportViolation) => {
        if (isExempt(args.type)) {
            return;
        }
        const config = readConfig(defaults, args.getConfig<Partial<NoSecretLiteralsConfig>>());
        const secretFields = new Set(args.opts.additionalSecretOutputs ?? []);
        const isSecretObject = args.type === "kubernetes:core/v1:Secret";
        const findings = await findSecretLiterals(args.props, {
            keyNames: config.keyNameHeuristics,
            skip: path =>
                path.length === 1 && (secretFields.has(String(path[0])) || (isSecretObject && (path[0] === "data" || path[0] === "stringData"))),
            // Argo CD Helm values are a YAML string; scan inside it.
            yamlStrings: path => path[path.length - 1] === "values" && path.includes("helm"),
        });
        if (findings.length > 0) {
            reportViolation(findings.map(f => `${f.path} (${f.reason})`).join("; "));
        }
    },
};
