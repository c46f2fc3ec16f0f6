import { ResourceValidationPolicy } from "@pulumi/policy";
import { appSources, appSpec } from "../lib/argocd";
import { readConfig, stringList } from "../lib/config";
import { displayRepoUrl, isAllowedRepo, isAllowedRepoPattern } from "../lib/repositories";
import { argoTypes, getPath } from "../lib/types";

/** Knobs of {@link argocdSourceAllowedRepository}. */
export interface AllowedRepositoryConfig {
    /** Repository URL patterns (`*` within a path segment, `**` across); default this organisation's GitHub and the add-on chart repos. */
    allowedRepositories: string[];
}

/** Default allow-list: the platform's GitHub organisation and the charts it installs. */
export const defaultAllowedRepositories = [
    "https://github.com/acme-platform/*",
    "https://argoproj.github.io/argo-helm",
    "https://charts.external-secrets.io",
    "https://charts.jetstack.io",
    "registry-1.docker.io/envoyproxy",
];

const defaults: AllowedRepositoryConfig = { allowedRepositories: defaultAllowedRepositories };

/**
 * Argo CD deploys only from allowed repositories: every Application/ApplicationSet source and every
 * AppProject `sourceRepos` entry is inside the configured allow-list.
 *
 * Judges: kubernetes:argoproj.io/v1alpha1:Application, kubernetes:argoproj.io/v1alpha1:ApplicationSet (its template's spec), kubernetes:argoproj.io/v1alpha1:AppProject (spec.sourceRepos).
 * Severity: high. Topics: argocd, supply-chain.
 * Link: https://argo-cd.readthedocs.io/en/stable/user-guide/projects/
 */
export const argocdSourceAllowedRepository: ResourceValidationPolicy = {
    name: "argocd-source-allowed-repository",
    description: "Argo CD sources and AppProject sourceRepos come only from the allowed repositories.",
    severity: "high",
    tags: ["argocd", "supply-chain"],
    url: "https://argo-cd.readthedocs.io/en/stable/user-guide/projects/",
    remediationSteps:
        "Point repoURL at an allowed repository (mirror third-party charts into one), or add the repository to " +
        "allowedRepositories in policies/config/<stack>.json after review.",
    configSchema: {
        properties: {
            allowedRepositories: stringList("Allowed repository URL patterns.", defaults.allowedRepositories),
        },
    },
    validateResource: (args, reportViolation) => {
        const config = readConfig(defaults, args.getConfig<Partial<AllowedRepositoryConfig>>());
        const props = args.props as Record<string, unknown>;
        const problems: string[] = [];
        const view = appSpec(args.type, props);
        if (view) {
            for (const { source, at } of appSources(view)) {
                if (typeof source.repoURL !== "string" || !isAllowedRepo(source.repoURL, config.allowedRepositories)) {
                    problems.push(`${at}.repoURL "${displayRepoUrl(source.repoURL ?? "")}" is not an allowed repository`);
                }
            }
        } else if (args.type === argoTypes.appProject) {
            const repos = getPath(props, ["spec", "sourceRepos"]);
            (Array.isArray(repos) ? repos : []).forEach((repo, i) => {
                if (typeof repo !== "string" || !isAllowedRepoPattern(repo, config.allowedRepositories)) {
                    problems.push(`spec.sourceRepos[${i}] "${displayRepoUrl(String(repo))}" is not inside the allowed repositories`);
                }
            });
        }
        if (problems.length > 0) {
            reportViolation(problems.join("; "));
        }
    },
};
