/**
 * Stack config validation as a user meets it: bad config fails before any resource is registered,
 * with ONE StackConfigError listing every problem with its key path; secrets only as Pulumi secrets
 * and never echoed back.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { configError, PROJECT_ROOT, problemPaths as paths, runProgram, TEST_COMMIT as COMMIT, withAuditCommit } from "./support/program";

const CANARY = "canary-S3cr3t-value-9f8e7d";

describe("stack config loading", function () {
    this.timeout(60000);
    withAuditCommit();

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

    it("rejects ExternalSecret credentials on the local stack without its Kubernetes store (no AWS there)", async () => {
        const err = await configError({ stack: "local", platform: { secrets: undefined } });
        assert.deepStrictEqual(paths(err), ["platform.gitops.repositories[0].credentials.externalSecret", "platform.gitops.repositories[0].writeCredentials.externalSecret"]);
        assert.match(err.message, /credentials\.externalSecret: comes through an ExternalSecret, which reads a secret store: set secrets\.store\.kubernetes \(the loop's secrets cluster\)/);
    });
});

describe("stack config: RBAC and tenancy (issue 22)", function () {
    this.timeout(60000);
    withAuditCommit();

    /** The committed dev projects with team-hello (index 1) changed by `edit`. */
    function devProjects(edit: (teamHello: Record<string, unknown>) => void): Record<string, unknown>[] {
        const text = fs.readFileSync(path.join(PROJECT_ROOT, "stacks", "Pulumi.dev.yaml"), "utf8");
        const projects = YAML.parse(text).config["gitops-platform:platform"].gitops.projects as Record<string, unknown>[];
        assert.strictEqual(projects[1].name, "team-hello");
        edit(projects[1]);
        return projects;
    }
    const deployer = (extra: Record<string, unknown> = {}) => ({ name: "deployer", groups: ["hello-team"], applications: ["get", "sync"], ...extra });

    it("refuses a group name that would add a policy.csv line, in argocd.rbac.groupRoles, with the key path", async () => {
        const groups = ["hello-team, role:readonly\ng, everyone, role:admin\n#", "a,b", 'a"b', " hello-team", "hello-team\t", "a\u2028b", "a\u200bb", "role:admin"];
        const err = await configError({ stack: "dev", platform: { argocd: { rbac: { groupRoles: groups.map((group) => ({ group, role: "role:readonly" })) } } } });
        assert.deepStrictEqual(paths(err), groups.map((_, i) => `platform.argocd.rbac.groupRoles[${i}].group`).sort());
        assert.match(err.message, /groupRoles\[0\]\.group: a group name is written into Argo CD's policy\.csv: no comma, quote, line break/);
        assert.ok(!err.message.includes("everyone"), "the bad name is not echoed");
    });

    it("refuses the same in a project role's groups", async () => {
        const err = await configError({ stack: "dev", platform: { gitops: { projects: devProjects((p) => (p.roles = [deployer({ groups: ["ok-group", "x\ng, me, role:admin"] })])) } } });
        assert.deepStrictEqual(err.problems.map((p) => p.path), ["platform.gitops.projects[1].roles[0].groups[1]"]);
    });

    it("offers a team role only actions on its own applications: exec, a wildcard or a platform object cannot be written", async () => {
        for (const action of ["exec", "*", "create", "delete", "update", "action/*"]) {
            const err = await configError({ stack: "dev", platform: { gitops: { projects: devProjects((p) => (p.roles = [deployer({ applications: ["get", action] })])) } } });
            assert.deepStrictEqual(paths(err), ["platform.gitops.projects[1].roles[0].applications[1]"], action);
            assert.match(err.problems[0].message, /expected one of get, sync, override, action\/apps\/Deployment\/restart/);
        }
        const err = await configError({ stack: "dev", platform: { gitops: { projects: devProjects((p) => (p.roles = [deployer({ clusters: ["get"], policies: ["p, x, clusters, get, *, allow"] })])) } } });
        assert.deepStrictEqual(paths(err), ["platform.gitops.projects[1].roles[0].clusters", "platform.gitops.projects[1].roles[0].policies"]);
    });

    it("refuses two roles of one name, and a sync window that is no schedule", async () => {
        const err = await configError({
            stack: "dev",
            platform: {
                gitops: {
                    projects: devProjects((p) => {
                        p.roles = [deployer(), deployer()];
                        p.syncWindows = [{ kind: "deny", schedule: "every weekend", duration: "2 days" }];
                    }),
                },
            },
        });
        assert.deepStrictEqual(paths(err), ["platform.gitops.projects[1].roles[1].name", "platform.gitops.projects[1].syncWindows[0].duration", "platform.gitops.projects[1].syncWindows[0].schedule"]);
    });

    it("refuses a team project in Argo CD's namespace or kube-system, naming the team", async () => {
        const err = await configError({
            stack: "dev",
            platform: { gitops: { projects: devProjects((p) => (p.destinations = [{ namespace: "hello" }, { namespace: "argocd" }, { namespace: "kube-system" }])) } },
        });
        assert.deepStrictEqual(err.problems, [
            { path: "platform.gitops.projects[1].destinations[1].namespace", message: '"argocd" is Argo CD\'s own namespace: a team project (team "hello-team") may not deploy there' },
            { path: "platform.gitops.projects[1].destinations[2].namespace", message: '"kube-system" is the cluster\'s system namespace: a team project (team "hello-team") may not deploy there' },
        ]);
        // Argo CD's namespace is the configured one.
        const moved = await configError({ stack: "dev", platform: { argocd: { namespace: "gitops" }, gitops: { projects: devProjects((p) => (p.destinations = [{ namespace: "hello" }, { namespace: "gitops" }])) } } });
        assert.deepStrictEqual(paths(moved), ["platform.gitops.projects[1].destinations[1].namespace"]);
    });

    it("refuses cluster-access kinds in a team project's whitelist; the platform team's project may list them", async () => {
        const kinds = [
            { group: "rbac.authorization.k8s.io", kind: "ClusterRoleBinding" },
            { group: "rbac.authorization.k8s.io", kind: "ClusterRole" },
            { group: "apiextensions.k8s.io", kind: "CustomResourceDefinition" },
            { group: "admissionregistration.k8s.io", kind: "MutatingWebhookConfiguration" },
            { group: "apiregistration.k8s.io", kind: "APIService" },
            { group: "certificates.k8s.io", kind: "CertificateSigningRequest" },
        ];
        const err = await configError({ stack: "dev", platform: { gitops: { projects: devProjects((p) => (p.clusterResourceWhitelist = [{ group: "", kind: "Namespace" }, ...kinds])) } } });
        assert.deepStrictEqual(paths(err), kinds.map((_, i) => `platform.gitops.projects[1].clusterResourceWhitelist[${i + 1}]`).sort());
        assert.match(err.problems[0].message, /grants access to the whole cluster: only the platform team \("platform-team"\) may list it, not team "hello-team"/);
        // The same project owned by the platform team (audit.owner) is accepted.
        const run = await runProgram({ stack: "dev", platform: { gitops: { projects: devProjects((p) => { p.team = "platform-team"; p.clusterResourceWhitelist = kinds; }) } } });
        assert.ok(run.resources.length > 5);
    });
});
