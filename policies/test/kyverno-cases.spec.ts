/**
 * Kyverno's own Argo CD policy test resources (../shared/reference/kyverno-argo-cases): wherever a rule of this
 * pack covers the same concern, every `bad*` resource is flagged for the same reason and `good*` ones are not.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { PolicyAnalyzer } from "../../tools/policy-analyzer";
import { assertPasses, assertViolates, configure, packDir, resource, sharedAnalyzer } from "./support";

const casesDir = path.resolve(packDir, "..", "..", "shared", "reference", "kyverno-argo-cases");

/** Kyverno policy folder -> our rule and the reason each bad resource must be flagged for. */
const covered: Record<string, { policy: string; reasons: Record<string, RegExp> }> = {
    "application-prevent-default-project": { policy: "argocd-application-no-default-project", reasons: { badapp: /default project/ } },
    "application-field-validation": { policy: "argocd-application-fields-exclusive", reasons: { badapp01: /both chart and path/, badapp02: /both server and name/ } },
    "appproject-clusterresourceblacklist": {
        policy: "argocd-appproject-restricted",
        reasons: { badappproj01: /clusterResourceBlacklist/, badappproj02: /clusterResourceBlacklist/, badappproj03: /clusterResourceBlacklist/, badappproj04: /clusterResourceBlacklist/ },
    },
};
/** Concerns this pack does not cover: an update-time check (CrossGuard sees no previous inputs) and a naming convention. */
const notCovered = ["application-prevent-updates-project", "applicationset-name-matches-project"];

function documents(folder: string): { file: string; doc: Record<string, unknown> }[] {
    return fs.readdirSync(path.join(casesDir, folder)).filter(f => f.endsWith(".yaml")).flatMap(file =>
        YAML.parseAllDocuments(fs.readFileSync(path.join(casesDir, folder, file), "utf8"))
            .map(d => d.toJS() as Record<string, unknown>)
            .filter(doc => doc && typeof doc === "object")
            .map(doc => ({ file, doc })),
    );
}

describe("Kyverno Argo CD policy cases", function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    before(async () => {
        analyzer = await sharedAnalyzer();
    });
    beforeEach(() => configure());

    it("every case folder is either covered or listed as not covered", () => {
        assert.deepStrictEqual(fs.readdirSync(casesDir).sort(), [...Object.keys(covered), ...notCovered].sort());
    });

    for (const [folder, { policy, reasons }] of Object.entries(covered)) {
        it(`${folder}: bad resources are flagged by ${policy} for the same reason, good ones pass`, async () => {
            let bad = 0;
            for (const { file, doc } of documents(folder)) {
                const name = String((doc.metadata as Record<string, unknown>).name);
                const r = resource(`kubernetes:${String(doc.apiVersion)}:${String(doc.kind)}`, name, doc);
                const diags = await analyzer.analyze(r);
                if (name.startsWith("bad")) {
                    assert.ok(reasons[name], `no expected reason for ${file}/${name}`);
                    assertViolates(diags, policy, reasons[name]);
                    bad++;
                } else {
                    assertPasses(diags, policy);
                }
            }
            assert.ok(bad > 0, `${folder} has no bad resources`);
        });
    }
});
