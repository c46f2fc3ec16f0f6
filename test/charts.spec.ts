/**
 * The charts Argo CD deploys from charts/: linted by the real Helm CLI, rendered per environment,
 * validated against the Kubernetes API's OpenAPI schemas, and documented by a README that is
 * generated from values.yaml. Bad values files must fail with Helm's schema error.
 * (Policy-pack checks of the rendered objects: test/charts-policy.spec.ts.)
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { chartDirs, renderReadme, valuesTable } from "../tools/chart-readme";
import { findTool, helm, helmTemplate, KubernetesObject, repoRoot } from "./support/helm";
import { KubernetesSchemaValidator, kubernetesSchemaValidator } from "./support/kubernetes-schema";

/** Environments every chart has a values file for (the Argo CD Applications name them). */
const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
const fixtures = path.join(repoRoot, "test", "fixtures", "charts");
const rel = (file: string): string => path.relative(repoRoot, file);

type Container = {
    name: string;
    image: string;
    securityContext?: Record<string, unknown> & { capabilities?: { drop?: string[]; add?: string[] } };
    resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
    livenessProbe?: unknown;
    readinessProbe?: unknown;
};
type PodSpec = { securityContext?: Record<string, unknown>; containers: Container[]; automountServiceAccountToken?: boolean };

function only(objects: KubernetesObject[], kind: string): KubernetesObject {
    const found = objects.filter((o) => o.kind === kind);
    assert.equal(found.length, 1, `expected one ${kind}, found ${found.length}`);
    return found[0];
}

function podSpec(deployment: KubernetesObject): PodSpec {
    return (deployment.spec as { template: { spec: PodSpec } }).template.spec;
}

