import { ResourceValidationPolicy } from "@pulumi/policy";
import * as bcrypt from "bcryptjs";
import { helmInstall, isArgoCdChart } from "../lib/helm";
import { formatPath, getPath, isRecord } from "../lib/types";

/** Credential fields of Argo CD repository, credential-template and cluster entries. */
const credentialFields = ["password", "sshPrivateKey", "tlsClientCertKey", "githubAppPrivateKey", "bearerToken", "gcpServiceAccountKey", "azureServicePrincipalClientSecret"];

/** True for a bcrypt hash, the only form of the admin password the chart may carry. */
function isBcryptHash(value: string): boolean {
    if (!/^\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}$/.test(value)) {
        return false;
    }
    try {
        return bcrypt.getRounds(value) >= 4;
    } catch {
        return false;
    }
}

/**
 * Argo CD repository credentials and the admin password never sit in the argo-cd chart's values in plaintext.
 * The chart writes them into Secrets, and CrossGuard cannot tell a Pulumi secret from plaintext inside values, so
 * any credential in values is reported; the admin password may only be a bcrypt hash.
 *
 * Severity: critical. Topics: argocd, secrets.
 * Link: https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#repositories
 */
export const argocdChartNoPlaintextCredentials: ResourceValidationPolicy = {
    name: "argocd-chart-no-plaintext-credentials",
    description: "The argo-cd chart values hold no repository or cluster credentials, and the admin password only as a bcrypt hash.",
    severity: "critical",
    tags: ["argocd", "secrets"],
    url: "https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#repositories",
    remediationSteps:
        "Create repository credentials as an ExternalSecret (or SealedSecret) labelled argocd.argoproj.io/secret-type: repository " +
        "instead of configs.repositories/credentialTemplates; set configs.secret.argocdServerAdminPassword to a bcrypt hash " +
        "(bcryptjs.hashSync) or disable admin.",
    validateResource: (args, reportViolation) => {
        const install = helmInstall(args.type, args.props as Record<string, unknown>);
        if (!install || !isArgoCdChart(install)) {
            return;
        }
        const problems: string[] = [];
        for (const section of ["repositories", "credentialTemplates", "clusterCredentials"]) {
            const entries = getPath(install.values, ["configs", section]);
            const list: [string | number, unknown][] = Array.isArray(entries) ? entries.map((e, i) => [i, e]) : isRecord(entries) ? Object.entries(entries) : [];
            for (const [key, entry] of list) {
                const fields = isRecord(entry) ? { ...entry, ...(isRecord(entry.config) ? entry.config : {}) } : {};
                for (const field of credentialFields) {
                    if (typeof fields[field] === "string" && fields[field] !== "") {
                        problems.push(`${formatPath(["values", "configs", section, key, field])} holds a credential`);
                    }
                }
            }
        }
        const admin = getPath(install.values, ["configs", "secret", "argocdServerAdminPassword"]);
        if (typeof admin === "string" && admin !== "" && !isBcryptHash(admin)) {
            problems.push("values.configs.secret.argocdServerAdminPassword is not a bcrypt hash");
        }
        if (problems.length > 0) {
            reportViolation(problems.join("; "));
        }
    },
};
