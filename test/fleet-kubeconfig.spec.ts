/**
 * Fleet clusters reached through a context of the secret kubeconfig `fleetKubeconfig` (on-prem, k3s,
 * kind, the local control plane's kube-apiservers), as `argocd cluster add` registers them: one
 * cluster Secret each whose `config` carries the bearer token or client certificate as a Pulumi
 * secret; the policy pack accepts it on a cluster and refuses it where manifests are rendered; bad
 * kubeconfigs are refused with the entry's key path, the context and the field, never a value; the
 * offline plan gives such a stack a kubeconfig of its own and writes none of its tokens.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { clusterConnection } from "../components/gitops/clusterRegistration";
import { packDir } from "../policies/test/support";
import { StackConfigError } from "../lib/stackConfigError";
import { toPolicyResources } from "../tools/plan/policy-step";
import { isSerializedSecret, redactSecrets, unwrapSecrets } from "../tools/plan/secrets";
import { planFleetToken } from "../tools/plan/fleet-kubeconfig";
import { addConfigSecrets, Redactor } from "../tools/plan/redaction";
import { readStackConfig, testSecretFor } from "../tools/plan/stack-file";
import { PolicyAnalyzer, PolicyDiagnostic, PolicyResource, startPolicyAnalyzer } from "../tools/policy-analyzer";
import { clusterSecretResources, ofType, PROJECT_ROOT, ProgramRun, runProgram, withAuditCommit } from "./support/program";
import { copyProject } from "./support/project-copy";

const COMMIT = "0123456789abcdef0123456789abcdef01234567";
// Canaries built from parts, so this file holds no literal a scanner would flag. The token has a
// service account token's shape (a JWT), which the secret rules know.
const TOKEN = "eyJhbGciOiJSUzI1NiJ9" + ".eyJzdWIiOiJDQU5BUlktZmxlZXQtdG9rZW4ifQ." + "CANARYfleetTokenSignature7x3q";
const KEY_PEM = "-----BEGIN " + "PRIVATE KEY-----\nMIIEvQIBADANCANARYfleetKey7x3q7x3\n-----END PRIVATE KEY-----\n";
const KEY_DATA = Buffer.from(KEY_PEM).toString("base64");
const CERT_DATA = Buffer.from("-----BEGIN CERTIFICATE-----\nMIIBfleet-client-cert\n-----END CERTIFICATE-----\n").toString("base64");
const CA_DATA = Buffer.from("-----BEGIN CERTIFICATE-----\nMIIBfleet-ca\n-----END CERTIFICATE-----\n").toString("base64");
const CANARIES = [TOKEN, KEY_DATA, "CANARY"];

/** Two loopback kube-apiservers: one reached with a token, one with a client certificate. */
const KUBECONFIG = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
        { name: "loop-1", cluster: { server: "https://127.0.0.1:16443", "certificate-authority-data": CA_DATA } },
        { name: "loop-2", cluster: { server: "https://127.0.0.1:16444", "certificate-authority-data": CA_DATA } },
    ],
    contexts: [
        { name: "fleet-01", context: { cluster: "loop-1", user: "token-user" } },
        { name: "loop-cert", context: { cluster: "loop-2", user: "cert-user" } },
    ],
    users: [
        { name: "token-user", user: { token: TOKEN } },
        { name: "cert-user", user: { "client-certificate-data": CERT_DATA, "client-key-data": KEY_DATA } },
    ],
};
const ENTRIES = [
    { from: "kubeconfig", name: "fleet-01", labels: { tier: "loop" } },
    { from: "kubeconfig", name: "fleet-02", context: "loop-cert", labels: { tier: "loop" }, addons: ["cert-manager"] },
];

type ClusterSecret = { metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> }; stringData: { name: string; server: string; config: string } };

/** The local stack's projects, admitting the fleet's clusters (`fleet-*`) too. */
function localProjects(): Record<string, unknown>[] {
    const doc = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, "stacks", "Pulumi.local.yaml"), "utf8"));
    const projects = doc.config["gitops-platform:platform"].gitops.projects as { destinations: { namespace: string }[] }[];
    return projects.map((p) => ({ ...p, destinations: [...p.destinations, ...p.destinations.map((d) => ({ namespace: d.namespace, cluster: "fleet-*" }))] }));
}

