/**
 * The local stack under the real Pulumi engine, rendering to a directory: `up` with the policy
 * pack started by the CLI, then what a user relies on, step by step (issue 10).
 */
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ValidateFunction } from "ajv";
import * as YAML from "yaml";
import { CRD_TYPE } from "../../components/helm/chartTransforms";
import { argoCdCrdsCli, upArgoCdCrds } from "../../tools/engine/argocd-crds-stack";
import { CliResult, EngineFinding, EngineWorkspace, readPolicyFindings, runPulumi } from "../../tools/engine/pulumi-cli";
import { plan } from "../../tools/plan/plan";
import { ArgoCdKind, ARGOCD_CRD_FILES, crdValidators } from "../support/argocd-crd-schema";
import { filesUnder, findCanary } from "./canary";
import { renderingTo, writeLocalStackFile } from "../../tools/local-cluster/local-stack";
import { E2eRun } from "./e2e-run";
import { findingKey, installPublishedPack, rawInstallSteps } from "./policy-steps";

const STACK = "local";
const POLICY_PACK = "policies/launch";
const POLICY_CONFIG = "policies/config/local.json";

/** The stack's resources in the backend (`pulumi stack export`). */
async function stackResources(ws: EngineWorkspace): Promise<{ urn: string; type: string; parent?: string }[]> {
    const exported = await runPulumi(ws, ["stack", "export", "--stack", STACK]);
    assert.strictEqual(exported.code, 0, `pulumi stack export failed:\n${exported.stderr}`);
    const doc = JSON.parse(exported.stdout) as { deployment?: { resources?: { urn: string; type: string; parent?: string }[] } };
    return doc.deployment?.resources ?? [];
}

/** The CRDs rendered to `dir`. */
function renderedCrds(dir: string): { metadata: { name: string; labels?: Record<string, string> } }[] {
    return filesUnder(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(f, "utf8")).map((d) => d.toJS() as { kind?: string; metadata: { name: string } } | null))
        .filter((o): o is { kind: string; metadata: { name: string } } => o?.kind === "CustomResourceDefinition");
}

/** A digest of every file under `dir`: what a refused run must leave as it was. */
function treeDigest(dir: string): string {
    const h = crypto.createHash("sha256");
    for (const f of filesUnder(dir).sort()) h.update(path.relative(dir, f)).update("\0").update(fs.readFileSync(f)).update("\0");
    return h.digest("hex");
}

function expectOk(r: CliResult, what: string): void {
    assert.strictEqual(r.code, 0, `${what} failed (exit ${r.code}):\n${tail(r.stdout)}\n${tail(r.stderr)}`);
}

function tail(text: string, lines = 40): string {
    return text.split("\n").slice(-lines).join("\n");
}

