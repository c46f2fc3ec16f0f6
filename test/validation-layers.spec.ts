/**
 * A check that deliberately lives twice (docs/adr-0005-validation-layers.md): "no Application in the
 * `default` project" is the stack schema's (a project may not be named `default`, and the stack rules
 * let an application name only a declared project), so a bad config fails with its key path before
 * anything is registered; and it is the policy pack's (argocd-application-no-default-project), which
 * also guards Applications this program did not make. Both refuse the same Application; the
 * components no longer check it a third, fourth and fifth time.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { StackConfigError } from "../lib/stackConfigError";
import { CLUSTER_ACCESS_KINDS } from "../stacks/schema";
import { PolicyAnalyzer, startPolicyAnalyzer } from "../tools/policy-analyzer";
import { toPolicyResources } from "../tools/plan/policy-step";
import { packDir } from "../policies/test/support";
import { ofType, PROJECT_ROOT, runProgram } from "./support/program";

const NO_DEFAULT_PROJECT = "argocd-application-no-default-project";
const APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application";

describe("a check owned twice: no default project (program and pack)", function () {
    this.timeout(120000);
    let analyzer: PolicyAnalyzer | undefined;
    before(async () => {
        analyzer = await startPolicyAnalyzer(packDir);
    });
    after(async () => analyzer?.close());

    const gitops = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, "stacks", "Pulumi.local.yaml"), "utf8")).config["gitops-platform:platform"].gitops;

    it("the program refuses a config whose application is in the default project, naming the key", async () => {
        // team-hello renamed to default: the project and the application that names it.
        const inDefault = JSON.parse(JSON.stringify(gitops).replaceAll('"team-hello"', '"default"'));
        await assert.rejects(runProgram({ stack: "local", platform: { gitops: inDefault } }), (e: unknown) => {
            assert.ok(e instanceof StackConfigError, String(e));
            assert.deepStrictEqual(
                e.problems.filter((p) => /default project/.test(p.message)).map((p) => p.path),
                ["platform.gitops.projects[1].name"],
            );
            return true;
        });
    });

    it("the pack refuses the same Application in the default project, and passes it as the program makes it", async () => {
        const run = await runProgram({ stack: "local" });
        const app = ofType(run, APPLICATION)[0];
        assert.strictEqual((app.inputs.spec as { project: string }).project, "team-hello");
        const resources = toPolicyResources(run).filter((r) => r.type === APPLICATION);
        const asMade = await analyzer!.analyze(resources[0]);
        assert.deepStrictEqual(asMade.filter((d) => d.policyName === NO_DEFAULT_PROJECT), []);
        const properties = resources[0].properties as { spec: Record<string, unknown> };
        const inDefault = { ...resources[0], properties: { ...properties, spec: { ...properties.spec, project: "default" } } };
        const found = (await analyzer!.analyze(inDefault)).filter((d) => d.policyName === NO_DEFAULT_PROJECT);
        assert.strictEqual(found.length, 1);
        assert.match(found[0].message, /default project/);
    });
});

describe("a check owned twice: a team's access (stack schema and rules, and the pack's argocd-rbac-tenancy)", function () {
    this.timeout(120000);
    const RBAC_TENANCY = "argocd-rbac-tenancy";
    const APP_PROJECT = "kubernetes:argoproj.io/v1alpha1:AppProject";
    let analyzer: PolicyAnalyzer | undefined;
    before(async () => {
        analyzer = await startPolicyAnalyzer(packDir);
    });
    after(async () => analyzer?.close());

    const gitops = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, "stacks", "Pulumi.local.yaml"), "utf8")).config["gitops-platform:platform"].gitops;
    const kinds = Object.entries(CLUSTER_ACCESS_KINDS).flatMap(([group, ks]) => ks.map((kind) => ({ group, kind })));
    /** The local gitops config with team-hello (projects[1]) changed. */
    const withTeamHello = (edit: (p: Record<string, unknown>) => void) => {
        const copy = JSON.parse(JSON.stringify(gitops));
        assert.strictEqual(copy.projects[1].name, "team-hello");
        edit(copy.projects[1]);
        return copy;
    };

    /** team-hello's AppProject as the program makes it, for the pack, with `edit` applied to its spec. */
    async function packFindings(edit: (spec: Record<string, unknown>) => void): Promise<string[]> {
        const run = await runProgram({ stack: "local" });
        const made = toPolicyResources(run).find((r) => r.type === APP_PROJECT && (r.properties as { metadata: { name: string } }).metadata.name === "team-hello")!;
        const properties = JSON.parse(JSON.stringify(made.properties)) as { spec: Record<string, unknown> };
        edit(properties.spec);
        return (await analyzer!.analyze({ ...made, properties })).filter((d) => d.policyName === RBAC_TENANCY).map((d) => d.message);
    }

    it("the pack passes every AppProject as the program makes it, roles, sync windows and orphan warnings included", async () => {
        for (const stack of ["local", "dev", "staging", "prod"]) {
            process.env.GITHUB_SHA = "0123456789abcdef0123456789abcdef01234567";
            const run = await runProgram({ stack }).finally(() => delete process.env.GITHUB_SHA);
            for (const resource of toPolicyResources(run).filter((r) => r.type === APP_PROJECT)) {
                const found = (await analyzer!.analyze(resource)).filter((d) => d.policyName === RBAC_TENANCY);
                assert.deepStrictEqual(found, [], `${stack} ${resource.name}`);
            }
        }
    });

    it("both refuse every cluster-access kind the schema knows, and Argo CD's namespace, in a team project", async () => {
        await assert.rejects(
            runProgram({ stack: "local", platform: { gitops: withTeamHello((p) => { p.clusterResourceWhitelist = kinds; p.destinations = [{ namespace: "hello" }, { namespace: "argocd" }]; }) } }),
            (e: unknown) => {
                assert.ok(e instanceof StackConfigError, String(e));
                assert.deepStrictEqual(e.problems.map((p) => p.path).sort(), [
                    ...kinds.map((_, i) => `platform.gitops.projects[1].clusterResourceWhitelist[${i}]`),
                    "platform.gitops.projects[1].destinations[1].namespace",
                ].sort());
                return true;
            },
        );
        const found = await packFindings((spec) => {
            spec.clusterResourceWhitelist = kinds;
            spec.destinations = [{ name: "in-cluster", namespace: "hello" }, { name: "in-cluster", namespace: "argocd" }];
        });
        assert.strictEqual(found.length, 1, found.join("\n"));
        kinds.forEach((k, i) => assert.match(found[0], new RegExp(`spec\\.clusterResourceWhitelist\\[${i}\\] allows ${k.group.replace(/\./g, "\\.")}/${k.kind},`)));
        assert.match(found[0], /spec\.destinations\[1\]\.namespace is argocd/);
    });

    it("both refuse a role group name that would add a policy line", async () => {
        const attack = "hello-team\ng, everyone, role:admin\n#";
        await assert.rejects(
            runProgram({ stack: "local", platform: { gitops: withTeamHello((p) => { p.roles = [{ name: "deployer", groups: [attack], applications: ["get"] }]; }) } }),
            (e: unknown) => {
                assert.ok(e instanceof StackConfigError, String(e));
                assert.deepStrictEqual(e.problems.map((p) => p.path), ["platform.gitops.projects[1].roles[0].groups[0]"]);
                return true;
            },
        );
        const found = await packFindings((spec) => {
            (spec.roles as { groups: string[] }[])[0].groups = [attack];
        });
        assert.strictEqual(found.length, 1);
        assert.match(found[0], /spec\.roles\[0\]\.groups\[0\] is not a plain group name/);
    });
});
