/**
 * Rules that span several sections of the platform config (a project named by an application must
 * exist, the admin user only on local, ...). They run once the shape is valid.
 */
import type { AddonConfig } from "./addons";
import type { ArgoCdConfig } from "./argocd";
import type { AuditConfig } from "./audit";
import type { AwsConfig } from "./aws";
import { type ClusterConfig, clusterNameMatches } from "./cluster";
import type { GitOpsConfig, RepositoryConfig } from "./gitops";
import { isPinnedRevision } from "./versions";
import { shown } from "./common";
import type { SecretsConfig } from "./secrets";
import type { DriftConfig } from "./drift";
import { grantsClusterAccess, SYSTEM_NAMESPACES } from "./tenancy";
import { reservedAuditLabelProblem } from "./labels";
import { argoCdFeatures } from "../argoCdRelease";

/** One problem with the key path (inside `platform`) it is about. */
export interface PathProblem {
    /** Key path below `platform`. */
    path: (string | number)[];
    /** What is wrong, and what would be right. */
    message: string;
}

/** The parts of the platform config the rules look at. */
export interface PlatformSections {
    environment: "local" | "dev" | "staging" | "prod";
    cluster: ClusterConfig;
    argocd: ArgoCdConfig;
    addons: AddonConfig[];
    gitops: GitOpsConfig;
    aws: AwsConfig;
    secrets: SecretsConfig;
    drift: DriftConfig;
    audit: Pick<AuditConfig, "owner">;
}

/** The name of the add-on that must be installed by Pulumi before any ExternalSecret can exist. */
export const EXTERNAL_SECRETS_ADDON = "external-secrets";

/** Every cross-field problem of a structurally valid platform config. */
export function crossCheckPlatform(platform: PlatformSections): PathProblem[] {
    return [
        ...environmentRules(platform),
        ...uniqueNames(platform),
        ...projectRules(platform.gitops),
        ...tenancyRules(platform),
        ...applicationRules(platform),
        ...addonRules(platform),
        ...credentialRules(platform),
        ...argoCdChartRules(platform),
        ...gatewayRules(platform),
        ...labelRules(platform),
        ...integrityRules(platform),
        ...promotionRules(platform),
    ];
}

/** Whether an application is hydrated: its own setting, else the stack's (default: where the release can). */
export function isHydrated(p: Pick<PlatformSections, "argocd" | "gitops">, app: GitOpsConfig["applications"][number]): boolean {
    const repo = p.gitops.repositories.find((r) => r.name === app.source.repository);
    if (repo?.type !== "git") return false;
    return app.hydration.enabled ?? p.gitops.hydration.enabled ?? argoCdFeatures(p.argocd).hydrator;
}

/**
 * Signature checks and hydration against what the stack's Argo CD release can do, and against each
 * other: a hydrated commit is verified like any other, so with source integrity on, the commit
 * server must sign with a trusted key, or every hydrated application would stop syncing.
 */
