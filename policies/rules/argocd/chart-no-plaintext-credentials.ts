import { ResourceValidationPolicy } from "@pulumi/policy";
import * as bcrypt from "bcryptjs";
import { argoCdInstallView, argoCdSettingsObjects, settingsOf } from "../lib/argocd-install";
import { helmInstall, isArgoCdChart } from "../lib/helm";
import { renderedFromFiles, withProvenance } from "../lib/provenance";
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

const argoCdSecretTypes: ReadonlySet<string> = new Set(["repository", "repo-creds", "repository-write", "cluster"]);

/** Credentials in the argo-cd chart's repository, credential-template and cluster sections. */
function valuesCredentials(values: Record<string, unknown>): string[] {
    const problems: string[] = [];
    for (const section of ["repositories", "credentialTemplates", "clusterCredentials"]) {
        const entries = getPath(values, ["configs", section]);
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
    return problems;
}

/** Credential fields of an Argo CD declarative Secret (repository, repo-creds, cluster), data decoded. */
function declarativeSecretCredentials(props: Record<string, unknown>): string[] {
    const problems: string[] = [];
    const fields: Record<string, unknown> = {};
    if (isRecord(props.data)) for (const [k, v] of Object.entries(props.data)) fields[k] = typeof v === "string" ? Buffer.from(v, "base64").toString("utf8") : v;
    if (isRecord(props.stringData)) Object.assign(fields, props.stringData);
    for (const field of credentialFields) {
        if (typeof fields[field] === "string" && fields[field] !== "") problems.push(`${field} holds a credential`);
    }
    if (typeof fields.config === "string" && /"(bearerToken|password|keyData)"\s*:\s*"[^"]+"/.test(fields.config)) problems.push("config holds a credential");
    return problems;
}

/**
 * Argo CD repository credentials and the admin password never sit in plaintext in what installs Argo CD: not in the
 * argo-cd chart's values (the chart writes them into Secrets, and CrossGuard cannot tell a Pulumi secret from
 * plaintext inside values), not in the `argocd-secret` a chart or manifest renders (the admin password only as a
 * bcrypt hash), and not in an Argo CD repository or cluster Secret rendered from a chart or a manifest file, where
 * the value sits in plaintext in the values or the file.
 *
 * Judges: the argo-cd chart's values on gitops:platform:ArgoCd, gitops:platform:BootstrapAddon, kubernetes:helm.sh/v3:Release, kubernetes:core/v1:Secret argocd-secret, kubernetes:core/v1:Secret labelled argocd.argoproj.io/secret-type repository, repo-creds, repository-write or cluster (when a chart or manifest file renders it).
 * Severity: critical. Topics: argocd, secrets.
 * Link: https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#repositories
 */
export const argocdChartNoPlaintextCredentials: ResourceValidationPolicy = {
    name: "argocd-chart-no-plaintext-credentials",
    description: "Argo CD's install (the argo-cd chart values, the argocd-secret and the Argo CD Secrets a chart or manifest renders) holds no repository or cluster credentials, and the admin password only as a bcrypt hash.",
    severity: "critical",
    tags: ["argocd", "secrets"],
    url: "https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#repositories",
    remediationSteps:
        "Create repository credentials as an ExternalSecret (or SealedSecret) labelled argocd.argoproj.io/secret-type: repository " +
        "instead of configs.repositories/credentialTemplates or a Secret in a chart; set configs.secret.argocdServerAdminPassword to a bcrypt hash " +
        "(bcryptjs.hashSync) or disable admin.",
    validateResource: (args, reportViolation) => {
        const props = args.props as Record<string, unknown>;
        const problems: string[] = [];
        const install = helmInstall(args.type, props);
        if (install && isArgoCdChart(install)) problems.push(...valuesCredentials(install.values));
        const view = argoCdInstallView(args.type, props);
        const admin = view ? settingsOf(view, argoCdSettingsObjects.secret)?.["admin.password"] : undefined;
        if (typeof admin === "string" && admin !== "" && !isBcryptHash(admin)) {
            problems.push(view?.fromValues ? "values.configs.secret.argocdServerAdminPassword is not a bcrypt hash" : `${argoCdSettingsObjects.secret}["admin.password"] is not a bcrypt hash`);
        }
        const secretType = getPath(props, ["metadata", "labels", "argocd.argoproj.io/secret-type"]);
        if (args.type === "kubernetes:core/v1:Secret" && typeof secretType === "string" && argoCdSecretTypes.has(secretType) && renderedFromFiles(args.opts.parent)) {
            problems.push(...declarativeSecretCredentials(props));
        }
        if (problems.length > 0) {
            reportViolation(withProvenance(problems, { ...args, props }, view?.fromValues ? "the argo-cd chart values" : undefined));
        }
    },
};
