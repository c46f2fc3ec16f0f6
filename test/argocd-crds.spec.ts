/**
 * Every Application, AppProject and ApplicationSet the program declares for each stack validates
 * against the openAPIV3Schema of Argo CD v3.4.4's CRDs (strictly: an undeclared field is an error,
 * as with `kubectl apply --validate=strict`), and every cluster Secret carries the cluster label.
 */
import * as assert from "assert";
import * as path from "path";
import { ValidateFunction } from "ajv";
import { ARGOCD_CRD_FILES as KINDS, crdValidators } from "./support/argocd-crd-schema";
import { ofType, PROJECT_ROOT, ProgramRun, runEveryStack, withAuditCommit } from "./support/program";

const CRD_DIR = path.resolve(PROJECT_ROOT, "..", "shared", "reference", "argo-cd-v3.4.4", "crds");

describe("Argo CD custom resources against the v3.4.4 CRDs", function () {
    this.timeout(120000);
    const validators: Record<keyof typeof KINDS, ValidateFunction> = crdValidators(CRD_DIR);
    let runs: Record<string, ProgramRun> = {};
    withAuditCommit();
    before(async () => {
        runs = await runEveryStack();
    });

    for (const stack of ["local", "dev", "staging", "prod"]) {
        it(`${stack}: every Application, AppProject and ApplicationSet is valid`, () => {
            let checked = 0;
            for (const kind of Object.keys(KINDS) as (keyof typeof KINDS)[]) {
                const resources = ofType(runs[stack], `kubernetes:argoproj.io/v1alpha1:${kind}`);
                assert.ok(resources.length > 0, `${stack} declares no ${kind}`);
                for (const r of resources) {
                    const validate = validators[kind];
                    const ok = validate(r.inputs);
                    assert.ok(ok, `${stack} ${kind}/${r.name}: ${JSON.stringify(validate.errors, null, 1)}`);
                    checked++;
                }
            }
            assert.ok(checked >= 4);
        });

        it(`${stack}: every cluster Secret has the cluster label and no credentials`, () => {
            const secrets = ofType(runs[stack], "kubernetes:core/v1:Secret").filter((s) => {
                const labels = (s.inputs.metadata as { labels?: Record<string, string> }).labels ?? {};
                return labels["argocd.argoproj.io/secret-type"] === "cluster" || s.name.startsWith("cluster-");
            });
            assert.strictEqual(secrets.length, 1, "exactly one cluster registration");
            for (const s of secrets) {
                const meta = s.inputs.metadata as { labels: Record<string, string>; annotations: Record<string, string> };
                assert.strictEqual(meta.labels["argocd.argoproj.io/secret-type"], "cluster");
                assert.strictEqual(meta.labels.environment, stack);
                const data = s.inputs.stringData as Record<string, string>;
                assert.deepStrictEqual(Object.keys(data).sort(), ["config", "name", "server"]);
                assert.deepStrictEqual(JSON.parse(data.config), { tlsClientConfig: { insecure: false } });
                assert.ok(meta.annotations.aws_region && meta.annotations.aws_account_id && meta.annotations.aws_vpc_id, "Terraform facts in annotations");
            }
        });
    }

    it("the validator rejects a wrong Application (so the checks above can fail)", () => {
        const app = ofType(runs.dev, "kubernetes:argoproj.io/v1alpha1:Application")[0];
        const broken = JSON.parse(JSON.stringify(app.inputs));
        broken.spec.syncPolicy.automated.prunee = true;
        delete broken.spec.destination;
        assert.strictEqual(validators.Application(broken), false);
        const messages = JSON.stringify(validators.Application.errors);
        assert.match(messages, /prunee/);
        assert.match(messages, /destination/);
    });
});
