/**
 * The stack of the rollout proof: the local stack on its hub, six fleet clusters from the fleet
 * kubeconfig in two environments (labelled cluster groups), and one team application per
 * environment whose release (`image.tag`) is a values file of its own in the chart's folder.
 */
const CHART = "charts/hello-service";

/** The fleet: staging is one cluster; prod is five, in waves. */
export const ROLLOUT_FLEET = [
    { name: "fleet-01", labels: { group: "staging" } },
    { name: "fleet-02", labels: { group: "prod", wave: "canary" } },
    { name: "fleet-03", labels: { group: "prod", wave: "early" } },
    { name: "fleet-04", labels: { group: "prod", wave: "early" } },
    { name: "fleet-05", labels: { group: "prod" } },
    { name: "fleet-06", labels: { group: "prod" } },
];

/** Prod's waves, in order: the canary, then half of the early clusters at a time, then the rest. */
export const ROLLOUT_WAVES = ["canary", "early", "rest"];

/** Seconds an environment must be Healthy on a release before it may be promoted on. */
export const SOAK_SECONDS = 15;
/** Seconds a wave gets to become Healthy before the release counts as failed. */
export const VERIFY_WINDOW_SECONDS = 45;

/** The Argo CD application (and ApplicationSet `app-<name>`) of an environment. */
export const applicationOf = (env: string) => `hello-fleet-${env}`;

/** The environment's release file in the repository. */
export const releaseFile = (env: string) => `${CHART}/release-${env}.yaml`;

type Platform = Record<string, unknown>;

/** `allAtOnce`: prod without waves, synced automatically everywhere at once (the bench's baseline). */
export function rolloutStack(platform: Platform, options: { allAtOnce?: boolean } = {}): void {
    const gitops = platform.gitops as { projects: { name: string; destinations: unknown[] }[]; applications: unknown[]; hydration?: unknown; promotion?: unknown };
    // Argo CD syncs straight from Git here: the hydrator's environment branch is the main loop's proof.
    gitops.hydration = { enabled: false };
    platform.fleet = ROLLOUT_FLEET.map((c) => ({ from: "kubeconfig", name: c.name, labels: c.labels, addons: [] }));
    const project = gitops.projects.find((p) => p.name === "team-hello");
    if (!project) throw new Error("stacks/Pulumi.local.yaml declares no project team-hello");
    project.destinations.push({ namespace: "hello", cluster: "fleet-*" });
    const app = (env: string, extra: Record<string, unknown>) => ({
        name: applicationOf(env),
        project: "team-hello",
        source: { repository: "gitops-platform", path: CHART, revision: "main", trackBranch: true, valueFiles: ["values-dev.yaml", `release-${env}.yaml`] },
        destination: { namespace: "hello" },
        clusterSelector: { group: env },
        // Not the chart's audit values: their git-commit label is the revision Argo CD syncs, so every
        // commit to the branch (another environment's release too) would change, and roll out, every
        // environment's objects. Environments on one branch are apart only without it.
        auditValues: false,
        ...extra,
    });
    gitops.applications = [
        app("staging", {}),
        app("prod", options.allAtOnce ? {} : {
            rollout: {
                waves: [
                    { name: "canary", clusters: { wave: "canary" } },
                    { name: "early", clusters: { wave: "early" }, maxUpdate: "50%" },
                    { name: "rest" },
                ],
            },
        }),
    ];
    gitops.promotion = [
        {
            application: "hello-fleet",
            environments: [
                { name: "staging", application: applicationOf("staging"), soak: `${SOAK_SECONDS}s` },
                { name: "prod", application: applicationOf("prod"), soak: `${SOAK_SECONDS}s`, verifyWindow: `${VERIFY_WINDOW_SECONDS}s` },
            ],
        },
    ];
}
