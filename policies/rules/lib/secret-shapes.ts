/**
 * Credential shapes secretlint's recommended preset does not report in a bare value (it knows some
 * of them only with more context, e.g. an AWS key ID beside its secret key). Each pattern is the
 * issuer's documented token format; found by the property tests of issue 12, kept as a table.
 *
 * Sources: AWS IAM identifiers (docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html),
 * RFC 7519 (JWT), Stripe API keys (docs.stripe.com/keys), PKCS#8 / RFC 7468 PEM labels, Azure Storage
 * connection strings (learn.microsoft.com/azure/storage/common/storage-configure-connection-string),
 * HashiCorp Vault token prefixes (developer.hashicorp.com/vault/docs/concepts/tokens), Google API keys
 * (cloud.google.com/docs/authentication/api-keys), Docker Hub personal access tokens, SendGrid API keys,
 * Argo CD's own project and account tokens (JWTs).
 */
export interface SecretShape {
    /** Detector id as it appears in findings: `shape <id>`. */
    id: string;
    pattern: RegExp;
}

export const SECRET_SHAPES: readonly SecretShape[] = [
    { id: "aws-access-key-id", pattern: /\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b/ },
    { id: "jwt", pattern: /\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}/ },
    { id: "stripe", pattern: /\b[rs]k_(?:live|test)_[0-9A-Za-z]{16,}/ },
    { id: "private-key", pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/ },
    { id: "azure-storage-key", pattern: /\bAccountKey=[A-Za-z0-9+/]{20,}={0,2}/ },
    { id: "vault-token", pattern: /\bhv[bsr]\.[\w-]{20,}/ },
    { id: "google-api-key", pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
    { id: "docker-pat", pattern: /\bdckr_pat_[\w-]{20,}/ },
    { id: "sendgrid", pattern: /\bSG\.[\w-]{16,}\.[\w-]{16,}/ },
];

/** The id of the first shape `value` contains, if any. */
export function matchSecretShape(value: string): string | undefined {
    return SECRET_SHAPES.find((s) => s.pattern.test(value))?.id;
}