function integrityRules(p: PlatformSections): PathProblem[] {
    const problems: PathProblem[] = [];
    const features = argoCdFeatures(p.argocd);
    const release = features.release ? `Argo CD v${features.release}` : "an Argo CD release the catalogue does not know (set argocd.release)";
    const integrity = p.gitops.sourceIntegrity;
    const hydration = p.gitops.hydration;
    if (integrity?.mode === "strict" && !features.sourceIntegrity) {
        problems.push({ path: ["gitops", "sourceIntegrity", "mode"], message: `strict verification needs Argo CD 3.5 or later (AppProject sourceIntegrity); this stack runs ${release}, which verifies the head only (signatureKeys): use mode head, or a chart with a newer Argo CD` });
    }
    if (hydration.enabled === true && !features.hydrator) {
        problems.push({ path: ["gitops", "hydration", "enabled"], message: `the source hydrator needs Argo CD 3.5 or later; this stack runs ${release}` });
    }
    if (hydration.signingKey && !features.signedHydration) {
        problems.push({ path: ["gitops", "hydration", "signingKey"], message: `signed hydrated commits need Argo CD 3.6 or later; this stack runs ${release}` });
    }
    const hydrated = p.gitops.applications.map((app, i) => ({ app, i })).filter(({ app }) => isHydrated(p, app));
    if (hydrated.length > 0 && integrity) {
        if (!hydration.signingKey) {
            problems.push({ path: ["gitops", "hydration", "signingKey"], message: `source integrity verifies the hydrated branch too: name the commit server's signing key (and trust it in gitops.sourceIntegrity.keys), or turn hydration off` });
        } else if (!integrity.keys.includes(hydration.signingKey)) {
            problems.push({ path: ["gitops", "hydration", "signingKey"], message: `the commit server's key ${hydration.signingKey} is not trusted: add it to gitops.sourceIntegrity.keys, or no hydrated commit would sync` });
        }
    }
    for (const { app, i } of hydrated) {
        const repo = p.gitops.repositories.find((r) => r.name === app.source.repository)!;
        if (!repo.writeCredentials) {
            problems.push({ path: ["gitops", "applications", i, "hydration"], message: `hydrated manifests are pushed to repository ${JSON.stringify(repo.name)}, which has no writeCredentials (a repository-write Secret); add them, or set hydration.enabled: false` });
        }
    }
    p.gitops.applications.forEach((app, i) => {
        const repo = p.gitops.repositories.find((r) => r.name === app.source.repository);
        if (app.hydration.enabled === true && repo && repo.type !== "git") {
            problems.push({ path: ["gitops", "applications", i, "hydration", "enabled"], message: `only a chart in a Git repository is hydrated; ${JSON.stringify(repo.name)} is ${repo.type}` });
        }
        if (app.hydration.promoteByPullRequest && !isHydrated(p, app)) {
            problems.push({ path: ["gitops", "applications", i, "hydration", "promoteByPullRequest"], message: "promotion by pull request moves hydrated commits: the application is not hydrated" });
        }
    });
    return problems;
}

/**
 * A release line's environments are entries of this hub whose release `npm run promote` commits to
 * a Git values file: each needs a Git source with a chart folder and a values file, and two
 * environments of a line on one file would be promoted together. (An environment of another stack
 * is checked when the tool reads that stack.)
 */
function promotionRules(p: PlatformSections): PathProblem[] {
    const problems: PathProblem[] = [];
    const apps = new Map(p.gitops.applications.map((a) => [a.name, a]));
    const repos = new Map(p.gitops.repositories.map((r) => [r.name, r]));
    const lines = new Map<string, number>();
    p.gitops.promotion.forEach((line, i) => {
        const first = lines.get(line.application);
        if (first !== undefined) problems.push({ path: ["gitops", "promotion", i, "application"], message: `release line ${JSON.stringify(line.application)} is named twice (also gitops.promotion[${first}])` });
        else lines.set(line.application, i);
        const files = new Map<string, string>();
        line.environments.forEach((env, j) => {
            if (env.stack !== undefined) return;
            const path = ["gitops", "promotion", i, "environments", j, "application"];
            const app = apps.get(env.application);
            if (!app) {
                problems.push({ path, message: `unknown application ${JSON.stringify(env.application)}; known: ${list(apps.keys())}` });
                return;
            }
            const repo = repos.get(app.source.repository);
            const missing = repo?.type !== "git" ? "Git source" : !app.source.path ? "source.path (its chart folder)" : app.source.valueFiles.length === 0 ? "source.valueFiles" : undefined;
            if (missing) {
                problems.push({ path, message: `application ${JSON.stringify(app.name)} has no ${missing}: a promotion commits the release to its last values file in a Git chart folder` });
                return;
            }
            if (!app.source.trackBranch) {
                // A pinned revision never takes a commit on the branch: the promotion would deploy nothing.
                problems.push({ path, message: `application ${JSON.stringify(app.name)} syncs pinned revision ${app.source.revision}, so a promotion commit would never deploy: set source.trackBranch (local, dev), or make the environment a stack of its own (stack:) whose revision the promotion moves` });
                return;
            }
            if (app.auditValues) {
                // audit.gitCommit is the synced revision: any commit on the branch changes every environment's objects.
                problems.push({ path, message: `application ${JSON.stringify(app.name)} passes auditValues, whose git-commit label is the revision Argo CD syncs: every commit to the branch, another environment's release included, would roll out this environment too. Set auditValues: false, or make the environment a stack of its own (stack:)` });
                return;
            }
            const file = `${app.source.path}/${app.source.valueFiles[app.source.valueFiles.length - 1]}`;
            const other = files.get(file);
            if (other !== undefined) problems.push({ path, message: `release file ${file} is environment ${JSON.stringify(other)}'s too: each environment needs its own` });
            else files.set(file, env.name);
        });
    });
    return problems;
}

