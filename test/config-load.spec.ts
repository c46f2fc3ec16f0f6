/**
 * Stack config validation as a user meets it: bad config fails before any resource is registered,
 * with ONE StackConfigError listing every problem with its key path; secrets only as Pulumi secrets
 * and never echoed back.
 */
import * as assert from "assert";
import { runProgram } from "./support/program";
import { StackConfigError } from "../lib/stackConfigError";

const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const CANARY = "canary-S3cr3t-value-9f8e7d";

/** Runs a stack expecting a StackConfigError; returns it. */
async function configError(options: Parameters<typeof runProgram>[0]): Promise<StackConfigError> {
    try {
        const run = await runProgram(options);
        assert.fail(`expected a StackConfigError, got a run with ${run.resources.length} resources`);
    } catch (err) {
        if ((err as Error).name !== "StackConfigError") throw err;
        return err as StackConfigError;
    }
}

/** The problem paths of an error, for order-independent comparison. */
const paths = (err: StackConfigError) => err.problems.map((p) => p.path).sort();

describe("stack config loading", function () {
    this.timeout(60000);
    beforeEach(() => {
        process.env.GITHUB_SHA = COMMIT;
    });
    afterEach(() => {
        delete process.env.GITHUB_SHA;
    });

    it("accepts every stack file as committed", async () => {
        for (const stack of ["local", "dev", "staging", "prod"]) {
            const run = await runProgram({ stack });
            assert.ok(run.resources.length > 5, `${stack} registered resources`);
        }
    });

    it("rejects a chart version range with the documented message", async () => {
        const err = await configError({ stack: "dev", platform: { argocd: { chart: { version: "^10" } } } });
        assert.deepStrictEqual(err.problems, [{ path: "platform.argocd.chart.version", message: 'expected an exact version like 10.1.1, got "^10"' }]);
        assert.match(err.message, /platform\.argocd\.chart\.version: expected an exact version like 10\.1\.1, got "\^10"/);
    });

    it("describes, never quotes, a value that looks like a credential in a key that expects a version", async () => {
        const token = "ghp_" + "Zq3canary0TOKEN0value0for0tests0x1Y2";
        const err = await configError({ stack: "dev", platform: { argocd: { chart: { version: token } } } });
        assert.deepStrictEqual(err.problems, [{ path: "platform.argocd.chart.version", message: "expected an exact version like 10.1.1, got a value of 40 characters (not shown)" }]);
        assert.ok(!err.message.includes("canary"));
        assert.ok(err.message.startsWith("stacks/Pulumi.dev.yaml: invalid config"), "names the stack file");
    });

    it("lists every problem at once, one line each", async () => {
        const err = await configError({
            stack: "local",
            platform: {
                argocd: { chart: { path: undefined, version: "latest" }, namespace: "Argo CD" },
                addons: [{ name: "cert-manager", repository: "jetstack", chart: "cert-manager", version: "~1.16", namespace: "cert-manager" }],
                audit: { owner: "platform-team", gitCommit: "abc" },
                clusterr: {},
            },
        });
        assert.deepStrictEqual(paths(err), [
            "platform.addons[0].version",
            // Without its local chart path, the argo-cd chart's Redis secret hook needs ESO: a problem too.
            "platform.argocd.chart",
            "platform.argocd.chart.version",
            "platform.argocd.namespace",
            "platform.audit.gitCommit",
            "platform.clusterr",
        ]);
        assert.strictEqual(err.message.split("\n").length, 1 + err.problems.length);
    });

    it("names an Application's unknown project", async () => {
        const err = await configError({
            stack: "staging",
            platform: {
                gitops: {
                    applications: [
                        { name: "hello-service", project: "team-nope", source: { repository: "platform-charts", chart: "hello-service", version: "0.1.0" }, destination: { namespace: "hello" } },
                    ],
                },
            },
        });
        assert.deepStrictEqual(err.problems, [{ path: "platform.gitops.applications[0].project", message: 'unknown project "team-nope"; known: platform-addons, team-hello' }]);
    });

    it("requires an exact version for a Helm/OCI application source", async () => {
        const err = await configError({
            stack: "staging",
            platform: {
                gitops: {
                    applications: [{ name: "hello-service", project: "team-hello", source: { repository: "platform-charts", chart: "hello-service" }, destination: { namespace: "hello" } }],
                },
            },
        });
        assert.deepStrictEqual(paths(err), ["platform.gitops.applications[0].source.version"]);
        assert.match(err.problems[0].message, /exact version/);
    });

    it("refuses a repository credential written as plaintext, without echoing it", async () => {
        const err = await configError({
            stack: "dev",
            platform: {
                gitops: {
                    repositories: [
                        { name: "gitops-platform", type: "git", url: "https://github.com/acme-platform/gitops-platform.git", credentials: { username: "bot", password: CANARY } },
                    ],
                },
            },
        });
        assert.ok(paths(err).includes("platform.gitops.repositories[0].credentials.password"), paths(err).join(", "));
        const problem = err.problems.find((p) => p.path.endsWith(".password"));
        assert.match(problem!.message, /looks like a credential/);
        assert.ok(!err.message.includes(CANARY) && !(err.stack ?? "").includes(CANARY), "the secret must not appear in the error");
    });

    it("refuses a secret config key given in plaintext, naming the command to fix it", async () => {
        const err = await configError({ stack: "dev", config: { terraformToken: CANARY } });
        assert.deepStrictEqual(err.problems, [{ path: "terraformToken", message: "must be a Pulumi secret, not plaintext: run `pulumi config set --secret terraformToken`" }]);
        assert.ok(!err.message.includes(CANARY));
    });

    it("accepts the same value as a Pulumi secret and keeps it out of every plain input", async () => {
        const run = await runProgram({ stack: "local", config: { argocdAdminPassword: CANARY }, secretKeys: ["argocdAdminPassword"] });
        const serialized = JSON.stringify(run.resources.map((r) => r.properties)) + JSON.stringify(run.outputs);
        assert.ok(!serialized.includes(CANARY), "the password appears nowhere in serialized inputs or outputs");
    });

    it("refuses unknown top-level keys without echoing their value", async () => {
        const err = await configError({ stack: "local", config: { githubToken: CANARY }, secretKeys: [] });
        assert.deepStrictEqual(paths(err), ["githubToken"]);
        assert.ok(!err.message.includes(CANARY));
    });

    it("allows the admin user on local only", async () => {
        const err = await configError({ stack: "dev", platform: { argocd: { admin: { enabled: true } } } });
        assert.deepStrictEqual(paths(err), ["platform.argocd.admin.enabled"]);
        assert.match(err.problems[0].message, /local stack only, not on dev; use SSO/);
    });

    it("requires prod to run Argo CD highly available", async () => {
        const err = await configError({ stack: "prod", platform: { argocd: { ha: { enabled: false } } } });
        assert.deepStrictEqual(paths(err), ["platform.argocd.ha.enabled"]);
    });

    it("refuses a Gateway for Argo CD without the Gateway API CRDs installed first by Pulumi", async () => {
        const eso = { name: "external-secrets", repository: "external-secrets", chart: "external-secrets", version: "1.3.2", namespace: "external-secrets", installedBy: "pulumi" };
        const err = await configError({ stack: "staging", platform: { addons: [eso] } });
        assert.deepStrictEqual(paths(err), ["platform.argocd.gateway"]);
        assert.match(err.message, /enable the add-on "gateway-api" with installedBy: pulumi/);
    });

    it("lets only dev and local track a branch", async () => {
        const app = { name: "hello-service", project: "team-hello", source: { repository: "gitops-platform", path: "charts/hello-service", revision: "main", trackBranch: true }, destination: { namespace: "hello" } };
        const err = await configError({
            stack: "staging",
            platform: { gitops: { projects: [{ name: "team-hello", team: "hello-team", sourceRepos: ["gitops-platform"], destinations: [{ namespace: "hello" }] }, { name: "platform-addons", team: "platform-team", sourceRepos: ["jetstack", "envoyproxy"], destinations: [{ namespace: "cert-manager" }, { namespace: "envoy-gateway-system" }] }], applications: [app] } },
        });
        assert.deepStrictEqual(paths(err), ["platform.gitops.applications[0].source.trackBranch"]);
        const pinned = { ...app, source: { ...app.source, revision: "main", trackBranch: false } };
        const err2 = await configError({ stack: "dev", platform: { gitops: { applications: [pinned] } } });
        assert.deepStrictEqual(paths(err2), ["platform.gitops.applications[0].source.revision"]);
    });

    it("needs the Git commit outside local: config, else GITHUB_SHA", async () => {
        delete process.env.GITHUB_SHA;
        const err = await configError({ stack: "dev" });
        assert.deepStrictEqual(paths(err), ["platform.audit.gitCommit"]);
        const run = await runProgram({ stack: "dev", platform: { audit: { owner: "platform-team", gitCommit: COMMIT.replace(/0/g, "a") } } });
        assert.strictEqual(run.outputs.gitCommit, COMMIT.replace(/0/g, "a"));
        const local = await runProgram({ stack: "local" });
        assert.strictEqual(local.outputs.gitCommit, "unknown");
    });

    it("rejects ExternalSecret credentials on the local stack (no AWS there)", async () => {
        const err = await configError({
            stack: "local",
            platform: { gitops: { repositories: [{ name: "gitops-platform", type: "git", url: "https://github.com/acme-platform/gitops-platform.git", credentials: { externalSecret: {} } }, { name: "jetstack", type: "helm", url: "https://charts.jetstack.io" }, { name: "envoyproxy", type: "oci", url: "oci://registry-1.docker.io/envoyproxy" }] } },
        });
        assert.deepStrictEqual(paths(err), ["platform.gitops.repositories[0].credentials.externalSecret"]);
    });
});