interface KubeconfigRunOptions {
    fleet?: unknown[];
    /** The fleetKubeconfig text; undefined: not set. */
    kubeconfig?: string;
    /** Set it as a Pulumi secret. Default true. */
    secret?: boolean;
    platform?: Record<string, unknown>;
}

/** The local stack on a cluster (as `npm run up` runs it), with kubeconfig fleet entries. */
function kubeconfigRun(options: KubeconfigRunOptions = {}): Promise<ProgramRun> {
    const { fleet = ENTRIES, secret = true } = options;
    const kubeconfig = "kubeconfig" in options ? options.kubeconfig : YAML.stringify(KUBECONFIG);
    return runProgram({
        stack: "local",
        platform: { cluster: { mode: "kubeconfig", directory: undefined }, fleet, gitops: { projects: localProjects() }, ...options.platform },
        config: { kubeconfig: "apiVersion: v1\nkind: Config\n", ...(kubeconfig !== undefined ? { fleetKubeconfig: kubeconfig } : {}) },
        secretKeys: ["kubeconfig", ...(secret && kubeconfig !== undefined ? ["fleetKubeconfig"] : [])],
    });
}

/** The kubeconfig with `edit` applied to a copy. */
function edited(edit: (k: typeof KUBECONFIG & Record<string, unknown>) => void): string {
    const copy = structuredClone(KUBECONFIG) as typeof KUBECONFIG & Record<string, unknown>;
    edit(copy);
    return YAML.stringify(copy);
}

/** The StackConfigError of a run that must fail; its message must hold no canary. */
async function configError(run: Promise<ProgramRun>): Promise<StackConfigError> {
    try {
        await run;
    } catch (e) {
        if (!(e instanceof Error) || e.name !== "StackConfigError") throw e;
        for (const canary of CANARIES) assert.ok(!e.message.includes(canary) && !(e.stack ?? "").includes(canary), `a credential in the error: ${e.message}`);
        return e as StackConfigError;
    }
    assert.fail("expected a StackConfigError");
}

const secretOf = (run: ProgramRun, name: string) => clusterSecretResources(run).find((s) => (s.inputs as unknown as ClusterSecret).stringData.name === name)!;