/**
 * Labels the program would overwrite without a word: the audit labels on Applications, and a
 * selector's `environment`, which is always the stack's.
 */
function labelRules(p: PlatformSections): PathProblem[] {
    const problems: PathProblem[] = [];
    for (const key of Object.keys(p.gitops.labels)) {
        const problem = reservedAuditLabelProblem(key);
        if (problem) problems.push({ path: ["gitops", "labels", key], message: problem });
    }
    p.gitops.applications.forEach((app, i) => {
        const environment = app.clusterSelector?.environment;
        if (environment !== undefined && environment !== p.environment) {
            problems.push({
                path: ["gitops", "applications", i, "clusterSelector", "environment"],
                message: `the program always selects the stack's environment, ${JSON.stringify(p.environment)}, never ${shown(environment)}: remove it`,
            });
        }
    });
    return problems;
}

/** The name of the add-on that installs the Gateway API CRDs before the program declares a Gateway. */
export const GATEWAY_API_ADDON = "gateway-api";

/** A Gateway for Argo CD needs its host name and the Gateway API CRDs installed first, by Pulumi. */
function gatewayRules(p: PlatformSections): PathProblem[] {
    if (!p.argocd.gateway) return [];
    const problems: PathProblem[] = [];
    if (!p.argocd.domain) problems.push({ path: ["argocd", "domain"], message: "argocd.gateway routes a host name: set argocd.domain" });
    const crds = p.addons.find((a) => a.name === GATEWAY_API_ADDON);
    if (!crds || !crds.enabled || crds.installedBy !== "pulumi") {
        problems.push({
            path: ["argocd", "gateway"],
            message: `the Gateway and its routes need the Gateway API CRDs first: enable the add-on ${JSON.stringify(GATEWAY_API_ADDON)} with installedBy: pulumi`,
        });
    }
    return problems;
}

/** The argo-cd chart's Redis secret comes from a hook Pulumi does not run; ESO generates it instead. */
function argoCdChartRules(p: PlatformSections): PathProblem[] {
    if (p.argocd.chart.path) return [];
    const eso = p.addons.find((a) => a.name === EXTERNAL_SECRETS_ADDON);
    if (eso && eso.enabled && eso.installedBy === "pulumi") return [];
    return [
        {
            path: ["argocd", "chart"],
            message: `the argo-cd chart makes its Redis secret in a hook, which Pulumi does not run: enable the add-on ${JSON.stringify(EXTERNAL_SECRETS_ADDON)} with installedBy: pulumi (it generates the secret), or use a local chart path`,
        },
    ];
}

function environmentRules(p: PlatformSections): PathProblem[] {
    const problems: PathProblem[] = [];
    if (p.environment === "local") {
        // Local renders to a directory, or deploys to the local control plane (tools/cluster).
        if (p.cluster.mode === "eks") {
            problems.push({ path: ["cluster", "mode"], message: `the local stack renders to a directory or uses a local kubeconfig: expected "render" or "kubeconfig", got "eks"` });
        }
        if (p.aws.enabled) {
            problems.push({ path: ["aws", "enabled"], message: "the local stack creates no AWS resources: expected false" });
        }
    } else {
        if (p.drift.remediation === "correct" && p.environment !== "dev") {
            problems.push({ path: ["drift", "remediation"], message: `only a stack nobody depends on corrects its own drift (local, dev); ${p.environment} reports it: expected "report"` });
        }
        if (p.secrets.operator === "outsideCluster") {
            problems.push({ path: ["secrets", "operator"], message: `only the local loop runs External Secrets Operator as a process; on ${p.environment} it is the add-on: expected "addon"` });
        }
        if (p.cluster.mode === "render") {
            problems.push({ path: ["cluster", "mode"], message: `${p.environment} targets a real cluster: expected "eks" or "kubeconfig", got "render"` });
        }
        p.gitops.repositories.forEach((r, i) => {
            if (r.url?.startsWith("file://")) {
                problems.push({ path: ["gitops", "repositories", i, "url"], message: `a file:// repository exists only on this machine: the local stack only, not ${p.environment}` });
            }
        });
        if (p.argocd.admin.enabled) {
            problems.push({ path: ["argocd", "admin", "enabled"], message: `the local admin user is allowed on the local stack only, not on ${p.environment}; use SSO` });
        }
    }
    if (p.environment === "prod" && !p.argocd.ha.enabled) {
        problems.push({ path: ["argocd", "ha", "enabled"], message: "prod runs Argo CD highly available: expected true" });
    }
    return problems;
}

