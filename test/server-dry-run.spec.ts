/**
 * Every manifest the offline plan writes, for every stack, is accepted by a real kube-apiserver
 * (the local control plane's, 1.37.2) in a server-side dry run, with the CRDs of External Secrets
 * Operator, cert-manager and Gateway API installed and Argo CD's: first v3.6.1's (the release the
 * loop runs), then v3.4.4's (the release the stacks' argo-cd chart 10.1.1 installs). A manifest the
 * server refuses fails the test; the last case proves that with deliberately bad manifests.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ControlPlane, startControlPlane } from "../tools/local-cluster/control-plane";
import { plan } from "../tools/plan/plan";
import { PROJECT_ROOT } from "./support/program";
import { crdFolders, installCrds, serverDryRun } from "./support/server-dry-run";

const STACKS = ["local", "dev", "staging", "prod"];
const COMMIT = "0123456789abcdef0123456789abcdef01234567";

describe("the plan's manifests against a real API server (server-side dry run)", function () {
    this.timeout(600_000);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-dry-run-"));
    const manifests: Record<string, string> = {};
    let cp: ControlPlane | undefined;
    const crds = crdFolders(PROJECT_ROOT);

    before(async () => {
        process.env.GITHUB_SHA = COMMIT;
        const [cluster] = await Promise.all([
            startControlPlane({ binDir: path.join(PROJECT_ROOT, ".tools", "bin"), dataDir: path.join(work, "cluster") }),
            (async () => {
                for (const stack of STACKS) {
                    const result = await plan({ projectRoot: PROJECT_ROOT, stack, outDir: path.join(work, "plan") });
                    manifests[stack] = path.resolve(PROJECT_ROOT, result.dir, "manifests");
                    assert.ok(result.manifests.length > 0, `${stack}: the plan wrote no manifest`);
                }
            })(),
        ]);
        cp = cluster;
        await installCrds(cp.kubectl, [...crds.addons, crds.argocd["v3.6.1"]]);
    });
    after(async () => {
        delete process.env.GITHUB_SHA;
        await Promise.all((cp?.processes ?? []).map((p) => p.stop()));
        fs.rmSync(work, { recursive: true, force: true });
    });

    const expectAccepted = async (stack: string, release: string) => {
        const files = fs.readdirSync(manifests[stack]).filter((f) => f.endsWith(".yaml"));
        const result = await serverDryRun(cp!.kubectl, manifests[stack]);
        assert.deepStrictEqual(result.refused, [], `${stack} with Argo CD ${release}'s CRDs: the API server refused:\n${result.refused.join("\n")}`);
        assert.strictEqual(result.code, 0);
        assert.strictEqual(result.accepted.length, files.length, `${stack}: ${files.length} manifests, ${result.accepted.length} accepted`);
        return result.accepted;
    };

    for (const stack of STACKS) {
        it(`${stack}: every manifest is accepted (Argo CD v3.6.1's CRDs)`, async () => {
            const accepted = await expectAccepted(stack, "v3.6.1");
            // Every stack has a secret store now: AWS Secrets Manager on the cloud stacks, a Kubernetes secrets cluster on local.
            for (const kind of ["application.argoproj.io", "appproject.argoproj.io", "applicationset.argoproj.io", "externalsecret.external-secrets.io", "clustersecretstore.external-secrets.io"]) {
                assert.ok(accepted.some((a) => a.startsWith(`${kind}/`)), `${stack}: no ${kind} was judged`);
            }
            if (stack !== "local") {
                for (const kind of ["gateway.gateway.networking.k8s.io", "tlsroute.gateway.networking.k8s.io", "httproute.gateway.networking.k8s.io"]) {
                    assert.ok(accepted.some((a) => a.startsWith(`${kind}/`)), `${stack}: no ${kind} was judged`);
                }
            }
        });
    }

    it("every stack's manifests are accepted with Argo CD v3.4.4's CRDs too", async () => {
        await installCrds(cp!.kubectl, [crds.argocd["v3.4.4"]]);
        try {
            for (const stack of STACKS) await expectAccepted(stack, "v3.4.4");
        } finally {
            await installCrds(cp!.kubectl, [crds.argocd["v3.6.1"]]);
        }
    });

    it("refuses a bad manifest, so the checks above can fail", async () => {
        const bad = path.join(work, "bad");
        fs.cpSync(manifests.dev, bad, { recursive: true });
        // The API ESO 0.10 used: ESO 1.3 no longer serves it.
        fs.writeFileSync(
            path.join(bad, "externalsecret_argocd_old-api.yaml"),
            "apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata: { name: old-api, namespace: argocd }\nspec: { secretStoreRef: { kind: ClusterSecretStore, name: aws-secrets-manager }, target: { name: old-api }, dataFrom: [{ extract: { key: k } }] }\n",
        );
        // A field the Application CRD does not declare (strict validation).
        fs.writeFileSync(
            path.join(bad, "application_argocd_typo.yaml"),
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: typo, namespace: argocd }\nspec: { project: team-hello, destination: { name: in-cluster, namespace: hello }, source: { repoURL: https://github.com/acme-platform/gitops-platform.git, path: charts/hello-service, targetRevison: main } }\n",
        );
        const result = await serverDryRun(cp!.kubectl, bad);
        assert.notStrictEqual(result.code, 0, "the dry run accepted bad manifests");
        const refused = result.refused.join("\n");
        assert.match(refused, /external-secrets\.io\/v1beta1/, refused);
        assert.match(refused, /targetRevison/, refused);
        // The good manifests beside them were still judged and accepted.
        assert.ok(result.accepted.some((a) => a.startsWith("gateway.gateway.networking.k8s.io/")), result.accepted.join(", "));
    });
});