describe("fleet clusters from a kubeconfig (bearer token or client certificate)", function () {
    this.timeout(240_000);
    let run: ProgramRun;
    let single: ProgramRun;
    withAuditCommit();
    before(async () => {
        single = await kubeconfigRun({ fleet: [], kubeconfig: undefined });
        run = await kubeconfigRun();
    });

    it("registers a token user's cluster as Argo CD's documented bearerToken config, TLS verified", () => {
        const secret = secretOf(run, "fleet-01");
        const s = secret.inputs as unknown as ClusterSecret;
        assert.strictEqual(s.metadata.name, "cluster-fleet-01");
        assert.strictEqual(secret.name, "fleet-fleet-01-secret");
        assert.strictEqual(s.stringData.server, "https://127.0.0.1:16443");
        assert.deepStrictEqual(JSON.parse(s.stringData.config), { bearerToken: TOKEN, tlsClientConfig: { insecure: false, caData: CA_DATA } });
        assert.strictEqual(s.metadata.labels.tier, "loop");
        assert.strictEqual(s.metadata.labels.environment, "local");
        assert.strictEqual(s.metadata.labels.enable_cert_manager, "true", "by default every add-on Argo CD installs");
        assert.strictEqual(s.metadata.labels.enable_envoy_gateway, "true");
        assert.strictEqual(s.metadata.annotations.environment, "local");
        assert.deepStrictEqual(Object.keys(s.metadata.annotations).filter((k) => k.startsWith("aws_")), [], "no AWS facts for a cluster that is not EKS");
    });

    it("registers a client-certificate user's cluster with caData, certData and keyData and no token", () => {
        const s = secretOf(run, "fleet-02").inputs as unknown as ClusterSecret;
        assert.strictEqual(s.metadata.name, "cluster-fleet-02");
        assert.strictEqual(s.stringData.server, "https://127.0.0.1:16444");
        assert.deepStrictEqual(JSON.parse(s.stringData.config), { tlsClientConfig: { insecure: false, caData: CA_DATA, certData: CERT_DATA, keyData: KEY_DATA } });
        assert.strictEqual(s.metadata.labels.enable_cert_manager, "true");
        assert.strictEqual(s.metadata.labels.enable_envoy_gateway, undefined, "only the add-ons the entry names");
    });

    it("keeps every credential a Pulumi secret: nowhere in any resource's inputs or the outputs once secrets are taken out", async () => {
        for (const r of clusterSecretResources(run)) assert.ok(isSerializedSecret((r.properties as Record<string, unknown>).stringData), `${r.name}: stringData is a secret`);
        const visible = JSON.stringify([run.resources.map((r) => redactSecrets(r.properties)), redactSecrets(run.outputs)]);
        for (const canary of CANARIES) assert.ok(!visible.includes(canary), "a credential outside a secret");
        // The registration makes its config secret whatever it is handed.
        for (const access of [
            { kind: "token", server: "https://x.example", bearerToken: "plain" },
            { kind: "client-certificate", server: "https://x.example", certData: "Y2VydA==", keyData: "a2V5" },
        ] as const) {
            assert.ok(await pulumi.isSecret(clusterConnection(access).config as pulumi.Output<string>), `${access.kind}: config is a secret`);
        }
    });

    it("declares two resources per cluster; a team application's selector generates to these clusters", async () => {
        assert.strictEqual(run.resources.length - single.resources.length, 2 * ENTRIES.length, "a ClusterRegistration and its Secret per cluster");
        assert.strictEqual(run.outputs.fleetClusters, 2);
        const app = {
            name: "hello-loop",
            project: "team-hello",
            source: { repository: "gitops-platform", path: "charts/hello-service", revision: "v0.1.0" },
            destination: { namespace: "hello" },
            clusterSelector: { tier: "loop" },
        };
        const withApp = await kubeconfigRun({ platform: { gitops: { projects: localProjects(), applications: [app] } } });
        const set = ofType(withApp, "kubernetes:argoproj.io/v1alpha1:ApplicationSet").find((s) => s.name === "appset-hello-loop")!;
        const spec = set.inputs.spec as { generators: { clusters: { selector: { matchLabels: Record<string, string> } } }[]; template: { metadata: { name: string } } };
        assert.deepStrictEqual(spec.generators[0].clusters.selector.matchLabels, { tier: "loop", environment: "local" });
        assert.strictEqual(spec.template.metadata.name, "{{.name}}-hello-loop");
        assert.strictEqual(ofType(withApp, "kubernetes:argoproj.io/v1alpha1:Application").length, 0);
    });

    it("refuses a missing, plaintext or unused fleetKubeconfig", async () => {
        let err = await configError(kubeconfigRun({ kubeconfig: undefined }));
        assert.match(err.message, /fleetKubeconfig: required while platform\.fleet\[0\], platform\.fleet\[1\] are from: kubeconfig: run `pulumi config set --secret fleetKubeconfig` < path\/to\/kubeconfig/);
        err = await configError(kubeconfigRun({ secret: false }));
        assert.match(err.message, /fleetKubeconfig: must be a Pulumi secret, not plaintext/);
        err = await configError(kubeconfigRun({ fleet: [] }));
        assert.match(err.message, /fleetKubeconfig: set, but no entry of platform\.fleet is from: kubeconfig/);
    });

    it("refuses a secret that is no YAML or JSON without quoting it", async () => {
        const err = await configError(kubeconfigRun({ kubeconfig: `users: [{name: a, user: {token: ${TOKEN}}\n  - ]]` }));
        assert.deepStrictEqual(err.problems.map((p) => p.path), ["fleetKubeconfig"]);
        assert.match(err.message, /fleetKubeconfig: not a kubeconfig: not valid YAML or JSON \(\w+ at line \d+, column \d+\)/);
        const json = await configError(kubeconfigRun({ kubeconfig: JSON.stringify(["not", "a", "kubeconfig"]) }));
        assert.match(json.message, /fleetKubeconfig: not a kubeconfig: expected a mapping/);
    });

    it("accepts the kubeconfig as JSON too", async () => {
        const fromJson = await kubeconfigRun({ kubeconfig: JSON.stringify(KUBECONFIG) });
        assert.deepStrictEqual(JSON.parse((secretOf(fromJson, "fleet-01").inputs as unknown as ClusterSecret).stringData.config).bearerToken, TOKEN);
    });

    it("refuses what Argo CD cannot use from a Secret, naming the entry, the context and the field, every problem at once", async () => {
        const kubeconfig = edited((k) => {
            Object.assign(k.clusters[0].cluster, { server: "http://127.0.0.1:16443", "insecure-skip-tls-verify": true });
            Object.assign(k.clusters[1].cluster, { "certificate-authority": "/etc/kubernetes/ca.crt" });
            k.users[0].user = { exec: { apiVersion: "client.authentication.k8s.io/v1", command: "get-token", args: [TOKEN] } } as never;
        });
        const err = await configError(kubeconfigRun({ kubeconfig, fleet: [...ENTRIES, { from: "kubeconfig", name: "fleet-03" }] }));
        const lines = err.problems.map((p) => `${p.path}: ${p.message}`);
        if (process.env.SHOW_PROBLEMS) console.log(lines.join("\n"));
        const expect = [
            /^platform\.fleet\[0\]: fleetKubeconfig, context "fleet-01", cluster "loop-1": insecure-skip-tls-verify: Argo CD keeps verifying/,
            /^platform\.fleet\[0\]: fleetKubeconfig, context "fleet-01", cluster "loop-1": server: expected an https:\/\/ URL, got http:\/\/ \(Argo CD reaches the API server over TLS only\)/,
            /^platform\.fleet\[0\]: fleetKubeconfig, context "fleet-01", user "token-user": exec: a credential plugin, which Argo CD cannot run/,
            /^platform\.fleet\[1\]: fleetKubeconfig, context "loop-cert", cluster "loop-2": certificate-authority: a file path, which Argo CD cannot read from a cluster Secret: inline it as certificate-authority-data/,
            /^platform\.fleet\[2\]: fleetKubeconfig has no context "fleet-03" \(its contexts: "fleet-01", "loop-cert"\)/,
        ];
        for (const re of expect) assert.ok(lines.some((l) => re.test(l)), `${re} not among\n${lines.join("\n")}`);
        assert.strictEqual(lines.filter((l) => /no credential/.test(l)).length, 0, "a refused exec says what to use instead, once");
    });

    it("refuses file paths, basic auth, a half client certificate, two credentials and none", async () => {
        const cases: [(k: typeof KUBECONFIG) => void, RegExp][] = [
            [(k) => (k.users[0].user = { tokenFile: "/var/run/token" } as never), /user "token-user": tokenFile: a file path/],
            [(k) => (k.users[0].user = { username: "admin", password: TOKEN } as never), /user "token-user": password: basic authentication/],
            [(k) => (k.users[0].user = { "client-key-data": KEY_DATA } as never), /user "token-user": client-key-data without client-certificate-data/],
            [(k) => (k.users[0].user = { token: TOKEN, "client-certificate-data": CERT_DATA, "client-key-data": KEY_DATA } as never), /both a token and a client certificate/],
            [(k) => (k.users[0].user = {} as never), /user "token-user": no credential: expected token, or client-certificate-data with client-key-data/],
            [(k) => (k.users[0].user = { "auth-provider": { name: "oidc", config: { "id-token": TOKEN } } } as never), /auth-provider: an authentication provider plugin/],
            [(k) => (k.contexts[0].context.user = "nobody"), /context "fleet-01": user "nobody" is not among the kubeconfig's users/],
            [(k) => (k.clusters[0].cluster.server = `https://admin:${TOKEN}@127.0.0.1:16443`), /server: carries user info/],
            [(k) => Object.assign(k.clusters[0].cluster, { "tls-server-name": "api.loop" }), /cluster "loop-1": tls-server-name: not carried into the cluster Secret/],
            [(k) => Object.assign(k.users[0].user, { constructor: TOKEN }), /user "token-user": constructor: not a field Argo CD's cluster Secret carries/],
        ];
        for (const [edit, re] of cases) {
            const err = await configError(kubeconfigRun({ kubeconfig: edited(edit), fleet: [ENTRIES[0]] }));
            assert.match(err.message, re);
            assert.ok(err.problems.every((p) => p.path === "platform.fleet[0]"), err.message);
        }
    });

    it("refuses a roleArn, a name taken by the hub or another entry, and a hub that renders to a directory", async () => {
        let err = await configError(kubeconfigRun({ fleet: [{ ...ENTRIES[0], roleArn: "arn:aws:iam::444455556666:role/argocd-fleet" }] }));
        assert.match(err.message, /platform\.fleet\[0\]\.roleArn: unknown key/);
        err = await configError(kubeconfigRun({ fleet: [{ ...ENTRIES[0], name: "in-cluster", context: "fleet-01" }] }));
        assert.match(err.message, /platform\.fleet\[0\]\.name: duplicate cluster name "in-cluster" \(also platform\.cluster\.name\)/);
        err = await configError(kubeconfigRun({ fleet: [ENTRIES[0], { ...ENTRIES[1], name: "fleet-01" }] }));
        assert.match(err.message, /platform\.fleet\[1\]\.name: duplicate cluster name "fleet-01" \(also platform\.fleet\[0\]\.name\)/);
        err = await configError(kubeconfigRun({ platform: { cluster: { mode: "render", directory: "out/local/rendered" } } }));
        assert.match(err.message, /platform\.fleet\[0\]\.from: a kubeconfig cluster's Secret carries its token or client key, and platform\.cluster\.mode "render" would write it to out\/local\/rendered in plaintext/);
    });

    it("refuses a server registered twice (the hub's in-cluster one too), however its URL is spelled", async () => {
        let err = await configError(kubeconfigRun({ fleet: [ENTRIES[0], { ...ENTRIES[1], context: "fleet-01" }] }));
        assert.deepStrictEqual(
            err.problems.map((p) => `${p.path}: ${p.message}`),
            ['platform.fleet[1]: cluster "fleet-02": server https://127.0.0.1:16443 is already registered by platform.fleet[0] (cluster "fleet-01"); Argo CD keys clusters by server URL'],
        );
        err = await configError(kubeconfigRun({ kubeconfig: edited((k) => (k.clusters[1].cluster.server = "https://127.0.0.1:16443/")) }));
        assert.match(err.message, /platform\.fleet\[1\]: cluster "fleet-02": server https:\/\/127\.0\.0\.1:16443\/ is already registered by platform\.fleet\[0\]/);
        err = await configError(kubeconfigRun({ kubeconfig: edited((k) => (k.clusters[0].cluster.server = "https://kubernetes.default.svc:443")) }));
        assert.match(err.message, /platform\.fleet\[0\]: cluster "fleet-01": server https:\/\/kubernetes\.default\.svc:443 is already registered by platform\.cluster \(the hub, in-cluster\)/);
        await kubeconfigRun({ kubeconfig: edited((k) => (k.clusters[1].cluster.server = "https://127.0.0.1:16443/other")) });
    });

    describe("the policy pack on these cluster Secrets", () => {
        let analyzer: PolicyAnalyzer;
        let secrets: PolicyResource[];
        before(async () => {
            analyzer = await startPolicyAnalyzer(packDir);
            await analyzer.configure({ all: "mandatory" }, "test config");
            secrets = toPolicyResources(run).filter((r) => r.name.startsWith("fleet-") && r.type === "kubernetes:core/v1:Secret");
            assert.strictEqual(secrets.length, 2);
        });
        after(async () => analyzer?.close());
        const secretRules = (diags: PolicyDiagnostic[]) => diags.filter((d) => ["no-secret-literals", "kubernetes-secret-protected", "stack-outputs-secret-safe"].includes(d.policyName));

        it("accepts them as the program registers them on a cluster: credentials secret, data marked secret", async () => {
            for (const r of secrets) assert.deepStrictEqual(secretRules(await analyzer.analyze(r)).map((d) => d.message), [], r.name);
            assert.deepStrictEqual(secretRules(await analyzer.analyzeStack(toPolicyResources(run))).map((d) => d.message), []);
        });

        it("refuses them under a provider that renders YAML to a directory, without quoting the credential", async () => {
            const provider = { urn: "urn:pulumi:local::gitops-platform::pulumi:providers:kubernetes::cluster", type: "pulumi:providers:kubernetes", name: "cluster", properties: { renderYamlToDirectory: "out/local/rendered" } };
            for (const r of secrets) {
                const diags = await analyzer.analyze({ ...r, provider });
                const found = diags.filter((d) => d.policyName === "kubernetes-secret-protected");
                assert.strictEqual(found.length, 1, r.name);
                assert.match(found[0].message, /renders YAML to a directory, so stringData\.config would be written in plaintext/);
                for (const canary of CANARIES) assert.ok(!found[0].message.includes(canary));
            }
        });

        it("reports the token when it is plaintext: data not marked secret, or the token outside Secret data", async () => {
            const [tokenSecret] = secrets;
            // The same Secret with its data a plain value and not marked secret (not made by k8s.core.v1.Secret).
            const unmarked = { ...tokenSecret, properties: unwrapSecrets(tokenSecret.properties) as Record<string, unknown>, options: { ...tokenSecret.options, additionalSecretOutputs: [] } };
            const diags = await analyzer.analyze(unmarked);
            assert.ok(diags.some((d) => d.policyName === "kubernetes-secret-protected" && /stringData is not marked secret/.test(d.message)), JSON.stringify(diags));
            const props = unmarked.properties as { metadata: { annotations: Record<string, string> } };
            const annotated = { ...unmarked, properties: { ...props, metadata: { ...props.metadata, annotations: { ...props.metadata.annotations, fleet_token: TOKEN } } } };
            const literal = (await analyzer.analyze(annotated)).find((d) => d.policyName === "no-secret-literals");
            assert.ok(literal, "a token in an annotation is found");
            assert.match(literal.message, /metadata\.annotations\.fleet_token/);
            assert.ok(!literal.message.includes(TOKEN));
        });
    });

    describe("npm run plan of a stack with kubeconfig entries", () => {
        let project: string;
        before(() => {
            project = copyProject("plan-fleet-kubeconfig-");
        });
        after(() => fs.rmSync(project, { recursive: true, force: true }));

        /** The local stack on a cluster with two kubeconfig entries, as a stack file; `fleetKubeconfig` as given. */
        function stackFile(name: string, fleetKubeconfig: unknown): string {
            const doc = YAML.parseDocument(fs.readFileSync(path.join(project, "stacks", "Pulumi.local.yaml"), "utf8"));
            const platform = ["config", "gitops-platform:platform"];
            doc.setIn([...platform, "cluster"], doc.createNode({ mode: "kubeconfig" }));
            doc.setIn([...platform, "fleet"], doc.createNode(ENTRIES));
            doc.setIn([...platform, "gitops", "projects"], doc.createNode(localProjects()));
            doc.setIn(["config", "gitops-platform:kubeconfig"], doc.createNode({ secure: "v1:bm90LXJlYWw=:bm90LXJlYWw=" }));
            doc.setIn(["config", "gitops-platform:fleetKubeconfig"], doc.createNode(fleetKubeconfig));
            const file = path.join("stacks-test", name);
            fs.mkdirSync(path.join(project, "stacks-test"), { recursive: true });
            fs.writeFileSync(path.join(project, file), doc.toString());
            return file;
        }

        function runPlan(args: string[]) {
            const res = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(project, "tools", "plan", "cli.ts"), ...args], {
                cwd: project,
                encoding: "utf8",
                env: { ...process.env, GITHUB_SHA: COMMIT },
                timeout: 240_000,
            });
            return { code: res.status, stdout: res.stdout, stderr: res.stderr };
        }

        /** Every file under `dir`, with its text. */
        function filesUnder(dir: string): [string, string][] {
            return fs
                .readdirSync(dir, { recursive: true, withFileTypes: true })
                .filter((e) => e.isFile())
                .map((e) => [path.relative(dir, path.join(e.parentPath, e.name)), fs.readFileSync(path.join(e.parentPath, e.name), "utf8")]);
        }

        it("plans offline with a kubeconfig of its own, and none of its test tokens reaches a file or the console", async () => {
            const file = stackFile("Pulumi.fleet.yaml", { secure: "v1:bm90LXJlYWw=:bm90LXJlYWw=" });
            const out = path.join(project, "out-fleet");
            // The stand-in has a context for each entry (its name, or the context it names), and the
            // plan's redactor knows each test token before anything is written.
            const testSecret = testSecretFor("gitops-platform:fleetKubeconfig");
            const stackConfig = readStackConfig(project, "local", file);
            const standIn = JSON.parse(stackConfig.config["gitops-platform:fleetKubeconfig"]) as typeof KUBECONFIG;
            assert.deepStrictEqual(standIn.contexts.map((c) => c.name), ["fleet-01", "loop-cert"]);
            assert.deepStrictEqual(standIn.clusters.map((c) => c.cluster.server), ["https://fleet-01.plan.invalid", "https://loop-cert.plan.invalid"]);
            const redactor = new Redactor();
            await addConfigSecrets(redactor, stackConfig.config, stackConfig.secretKeys.map((k) => stackConfig.config[k]));
            for (const context of ["fleet-01", "loop-cert"]) assert.strictEqual(redactor.scrub(`a ${planFleetToken(testSecret, context)} b`), "a [secret] b");

            const res = runPlan(["--stack", "local", "--config-file", file, "--out", out]);
            assert.strictEqual(res.code, 0, res.stdout + res.stderr);
            const written = filesUnder(path.join(out, "local"));
            const manifest = written.find(([f]) => f === path.join("manifests", "secret_argocd_cluster-fleet-02.yaml"));
            assert.ok(manifest, `no manifest for cluster-fleet-02 among ${written.map(([f]) => f).join(", ")}`);
            assert.deepStrictEqual(YAML.parse(manifest[1]).stringData, { name: "[redacted]", server: "[redacted]", config: "[redacted]" });
            const resources = JSON.parse(written.find(([f]) => f === "resources.json")![1]) as { name: string; inputs: Record<string, unknown> }[];
            assert.deepStrictEqual(resources.find((r) => r.name === "fleet-fleet-01-secret")?.inputs.stringData, { name: "[secret]", server: "[secret]", config: "[secret]" });
            // Every test token is the key's test secret followed by its context.
            for (const [where, text] of [["stdout", res.stdout], ["stderr", res.stderr], ...written]) {
                assert.ok(!text.includes(testSecret), `a test token reached ${where}`);
                assert.ok(!text.includes("plan-test-secret-for"), `a test secret reached ${where}`);
            }
        });

        it("refuses a plaintext kubeconfig with exit 2 and echoes none of it", () => {
            const file = stackFile("Pulumi.plain.yaml", YAML.stringify(KUBECONFIG));
            const out = path.join(project, "out-plain");
            const res = runPlan(["--stack", "local", "--config-file", file, "--out", out]);
            assert.strictEqual(res.code, 2, res.stdout + res.stderr);
            assert.match(res.stderr, /fleetKubeconfig: must be a Pulumi secret, not plaintext/);
            for (const canary of CANARIES) assert.ok(!res.stderr.includes(canary) && !res.stdout.includes(canary), "a credential printed");
            assert.ok(!fs.existsSync(path.join(out, "local")), "nothing written");
        });
    });
});