function uniqueNames(p: PlatformSections): PathProblem[] {
    const lists: [string[], { name: string }[]][] = [
        [["gitops", "repositories"], p.gitops.repositories],
        [["gitops", "projects"], p.gitops.projects],
        [["gitops", "applications"], p.gitops.applications],
        [["addons"], p.addons],
    ];
    const problems: PathProblem[] = [];
    for (const [path, items] of lists) {
        const seen = new Map<string, number>();
        items.forEach((item, i) => {
            const first = seen.get(item.name);
            if (first !== undefined) {
                problems.push({ path: [...path, i, "name"], message: `duplicate name ${JSON.stringify(item.name)} (also at [${first}])` });
            } else {
                seen.set(item.name, i);
            }
        });
    }
    return problems;
}

function projectRules(gitops: GitOpsConfig): PathProblem[] {
    const repos = new Set(gitops.repositories.map((r) => r.name));
    const problems: PathProblem[] = [];
    gitops.projects.forEach((project, i) => {
        project.sourceRepos.forEach((repo, j) => {
            if (!repos.has(repo)) {
                problems.push({ path: ["gitops", "projects", i, "sourceRepos", j], message: `unknown repository ${JSON.stringify(repo)}; known: ${list(repos)}` });
            }
        });
    });
    return problems;
}

/**
 * A team's project (one whose team is not the platform team, `audit.owner`) stays inside the team's
 * namespaces: never Argo CD's own namespace or kube-system, never a cluster-scoped kind that grants
 * access to the whole cluster (a ClusterRoleBinding to cluster-admin, a CRD, an admission webhook).
 */
function tenancyRules(p: PlatformSections): PathProblem[] {
    const problems: PathProblem[] = [];
    const forbidden = new Set<string>([p.argocd.namespace, ...SYSTEM_NAMESPACES]);
    p.gitops.projects.forEach((project, i) => {
        if (project.team === p.audit.owner) return;
        const at = (...rest: (string | number)[]) => ["gitops", "projects", i, ...rest];
        project.destinations.forEach((d, j) => {
            if (forbidden.has(d.namespace)) {
                const whose = d.namespace === p.argocd.namespace ? "Argo CD's own namespace" : "the cluster's system namespace";
                problems.push({ path: at("destinations", j, "namespace"), message: `${JSON.stringify(d.namespace)} is ${whose}: a team project (team ${JSON.stringify(project.team)}) may not deploy there` });
            }
        });
        project.clusterResourceWhitelist.forEach((gk, j) => {
            if (grantsClusterAccess(gk)) {
                problems.push({
                    path: at("clusterResourceWhitelist", j),
                    message: `${gk.group}/${gk.kind} grants access to the whole cluster: only the platform team (${JSON.stringify(p.audit.owner)}) may list it, not team ${JSON.stringify(project.team)}`,
                });
            }
        });
    });
    return problems;
}

