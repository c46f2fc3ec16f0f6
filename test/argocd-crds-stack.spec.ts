/**
 * Argo CD's CRDs in a stack of their own (argocd-crds, docs/adr-0011): the program reads the
 * platform stack's file and installs the three CRDs of the stack's Argo CD release, audit-labelled,
 * protected in prod; the platform stack's chart then installs none. Under the mock runtime; the
 * real engine's run is the e2e's engine step.
 */
import * as assert from "assert";
import * as path from "path";
import type * as pulumi from "@pulumi/pulumi";
import { ARGOCD_CRD_FILES, ArgoCdCrds, onlyCrds } from "../components/argocd/argoCdCrds";
import { ComponentValidationError } from "../components/validationError";
import { crdsFromCrdsStack } from "../tools/engine/argocd-crds-stack";
import { configError, ofType, PROJECT_ROOT, problemPaths, runProgram, withAuditCommit } from "./support/program";

const CRDS_PROGRAM = path.join(PROJECT_ROOT, "argocd-crds");
const CONFIG_GROUP = "kubernetes:yaml/v2:ConfigGroup";
const FROM_CRDS_STACK = { argocd: { crds: { installedBy: "crds-stack" } } };

function argoCdChartValues(run: Awaited<ReturnType<typeof runProgram>>): { crds: { install: boolean } } {
    return ofType(run, "kubernetes:helm.sh/v4:Chart").find((c) => c.name === "argocd")!.inputs.values as { crds: { install: boolean } };
}

describe("Argo CD's CRDs in a stack of their own", function () {
    this.timeout(60000);
    withAuditCommit();

    it("local: the argocd-crds stack installs the stand-in's three CRD files, unprotected, and the platform's chart none", async () => {
        const crds = await runProgram({ stack: "local", programDir: CRDS_PROGRAM });
        const group = ofType(crds, CONFIG_GROUP);
        assert.strictEqual(group.length, 1);
        assert.deepStrictEqual(group[0].inputs.files, ARGOCD_CRD_FILES.map((f) => path.join(".tools", "charts", "argo-cd-crds", f)));
        assert.strictEqual(group[0].options.protect, false);
        assert.deepStrictEqual(crds.outputs.argocdRelease, "3.6.1");
        // Nothing else: no chart, no Argo CD object.
        assert.deepStrictEqual([...new Set(crds.resources.map((r) => r.type))].sort(), [
            "gitops:platform:ArgoCdCrds",
            "gitops:platform:KubernetesCluster",
            "gitops:terraform:TerraformOutputs",
            CONFIG_GROUP,
            "pulumi:providers:kubernetes",
        ]);
        const platform = await runProgram({ stack: "local" });
        assert.strictEqual(argoCdChartValues(platform).crds.install, false);
    });

    it("prod: the CRDs of the stack's Argo CD release from Argo CD's repository, protected; the chart keeps installing them by default", async () => {
        const crds = await runProgram({ stack: "prod", platform: FROM_CRDS_STACK, programDir: CRDS_PROGRAM });
        const group = ofType(crds, CONFIG_GROUP)[0];
        assert.deepStrictEqual(
            group.inputs.files,
            ARGOCD_CRD_FILES.map((f) => `https://raw.githubusercontent.com/argoproj/argo-cd/v3.4.4/manifests/crds/${f}`),
        );
        assert.strictEqual(group.options.protect, true);
        assert.strictEqual(ofType(crds, "gitops:platform:ArgoCdCrds")[0].options.protect, true);
        assert.strictEqual(argoCdChartValues(await runProgram({ stack: "prod" })).crds.install, true);
        assert.strictEqual(argoCdChartValues(await runProgram({ stack: "prod", platform: FROM_CRDS_STACK })).crds.install, false);
    });

    it("refuses a stack whose chart installs the CRDs, naming the key", async () => {
        const err = await configError({ stack: "dev", programDir: CRDS_PROGRAM });
        assert.deepStrictEqual(problemPaths(err), ["platform.argocd.crds.installedBy"]);
        assert.match(err.message, /the argo-cd chart installs Argo CD's CRDs in the gitops-platform stack/);
    });

    it("refuses a CRD directory that lacks one of Argo CD's CRD files, naming the key", async () => {
        const err = await configError({ stack: "local", platform: { argocd: { crds: { path: ".tools/charts/argo-cd" } } }, programDir: CRDS_PROGRAM });
        assert.deepStrictEqual(problemPaths(err), ["platform.argocd.crds.path"]);
        assert.match(err.message, /lacks application-crd\.yaml, applicationset-crd\.yaml, appproject-crd\.yaml/);
    });

    it("refuses a CRD directory on a stack whose chart installs the CRDs", async () => {
        const err = await configError({ stack: "dev", platform: { argocd: { crds: { path: "x" } } } });
        assert.deepStrictEqual(problemPaths(err), ["platform.argocd.crds.path"]);
        assert.match(err.message, /set installedBy: crds-stack, or remove path/);
    });

    it("the component refuses no files and an inexact release, both at once", () => {
        const audit = { stack: "local", project: "p", owner: "o", gitCommit: "0".repeat(40) };
        assert.throws(() => new ArgoCdCrds("argocd-crds", { files: [], release: "v3", audit }), (e: Error) => {
            assert.ok(e instanceof ComponentValidationError);
            assert.deepStrictEqual(e.problems.map((p) => p.prop), ["files", "release"]);
            assert.match(e.message, /release: expected an exact Argo CD release like 3\.6\.1, got "v3"/);
            return true;
        });
    });

    it("refuses a file that holds anything but a CRD, naming the object", () => {
        const transform = onlyCrds("argocd-crds");
        const args = (type: string) => ({ custom: true, type, name: "x", props: { metadata: { name: "argocd-server" } }, opts: {} }) as unknown as pulumi.ResourceTransformArgs;
        assert.strictEqual(transform(args("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition")), undefined);
        assert.throws(() => transform(args("kubernetes:apps/v1:Deployment")), (e: Error) => {
            assert.ok(e instanceof ComponentValidationError);
            assert.match(e.message, /files: hold apps\/v1:Deployment argocd-server: only CustomResourceDefinitions belong in the argocd-crds stack/);
            return true;
        });
    });

    it("the tools bring the argocd-crds stack up exactly when the stack file says crds-stack", () => {
        assert.strictEqual(crdsFromCrdsStack(PROJECT_ROOT, ["--stack", "local"]), true);
        assert.strictEqual(crdsFromCrdsStack(PROJECT_ROOT, ["--stack", "prod"]), false);
        assert.throws(() => crdsFromCrdsStack(PROJECT_ROOT, ["--config-file", "x"]), /no --stack/);
    });
});