/** Runs the engine steps; returns what the summary needs from them. */
export async function engineSteps(run: E2eRun): Promise<{ resources: number; findings: EngineFinding[]; policyPackUnderCli: boolean }> {
    const { ws, projectRoot, work } = run;
    const renderDir = path.join(work, "rendered");
    const configFile = path.join(work, "Pulumi.local.yaml");
    const eventLog = path.join(work, "up-events.jsonl");
    const pulumiArgs = ["--stack", STACK, "--config-file", configFile];
    const policyArgs = ["--policy-pack", POLICY_PACK, "--policy-pack-config", POLICY_CONFIG];
    let resources = 0;
    let findings: EngineFinding[] = [];
    let policyPackUnderCli = false;

    await run.step("stack init (file backend, passphrase secrets, canary admin password)", async () => {
        writeLocalStackFile(projectRoot, configFile, renderingTo(renderDir));
        expectOk(await run.cli(["stack", "init", STACK, "--secrets-provider", "passphrase"]), "pulumi stack init");
        // The canary is the admin password: the program turns it into a bcrypt hash, a secret.
        expectOk(await run.cli(["config", "set", "--secret", "argocdAdminPassword", ...pulumiArgs], run.canary), "pulumi config set --secret");
    });

    await run.step("Argo CD's CRDs come from a stack of their own: pulumi up of argocd-crds renders the three, audit-labelled, with the policy pack", async () => {
        const events = path.join(work, "crds-up-events.jsonl");
        const up = await upArgoCdCrds(ws, pulumiArgs, policyArgs, ["--event-log", events]);
        assert.ok(up, "the local stack file does not say crds-stack: the chart would install the CRDs");
        const mandatory = readPolicyFindings(events).filter((f) => f.level === "mandatory");
        assert.deepStrictEqual(mandatory, [], "mandatory findings on Argo CD's CRDs");
        const crds = renderedCrds(renderDir);
        assert.deepStrictEqual(crds.map((c) => c.metadata.name).sort(), ["applications.argoproj.io", "applicationsets.argoproj.io", "appprojects.argoproj.io"]);
        for (const crd of crds) {
            const labels = crd.metadata.labels ?? {};
            assert.strictEqual(labels["gitops.platform/stack"], STACK, `${crd.metadata.name} lacks its audit labels`);
            assert.strictEqual(labels["app.kubernetes.io/managed-by"], "pulumi", `${crd.metadata.name} lacks its audit labels`);
            assert.ok(labels["gitops.platform/git-commit"], `${crd.metadata.name} says no commit`);
        }
        return `${crds.length} CRDs rendered in ${up.seconds.toFixed(1)} s`;
    });

    await run.step("pulumi up with the policy pack (rendering to a directory)", async () => {
        const up = await run.cli(["up", "--yes", ...pulumiArgs, ...policyArgs, "--event-log", eventLog]);
        expectOk(up, "pulumi up");
        findings = readPolicyFindings(eventLog);
        const state = await stackResources(ws);
        resources = state.length;
        assert.ok(resources > 20, `pulumi up registered only ${resources} resources: did the program run?`);
        assert.ok(filesUnder(renderDir).length > 0, `nothing rendered to ${renderDir}`);
        // What keeps its previews fast: the platform stack carries none of them.
        assert.deepStrictEqual(state.filter((r) => r.type === CRD_TYPE).map((r) => r.urn), [], "the platform stack holds CRDs");
        assert.strictEqual(renderedCrds(renderDir).length, 3, "the platform stack's render changed the CRDs' files");
    });

    let previewFindings: EngineFinding[] = [];
    await run.step("preview --expect-no-changes", async () => {
        const events = path.join(work, "preview-events.jsonl");
        expectOk(await run.cli(["preview", "--expect-no-changes", ...pulumiArgs, ...policyArgs, "--event-log", events]), "pulumi preview --expect-no-changes");
        previewFindings = readPolicyFindings(events);
    });

    await run.step("the published pack (npm pack, installed alone with its declared dependencies) finds what the repository's copy finds", async () => {
        const pack = installPublishedPack(run);
        const shipped = pack.files.filter((f) => /(^|\/)(test|node_modules)\/|\.ts$|tsconfig/.test(f) && !f.endsWith(".d.ts"));
        assert.deepStrictEqual(shipped, [], "the published pack ships tests or sources");
        const events = path.join(work, "published-preview-events.jsonl");
        const published = ["--policy-pack", path.join(pack.dir, "launch"), "--policy-pack-config", POLICY_CONFIG];
        expectOk(await run.cli(["preview", "--expect-no-changes", ...pulumiArgs, ...published, "--event-log", events]), "pulumi preview with the published pack");
        const fromPublished = readPolicyFindings(events).map(findingKey).sort();
        assert.deepStrictEqual(fromPublished, previewFindings.map(findingKey).sort(), "the published pack and the repository's copy disagree");
        return `${pack.files.length} files shipped, ${fromPublished.length} findings agree`;
    });

    await run.step("rendered Argo CD objects validate against the v3.4.4 and v3.6.1 CRDs", async () => {
        const crdDirs = { "v3.4.4": path.resolve(projectRoot, "..", "shared", "reference", "argo-cd-v3.4.4", "crds"), "v3.6.1": run.argoCdCrdDir };
        const validators = Object.entries(crdDirs).map(([release, dir]) => ({ release, byKind: crdValidators(dir) }));
        const counts: Record<string, number> = {};
        for (const file of filesUnder(renderDir).filter((f) => /\.ya?ml$/.test(f))) {
            const text = fs.readFileSync(file, "utf8");
            if (!text.includes("argoproj.io/v1alpha1")) continue; // the CRDs themselves are apiextensions objects
            for (const doc of YAML.parseAllDocuments(text)) {
                const obj = doc.toJS() as { apiVersion?: string; kind?: string } | null;
                if (!obj || obj.apiVersion !== "argoproj.io/v1alpha1" || !(obj.kind! in ARGOCD_CRD_FILES)) continue;
                for (const { release, byKind } of validators) {
                    const validate: ValidateFunction = byKind[obj.kind as ArgoCdKind];
                    assert.ok(validate(obj), `${path.relative(renderDir, file)} against Argo CD ${release}: ${JSON.stringify(validate.errors)}`);
                }
                counts[obj.kind!] = (counts[obj.kind!] ?? 0) + 1;
            }
        }
        for (const kind of ["Application", "AppProject", "ApplicationSet"]) assert.ok((counts[kind] ?? 0) > 0, `no ${kind} rendered`);
        return `${JSON.stringify(counts)}, each valid against both releases`;
    });

    await run.step("the canary secret is in no state file, rendered file or output", async () => {
        const hits = findCanary(run.canary, { files: [...filesUnder(ws.backendDir), ...filesUnder(renderDir), ...filesUnder(work).filter((f) => f.endsWith(".jsonl"))], texts: run.outputs() });
        assert.deepStrictEqual(hits, [], `the canary (plain or base64) appears in: ${hits.join(", ")}`);
        // The check can fail: the canary is where it is expected, encrypted config aside.
        assert.ok(findCanary(run.canary, { files: [], texts: { probe: Buffer.from(`x${run.canary}y`).toString("base64") } }).length === 1);
    });

    await run.step("a mandatory violation stops pulumi up and changes nothing", async () => {
        const before = { resources: JSON.stringify(await stackResources(ws)), rendered: treeDigest(renderDir) };
        const badConfig = path.join(work, "Pulumi.local-violating.yaml");
        // The run's own config (canary password and all), with a database URL and its password in plain Helm values.
        writeLocalStackFile(
            projectRoot,
            badConfig,
            (platform) => {
                const apps = (platform.gitops as { applications: Record<string, unknown>[] }).applications;
                apps[0].values = { database: { url: "postgres://hello:e2e-planted-db-password-7f3a@db.hello.svc:5432/hello" } };
            },
            configFile,
        );
        const up = await run.cli(["up", "--yes", "--stack", STACK, "--config-file", badConfig, ...policyArgs]);
        assert.notStrictEqual(up.code, 0, "pulumi up with a planted credential succeeded");
        assert.match(up.stdout + up.stderr, /\[mandatory\][^\n]*\bno-secret-literals\b/, "the output does not name the mandatory policy");
        assert.doesNotMatch(up.stdout + up.stderr, /e2e-planted-db-password-7f3a/, "the planted credential was echoed");
        assert.strictEqual(JSON.stringify(await stackResources(ws)), before.resources, "the refused run changed the state");
        assert.strictEqual(treeDigest(renderDir), before.rendered, "the refused run changed the rendered files");
        policyPackUnderCli = true;
    });

    await run.step("the real run's policy findings equal the offline plan's (rendered objects' findings as their component's)", async () => {
        const offline = await plan({ projectRoot, stack: STACK, configFile, outDir: path.join(work, "plan") });
        const problem = (message: string) => (message.trim().split("\n").pop() ?? "").split(" — in ")[0];
        const key = (policy: string, urn: string, message: string) => `${policy} ${urn}: ${problem(message)}`;
        // What Argo CD Applications render is the manifests entry point's (the engine never sees it): CrossGuard's findings only.
        const crossGuard = offline.diagnostics.filter((d) => !offline.rendered.renderedBy.has(d.urn ?? ""));
        const planned = new Set(crossGuard.map((d) => key(d.policyName, d.urn ?? "", d.message)));
        const planUrns = new Set(offline.run.resources.map((r) => r.urn));
        // The engine also shows the pack the objects a Chart renders, which the plan cannot render offline: each
        // finding there must be one the plan made on an ancestor (the component whose chart values render it).
        const parents = new Map((await stackResources(ws)).map((r) => [r.urn, r.parent]));
        const asPlanned = (f: EngineFinding): string => {
            for (let urn: string | undefined = f.resource; urn !== undefined; urn = parents.get(urn)) {
                if (planned.has(key(f.policy, urn, f.message))) return key(f.policy, urn, f.message);
                if (urn === f.resource && planUrns.has(urn)) break;
            }
            return key(f.policy, f.resource, f.message);
        };
        const real = new Set(findings.map(asPlanned));
        assert.deepStrictEqual([...real].sort(), [...planned].sort(), "the offline plan and the engine disagree on the policy findings");
        const rendered = findings.filter((f) => !planUrns.has(f.resource));
        // The local stack's Argo CD has no notifier: its rendered argocd-notifications-cm is judged, as its values are.
        assert.ok(rendered.length > 0, "no finding on an object a Chart rendered: the comparison would not cover rendered objects");
        return `${real.size} findings agree (${rendered.length} of them on objects the engine rendered)`;
    });

    await rawInstallSteps(run);

    await run.step("destroy (the platform stack, then its CRDs' stack) leaves no resource and no rendered file", async () => {
        expectOk(await run.cli(["destroy", "--yes", ...pulumiArgs]), "pulumi destroy");
        const left = await stackResources(ws);
        assert.deepStrictEqual(left.map((r) => r.urn), [], "resources left after destroy");
        // Only Argo CD's CRDs are left, their stack's: they go last, when nothing that uses them is left.
        assert.strictEqual(renderedCrds(renderDir).length, 3, "the platform stack's destroy touched the CRDs' files");
        assert.strictEqual(filesUnder(renderDir).length, 3, `rendered files left after destroy: ${filesUnder(renderDir).join(", ")}`);
        expectOk(await argoCdCrdsCli(ws, ["destroy", "--yes", ...pulumiArgs]), "pulumi destroy (argocd-crds)");
        assert.deepStrictEqual(filesUnder(renderDir), [], "rendered files left after destroying Argo CD's CRDs");
        // --preserve-config: without it the CLI deletes stacks/Pulumi.local.yaml, the committed stack file
        // of both projects.
        expectOk(await run.cli(["stack", "rm", "--yes", "--preserve-config", STACK]), "pulumi stack rm");
        expectOk(await argoCdCrdsCli(ws, ["stack", "rm", "--yes", "--preserve-config", STACK]), "pulumi stack rm (argocd-crds)");
    });

    return { resources, findings, policyPackUnderCli };
}