function applicationRules(p: PlatformSections): PathProblem[] {
    const problems: PathProblem[] = [];
    const projects = new Map(p.gitops.projects.map((proj) => [proj.name, proj]));
    const repos = new Map(p.gitops.repositories.map((r) => [r.name, r]));
    p.gitops.applications.forEach((app, i) => {
        const at = (...rest: (string | number)[]) => ["gitops", "applications", i, ...rest];
        const project = projects.get(app.project);
        if (!project) {
            problems.push({ path: at("project"), message: `unknown project ${JSON.stringify(app.project)}; known: ${list(projects.keys())}` });
        }
        const repo = repos.get(app.source.repository);
        if (!repo) {
            problems.push({ path: at("source", "repository"), message: `unknown repository ${JSON.stringify(app.source.repository)}; known: ${list(repos.keys())}` });
        } else {
            problems.push(...sourceShapeProblems(app.source, repo, p.environment).map((x) => ({ path: at("source", ...x.path), message: x.message })));
            if (project && !project.sourceRepos.includes(repo.name)) {
                problems.push({ path: at("source", "repository"), message: `repository ${JSON.stringify(repo.name)} is not in the sourceRepos of project ${JSON.stringify(project.name)}` });
            }
        }
        if (app.adoption && app.clusterSelector) {
            problems.push({ path: at("adoption"), message: "adoption takes over objects on the one cluster of destination: remove clusterSelector" });
        }
        if (app.rollout && !app.clusterSelector) {
            problems.push({ path: at("rollout"), message: "a rollout orders the clusters of clusterSelector in waves: set clusterSelector" });
        }
        // With a clusterSelector the clusters are known once the fleet is read; the program checks them.
        if (project && !app.clusterSelector && !project.destinations.some((d) => d.namespace === app.destination.namespace && clusterNameMatches(d.cluster, app.destination.cluster))) {
            problems.push({
                path: at("destination"),
                message: `${app.destination.cluster}/${app.destination.namespace} is not a destination of project ${JSON.stringify(project.name)}`,
            });
        }
    });
    return problems;
}

/** Helm and OCI sources name a chart and exact version; Git sources a path and a pinned revision. */
function sourceShapeProblems(
    source: GitOpsConfig["applications"][number]["source"],
    repo: RepositoryConfig,
    environment: PlatformSections["environment"],
): PathProblem[] {
    const problems: PathProblem[] = [];
    const need = (key: keyof typeof source, why: string) => {
        if (source[key] === undefined) problems.push({ path: [key], message: `required for a ${repo.type} repository (${why})` });
    };
    const forbid = (key: keyof typeof source) => {
        const value = source[key];
        if (value !== undefined && value !== false && !(Array.isArray(value) && value.length === 0)) {
            problems.push({ path: [key], message: `not used with a ${repo.type} repository; remove it` });
        }
    };
    if (repo.type === "git") {
        need("path", "the chart directory, e.g. charts/hello-service");
        need("revision", "a release tag or 40-hex commit");
        forbid("chart");
        forbid("version");
        if (source.revision !== undefined && !isPinnedRevision(source.revision)) {
            if (!source.trackBranch) {
                problems.push({ path: ["revision"], message: `expected a release tag (like v1.2.3) or a 40-hex commit, got ${shown(source.revision)}; set trackBranch: true to follow a branch (dev only)` });
            } else if (environment !== "dev" && environment !== "local") {
                problems.push({ path: ["trackBranch"], message: `only dev (and local) may track a branch; pin a tag or commit on ${environment}` });
            }
        }
    } else {
        need("chart", "the chart name");
        need("version", "an exact version like 10.1.1");
        forbid("path");
        forbid("revision");
        forbid("trackBranch");
    }
    return problems;
}

function addonRules(p: PlatformSections): PathProblem[] {
    const problems: PathProblem[] = [];
    const projects = new Map(p.gitops.projects.map((proj) => [proj.name, proj]));
    const repos = new Map(p.gitops.repositories.map((r) => [r.name, r]));
    p.addons.forEach((addon, i) => {
        const repo = repos.get(addon.repository);
        if (!repo) {
            problems.push({ path: ["addons", i, "repository"], message: `unknown repository ${JSON.stringify(addon.repository)}; known: ${list(repos.keys())}` });
        } else if (repo.type === "git") {
            problems.push({ path: ["addons", i, "repository"], message: `an add-on comes from a helm or oci repository, ${JSON.stringify(repo.name)} is git` });
        }
        if (addon.installedBy !== "argocd") return;
        const project = projects.get(addon.project);
        if (!project) {
            problems.push({ path: ["addons", i, "project"], message: `unknown project ${JSON.stringify(addon.project)}; known: ${list(projects.keys())}` });
            return;
        }
        if (repo && !project.sourceRepos.includes(repo.name)) {
            problems.push({ path: ["addons", i, "repository"], message: `repository ${JSON.stringify(repo.name)} is not in the sourceRepos of project ${JSON.stringify(project.name)}` });
        }
        if (!project.destinations.some((d) => d.namespace === addon.namespace)) {
            problems.push({ path: ["addons", i, "namespace"], message: `namespace ${JSON.stringify(addon.namespace)} is not a destination of project ${JSON.stringify(project.name)}` });
        }
    });
    return problems;
}