describe("charts/", function () {
    // Helm renders in well under a second, but the first run may fetch the Kubernetes schemas.
    this.timeout(300_000);
    const charts = chartDirs(repoRoot);
    let k8s: KubernetesSchemaValidator;

    before(() => {
        findTool("helm"); // fails (never skips) with the install command when helm is missing
        k8s = kubernetesSchemaValidator();
    });

    it("holds at least one chart, each with values.schema.json and a values file per environment", () => {
        assert.ok(charts.length > 0, "no chart under charts/");
        const missing = charts.flatMap((dir) =>
            ["values.yaml", "values.schema.json", "README.md", ...ENVIRONMENTS.map((env) => `values-${env}.yaml`)]
                .map((file) => path.join(dir, file))
                .filter((file) => !fs.existsSync(file))
                .map(rel),
        );
        assert.deepEqual(missing, []);
    });

    it("uses a helm whose default Kubernetes version is the one the schemas describe", () => {
        const [probe] = helmTemplate(path.join(fixtures, "kube-version-probe"));
        const data = probe.data as { kubeVersion: string; helmVersion: string };
        assert.match(helm(["version", "--short"]).stdout, /^v3\.\d+\.\d+/);
        assert.equal(data.helmVersion, helm(["version", "--template", "{{ .Version }}"]).stdout.trim());
        const minor = (v: string): string => v.replace(/^v/, "").split(".").slice(0, 2).join(".");
        assert.equal(minor(data.kubeVersion), minor(k8s.kubernetesVersion), "helm's default Kubernetes version differs from the schemas' (see tools/kubernetes-schemas.sh)");
    });

    for (const chartDir of charts) {
        const name = path.basename(chartDir);
        describe(name, () => {
            const valuesSets: [string, string[]][] = [
                ["values.yaml", []],
                ...ENVIRONMENTS.map((env): [string, string[]] => [env, [path.join(chartDir, `values-${env}.yaml`)]]),
            ];

            for (const [label, valuesFiles] of valuesSets) {
                it(`helm lint --strict is clean (${label})`, () => {
                    const result = helm(["lint", "--strict", chartDir, ...valuesFiles.flatMap((f) => ["--values", f])]);
                    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
                    assert.doesNotMatch(result.stdout, /\[(WARNING|ERROR)\]/, result.stdout);
                    assert.match(result.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
                });

                it(`renders valid Kubernetes objects (${label})`, () => {
                    const objects = helmTemplate(chartDir, { valuesFiles, namespace: "apps" });
                    assert.ok(objects.length > 0, "rendered nothing");
                    const problems = objects.flatMap((obj) => k8s.validate(obj));
                    assert.deepEqual(problems, [], `invalid for Kubernetes ${k8s.kubernetesVersion}:\n${problems.join("\n")}`);
                });
            }

            it("has a README whose generated part matches Chart.yaml and values.yaml", () => {
                const current = fs.readFileSync(path.join(chartDir, "README.md"), "utf8");
                assert.ok(
                    current === renderReadme(chartDir),
                    `${rel(chartDir)}/README.md is out of date: run npx ts-node --transpile-only tools/chart-readme.ts ${rel(chartDir)}`,
                );
            });
        });
    }

    describe("hello-service behaviour", () => {
        const chartDir = path.join(repoRoot, "charts", "hello-service");
        const render = (env: string, set: string[] = []): KubernetesObject[] =>
            helmTemplate(chartDir, { valuesFiles: [path.join(chartDir, `values-${env}.yaml`)], releaseName: "hello", namespace: "apps", set });

        for (const env of ENVIRONMENTS) {
            it(`runs a locked-down container in ${env}`, () => {
                const pod = podSpec(only(render(env), "Deployment"));
                assert.equal(pod.securityContext?.runAsNonRoot, true);
                assert.ok(Number(pod.securityContext?.runAsUser) > 0, "runAsUser must be a non-zero UID");
                assert.deepEqual(pod.securityContext?.seccompProfile, { type: "RuntimeDefault" });
                assert.equal(pod.automountServiceAccountToken, false);
                for (const container of pod.containers) {
                    const sc = container.securityContext ?? {};
                    assert.equal(sc.privileged, false);
                    assert.equal(sc.allowPrivilegeEscalation, false);
                    assert.equal(sc.readOnlyRootFilesystem, true);
                    assert.deepEqual(sc.capabilities, { drop: ["ALL"] });
                    for (const kind of ["requests", "limits"] as const) {
                        assert.ok(container.resources?.[kind]?.cpu && container.resources?.[kind]?.memory, `${container.name}: ${kind} cpu/memory`);
                    }
                    assert.ok(container.livenessProbe && container.readinessProbe, `${container.name}: probes`);
                    assert.match(container.image, /^[^@]+:[\w][\w.-]*(@sha256:[a-f0-9]{64})?$/, "image by exact tag or digest");
                    assert.doesNotMatch(container.image, /:latest(@|$)/);
                }
            });

            it(`labels every object with the recommended and audit labels in ${env}`, () => {
                const objects = render(env, ["audit.gitCommit=0123456789abcdef0123456789abcdef01234567"]);
                const kinds = objects.map((o) => o.kind).sort();
                const expected = ["ConfigMap", "Deployment", "NetworkPolicy", "Service", "ServiceAccount"];
                if (env !== "dev") expected.push("HorizontalPodAutoscaler", "PodDisruptionBudget");
                assert.deepEqual(kinds, expected.sort());
                const deployment = only(objects, "Deployment");
                const podLabels = (deployment.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
                for (const [where, labels] of [...objects.map((o): [string, Record<string, string> | undefined] => [`${o.kind}`, o.metadata.labels]), ["pod template", podLabels] as [string, Record<string, string>]]) {
                    assert.deepEqual(
                        {
                            name: labels?.["app.kubernetes.io/name"],
                            instance: labels?.["app.kubernetes.io/instance"],
                            version: labels?.["app.kubernetes.io/version"],
                            partOf: labels?.["app.kubernetes.io/part-of"],
                            managedBy: labels?.["app.kubernetes.io/managed-by"],
                            owner: labels?.["gitops.platform/owner"],
                            stack: labels?.["gitops.platform/stack"],
                            project: labels?.["gitops.platform/project"],
                            commit: labels?.["gitops.platform/git-commit"],
                        },
                        {
                            name: "hello-service",
                            instance: "hello",
                            version: "6.7.1",
                            partOf: "gitops-platform",
                            managedBy: "Helm",
                            owner: "platform-team",
                            stack: env,
                            project: "gitops-platform",
                            commit: "0123456789abcdef0123456789abcdef01234567",
                        },
                        where,
                    );
                }
            });
        }

        it("selects the Deployment's pods from the Service, PodDisruptionBudget and NetworkPolicy", () => {
            const objects = render("prod");
            const selector = (only(objects, "Deployment").spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
            assert.deepEqual(selector, { "app.kubernetes.io/name": "hello-service", "app.kubernetes.io/instance": "hello" });
            assert.deepEqual((only(objects, "Service").spec as { selector: unknown }).selector, selector);
            assert.deepEqual((only(objects, "PodDisruptionBudget").spec as { selector: { matchLabels: unknown } }).selector.matchLabels, selector);
            assert.deepEqual((only(objects, "NetworkPolicy").spec as { podSelector: { matchLabels: unknown } }).podSelector.matchLabels, selector);
        });

        it("scales prod with an HPA (3..10, no fixed replicas) and runs one pod without PDB in dev", () => {
            const prod = render("prod");
            const hpa = only(prod, "HorizontalPodAutoscaler").spec as { minReplicas: number; maxReplicas: number; scaleTargetRef: { name: string } };
            assert.deepEqual([hpa.minReplicas, hpa.maxReplicas, hpa.scaleTargetRef.name], [3, 10, "hello-hello-service"]);
            assert.equal((only(prod, "Deployment").spec as { replicas?: number }).replicas, undefined);
            const dev = render("dev");
            assert.equal((only(dev, "Deployment").spec as { replicas?: number }).replicas, 1);
            assert.deepEqual(dev.filter((o) => ["HorizontalPodAutoscaler", "PodDisruptionBudget"].includes(o.kind)), []);
        });

        it("pins the image by digest when one is given, keeping the tag readable", () => {
            const digest = `sha256:${"ab".repeat(32)}`;
            const pod = podSpec(only(render("prod", [`image.digest=${digest}`]), "Deployment"));
            assert.equal(pod.containers[0].image, `ghcr.io/stefanprodan/podinfo:6.7.1@${digest}`);
        });

        it("uses the git commit stamped into Chart.yaml by the publish workflow when audit.gitCommit is empty", () => {
            // The published package carries it as a Chart.yaml annotation (see .github/workflows/charts.yml).
            const STAMPED = "89abcdef0123456789abcdef0123456789abcdef";
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stamped-chart-"));
            try {
                fs.cpSync(chartDir, dir, { recursive: true });
                const chartYaml = path.join(dir, "Chart.yaml");
                fs.writeFileSync(chartYaml, fs.readFileSync(chartYaml, "utf8").replace(/^annotations:$/m, `annotations:\n  gitops.platform/git-commit: "${STAMPED}"`));
                const objects = helmTemplate(dir, { valuesFiles: [path.join(dir, "values-prod.yaml")] });
                assert.deepEqual([...new Set(objects.map((o) => o.metadata.labels?.["gitops.platform/git-commit"]))], [STAMPED]);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("refuses an autoscaler whose maximum is below its minimum", () => {
            const result = helm(["template", "hello", chartDir, "--set", "autoscaling.enabled=true", "--set", "autoscaling.minReplicas=4", "--set", "autoscaling.maxReplicas=2"]);
            assert.notEqual(result.status, 0);
            assert.match(result.stderr, /autoscaling\.maxReplicas \(2\) must not be below autoscaling\.minReplicas \(4\)/);
        });

        describe("values files that break values.schema.json fail with Helm's schema error", () => {
            const cases: [string, RegExp[]][] = [
                ["schema-latest-tag.yaml", [/at '\/image\/tag'/]],
                ["schema-privileged.yaml", [/at '\/securityContext\/privileged': value must be false/]],
                ["schema-typo-and-missing-limits.yaml", [/at '\/resources': missing property 'limits'/, /additional properties 'replicaCont' not allowed/]],
            ];
            for (const [file, messages] of cases) {
                it(file, () => {
                    const values = path.join(fixtures, "hello-service", file);
                    const template = helm(["template", "hello", chartDir, "--values", values]);
                    assert.notEqual(template.status, 0, "helm template accepted it");
                    assert.match(template.stderr, /values don't meet the specifications of the schema\(s\) in the following chart\(s\):\nhello-service:/);
                    for (const message of messages) assert.match(template.stderr, message);
                    const lint = helm(["lint", "--strict", chartDir, "--values", values]);
                    assert.notEqual(lint.status, 0, "helm lint accepted it");
                    assert.match(lint.stdout, /\[ERROR\] values\.yaml: /);
                });
            }
        });
    });

    describe("the README generator itself", () => {
        it("documents keys from their `# --` comments, with type and default, descending into undocumented maps", () => {
            const rows = valuesTable(
                "# file header\n\n# -- Replica count.\nreplicas: 2\nimage:\n  # -- Repository.\n  repository: nginx\n  # -- Tag,\n  # continued.\n  tag: \"1.27\"\n# -- Extra labels.\nlabels: {a: b}\n",
                "inline",
            );
            assert.deepEqual(rows, [
                { key: "replicas", type: "int", defaultJson: "2", description: "Replica count." },
                { key: "image.repository", type: "string", defaultJson: '"nginx"', description: "Repository." },
                { key: "image.tag", type: "string", defaultJson: '"1.27"', description: "Tag, continued." },
                { key: "labels", type: "object", defaultJson: '{"a":"b"}', description: "Extra labels." },
            ]);
        });

        it("names every undocumented key in one error", () => {
            assert.throws(
                () => valuesTable("# -- Documented.\na: 1\nb: 2\nnested:\n  c: 3\n  # plain comment\n  d: 4\n", "charts/x/values.yaml"),
                { message: 'charts/x/values.yaml: values without a "# --" description: b, nested.c, nested.d' },
            );
        });
    });

    describe("the Kubernetes schema check itself", () => {
        it("reports unknown fields, wrong types and missing required fields with their paths", () => {
            const chartDir = path.join(repoRoot, "charts", "hello-service");
            const deployment = only(helmTemplate(chartDir), "Deployment");
            const pod = podSpec(deployment) as unknown as { containers: Record<string, unknown>[] };
            pod.containers[0].securityContex = { privileged: false }; // typo
            delete pod.containers[0].name;
            (deployment.spec as Record<string, unknown>).replicas = "two";
            const problems = k8s.validate(deployment);
            const expected = [
                /^Deployment\/hello-hello-service \/spec\/template\/spec\/containers\/0: must NOT have additional properties \(securityContex\)$/,
                /^Deployment\/hello-hello-service \/spec\/template\/spec\/containers\/0: must have required property 'name'$/,
                /^Deployment\/hello-hello-service \/spec\/replicas: must be integer$/,
            ];
            for (const pattern of expected) assert.ok(problems.some((p) => pattern.test(p)), `${pattern} not in:\n${problems.join("\n")}`);
        });

        it("names kinds it has no schema for", () => {
            assert.deepEqual(k8s.validate({ apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name: "x" } }), [
                "Application/x: no Kubernetes schema for apiVersion argoproj.io/v1alpha1 (apis__argoproj.io__v1alpha1_openapi.json missing)",
            ]);
        });
    });
});
