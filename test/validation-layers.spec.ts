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