/**
 * An ExternalSecret needs a store to read (a Kubernetes secrets cluster, or AWS Secrets Manager) and
 * External Secrets Operator to run it (the add-on installed by Pulumi at bootstrap, or on the local
 * stack the loop's process); an ECR token is minted with an IAM role, so it needs AWS whatever the store.
 */
function credentialRules(p: PlatformSections): PathProblem[] {
    const problems: PathProblem[] = [];
    const externalSecretUsers: (string | number)[][] = [];
    p.gitops.repositories.forEach((repo, i) => {
        const at = ["gitops", "repositories", i];
        if (repo.credentials?.externalSecret) externalSecretUsers.push([...at, "credentials", "externalSecret"]);
        if (repo.writeCredentials?.externalSecret) externalSecretUsers.push([...at, "writeCredentials", "externalSecret"]);
        if (repo.credentials?.ecrAuthorizationToken) {
            externalSecretUsers.push([...at, "credentials", "ecrAuthorizationToken"]);
            if (!p.aws.enabled) problems.push({ path: [...at, "credentials", "ecrAuthorizationToken"], message: "an ECR token is minted with the repo server's IAM role, which needs aws.enabled: true; use externalSecret or existingSecret" });
        }
        if (repo.ecr && !p.aws.enabled) problems.push({ path: [...at, "ecr"], message: "an ECR repository needs aws.enabled: true" });
    });
    if (p.argocd.notifications.secretsManagerName) externalSecretUsers.push(["argocd", "notifications", "secretsManagerName"]);
    const kubernetesStore = p.secrets.store?.kubernetes;
    const hasStore = kubernetesStore !== undefined || p.aws.enabled;
    const eso = p.addons.find((a) => a.name === EXTERNAL_SECRETS_ADDON);
    const addonInstalled = eso !== undefined && eso.enabled && eso.installedBy === "pulumi";
    const hasOperator = p.secrets.operator === "outsideCluster" || addonInstalled;
    const storeHint = p.environment === "local"
        ? "set secrets.store.kubernetes (the loop's secrets cluster)"
        : "set aws.enabled: true (AWS Secrets Manager) or secrets.store.kubernetes (a Kubernetes secrets cluster)";
    const operatorHint = `enable the add-on ${JSON.stringify(EXTERNAL_SECRETS_ADDON)} with installedBy: pulumi${p.environment === "local" ? ", or set secrets.operator: outsideCluster where the loop runs its controller as a process" : ""}`;
    for (const path of externalSecretUsers) {
        // The ECR token's own problem is said above: it needs AWS whatever the store.
        if (!hasStore && path[path.length - 1] !== "ecrAuthorizationToken") {
            problems.push({ path, message: `comes through an ExternalSecret, which reads a secret store: ${storeHint}` });
        } else if (hasStore && !hasOperator) {
            problems.push({ path, message: `comes through an ExternalSecret, which needs External Secrets Operator: ${operatorHint}` });
        }
    }
    if (kubernetesStore) {
        if (!hasOperator) {
            problems.push({ path: ["secrets", "store", "kubernetes"], message: `a ClusterSecretStore needs External Secrets Operator (its CRDs and controller): ${operatorHint}` });
        }
        // ESO refuses a kubernetes store with no CA. The local stack's is set by the loop (`npm run up`) or only rendered.
        if (!kubernetesStore.caBundle && p.environment !== "local") {
            problems.push({ path: ["secrets", "store", "kubernetes", "caBundle"], message: "External Secrets Operator refuses a kubernetes store without the API server's CA: set it (base64 -w0 ca.crt)" });
        }
    }
    // Elsewhere outsideCluster is refused by the environment rules already.
    if (p.environment === "local" && p.secrets.operator === "outsideCluster" && addonInstalled) {
        problems.push({ path: ["secrets", "operator"], message: `the add-on ${JSON.stringify(EXTERNAL_SECRETS_ADDON)} runs External Secrets Operator too: two controllers would write the same Secrets; use operator: addon, or disable the add-on` });
    }
    return problems;
}

function list(names: Iterable<string>): string {
    const all = [...names];
    return all.length ? all.join(", ") : "(none)";
}
