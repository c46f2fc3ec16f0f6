/**
 * The review specs' scenario: a base commit and a head with one change of each kind a reviewer must
 * see, on a real git repository copied from this project.
 */
import * as fs from "fs";
import * as path from "path";
import * as semver from "semver";
import { commitAll, edit, projectRepository, setPolicyConfig } from "./review-repo";
import { PROJECT_ROOT } from "./program";

/** A version as a stack file or Chart.yaml pins it today, and the next patch release (the change the scenario makes). */
function pinnedVersion(file: string, pattern: RegExp): { before: string; after: string } {
    const m = pattern.exec(fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8"));
    if (!m) throw new Error(`${file}: no version matching ${pattern} (the project changed; update the review scenario)`);
    const before = m[1];
    return { before, after: `${before.startsWith("v") ? "v" : ""}${semver.inc(before.replace(/^v/, ""), "patch")}` };
}

/** The hello-service chart's version: staging pins what Chart.yaml says. */
export const CHART = pinnedVersion("charts/hello-service/Chart.yaml", /^version: (\S+)$/m);
/** cert-manager's version on a stack (an add-on Argo CD installs through an ApplicationSet). */
export const certManagerVersion = (stack: string) => pinnedVersion(`stacks/Pulumi.${stack}.yaml`, /chart: cert-manager\n(?:.*\n)*?\s+version: (\S+)/);

export const BASE_CANARY = "canary-base-3f9c1e7a";
export const HEAD_CANARY = "canary-head-8d2b6c40";
export const LOCAL_CIPHERTEXT = /secure: v1:o45JFNZIujc6BaQY:[^\n]+/;
export const HEAD_CIPHERTEXT = "v1:AAAAAAAAAAAAAAAA:cmV2aWV3LXRlc3QtcmUtZW5jcnlwdGVkLXZhbHVl";

/** Makes the base and head commits; returns the repository (head checked out, clean). */
export function changeOfEveryKind(): { repo: string; base: string; head: string } {
    const repo = projectRepository();
    // Base: an extra AppProject, a policy knob that fires on local, a cluster Secret carrying the base canary.
    edit(repo, "stacks/Pulumi.local.yaml", "      applications:\n", "        - name: team-extra\n          team: extra-team\n          sourceRepos: [gitops-platform]\n          destinations:\n            - namespace: extra\n      applications:\n");
    setPolicyConfig(repo, "local", "argocd-protected-on-delete", { required: true });
    edit(repo, "components/gitops/clusterRegistration.ts", "tlsClientConfig: { insecure: false }", `tlsClientConfig: { insecure: false, serverName: "${BASE_CANARY}" }`);
    const base = commitAll(repo, "base");

    // Head: chart version bump (staging pins it), an add-on's version on staging, a values change, an added Application, the AppProject removed,
    // the local knob fixed and a mandatory one on staging, the canary changed, the local secret set again.
    edit(repo, "charts/hello-service/Chart.yaml", `version: ${CHART.before}`, `version: ${CHART.after}`);
    edit(repo, "stacks/Pulumi.staging.yaml", new RegExp(`(chart: hello-service\\n(?:.*\\n)*?\\s+version: )${CHART.before.replace(/\./g, "\\.")}`), `$1${CHART.after}`);
    edit(repo, "charts/hello-service/values-dev.yaml", "replicaCount: 1", "replicaCount: 2");
    edit(repo, "stacks/Pulumi.staging.yaml", `version: ${certManagerVersion("staging").before}`, `version: ${certManagerVersion("staging").after}`);
    edit(
        repo,
        "stacks/Pulumi.local.yaml",
        "    audit:\n      owner: platform-team",
        "        - name: hello-canary\n          project: team-hello\n          source:\n            repository: gitops-platform\n            path: charts/hello-service\n            revision: main\n            trackBranch: true\n            valueFiles: [values-dev.yaml]\n          destination:\n            namespace: hello\n          auditValues: true\n          syncWave: 2\n    audit:\n      owner: platform-team",
    );
    edit(repo, "stacks/Pulumi.local.yaml", "        - name: team-extra\n          team: extra-team\n          sourceRepos: [gitops-platform]\n          destinations:\n            - namespace: extra\n", "");
    setPolicyConfig(repo, "local", "argocd-protected-on-delete", { required: false });
    setPolicyConfig(repo, "staging", "argocd-protected-on-delete", { required: true });
    edit(repo, "components/gitops/clusterRegistration.ts", BASE_CANARY, HEAD_CANARY);
    edit(repo, "stacks/Pulumi.local.yaml", LOCAL_CIPHERTEXT, `secure: ${HEAD_CIPHERTEXT}`);
    const head = commitAll(repo, "head");
    return { repo, base, head };
}

