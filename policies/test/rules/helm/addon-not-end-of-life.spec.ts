/**
 * addon-not-end-of-life (policies/rules/helm/addon-not-end-of-life.ts): charts past the end of life the add-on
 * catalogue records, with passing and violating resources, through the analyzer gRPC server, judged on a fixed day.
 */
import { PolicyAnalyzer, PolicyPackConfig } from "../../../../tools/policy-analyzer";
import { assertPasses, assertViolates, configure as configurePack, k8s, resource, sharedAnalyzer } from "../../support";

const EOL = "addon-not-end-of-life";

const bootstrap = (chart: string, version: string, repo: string) =>
    resource("gitops:platform:BootstrapAddon", chart, { chart, version, repositoryOpts: { repo }, namespace: chart, values: {} });
const addonSet = (chart: string, targetRevision: string, repoURL: string) =>
    k8s({
        apiVersion: "argoproj.io/v1alpha1",
        kind: "ApplicationSet",
        metadata: { name: `addon-${chart}`, namespace: "argocd" },
        spec: { generators: [], template: { metadata: { name: "{{.name}}" }, spec: { project: "platform-addons", source: { repoURL, chart, targetRevision }, destination: { name: "{{.name}}", namespace: chart } } } },
    });

describe(EOL, function () {
    this.timeout(240_000);
    let analyzer: PolicyAnalyzer;
    /** The specs' config, judged on 2026-12-02 unless `config` says otherwise. */
    const configure = (config: PolicyPackConfig = {}) => configurePack({ [EOL]: { today: "2026-12-02" }, ...config });
    before(async () => {
        analyzer = await sharedAnalyzer();
    });
    beforeEach(() => configure());

    it("passes the catalogue's current pins and charts it does not know", async () => {
        assertPasses(await analyzer.analyze(addonSet("cert-manager", "v1.21.2", "https://charts.jetstack.io")), EOL);
        assertPasses(await analyzer.analyze(addonSet("gateway-helm", "v1.9.1", "registry-1.docker.io/envoyproxy")), EOL);
        assertPasses(await analyzer.analyze(bootstrap("gateway-crds-helm", "v1.9.1", "oci://registry-1.docker.io/envoyproxy")), EOL);
        assertPasses(await analyzer.analyze(addonSet("something-else", "0.0.1", "https://charts.example.com")), EOL);
    });

    it("reports a retired project at any version, and a release line past its end of life", async () => {
        assertViolates(await analyzer.analyze(addonSet("ingress-nginx", "4.11.3", "https://kubernetes.github.io/ingress-nginx")), EOL, /spec\.template\.spec\.source: ingress-nginx 4\.11\.3 is retired upstream since 2026-03-24 \(https:\/\/kubernetes\.io\/blog/);
        assertViolates(await analyzer.analyze(addonSet("cert-manager", "v1.16.2", "https://charts.jetstack.io")), EOL, /cert-manager v1\.16\.2 is past its end of life since 2026-07-08/);
        assertViolates(await analyzer.analyze(bootstrap("external-secrets", "0.10.7", "https://charts.external-secrets.io")), EOL, /^chart: external-secrets 0\.10\.7 is past its end of life since 2026-02-06/m);
    });

    it("judges on the given day: before the end of life there is nothing to report", async () => {
        await configure({ [EOL]: { today: "2026-01-31" } });
        assertPasses(await analyzer.analyze(bootstrap("external-secrets", "1.3.2", "https://charts.external-secrets.io")), EOL);
        await configure({ [EOL]: { today: "2026-02-06" } });
        assertViolates(await analyzer.analyze(bootstrap("external-secrets", "1.3.2", "https://charts.external-secrets.io")), EOL, /since 2026-02-06/);
    });

    it("honours a reviewed exception until its last day, for that version only", async () => {
        const exceptions = [{ chart: "external-secrets", version: "1.3.2", until: "2027-01-31", reason: "test" }];
        await configure({ [EOL]: { today: "2027-01-31", exceptions } });
        assertPasses(await analyzer.analyze(bootstrap("external-secrets", "1.3.2", "https://charts.external-secrets.io")), EOL);
        assertViolates(await analyzer.analyze(bootstrap("external-secrets", "1.3.1", "https://charts.external-secrets.io")), EOL);
        await configure({ [EOL]: { today: "2027-02-01", exceptions } });
        assertViolates(await analyzer.analyze(bootstrap("external-secrets", "1.3.2", "https://charts.external-secrets.io")), EOL);
    });
});
