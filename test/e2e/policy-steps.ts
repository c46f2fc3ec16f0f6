/**
 * The policy pack judges what reaches the cluster, under the real engine (issue 21): Argo CD installed the
 * usual Pulumi way, outside the platform's components (a plain helm v4 Chart of Argo CD's chart, a ConfigGroup
 * of its manifests), is stopped on the objects it renders; and the pack as `pulumi policy publish` ships it
 * (npm pack, installed alone with only its declared dependencies) finds what the repository's copy finds.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { EngineFinding, readPolicyFindings } from "../../tools/engine/pulumi-cli";
import { E2eRun } from "./e2e-run";

const FIXTURE = path.join("test", "fixtures", "programs", "raw-argocd");
const PROJECT = "raw-argocd";
const STACK = "raw-argocd";

/** Everything advisory but the two rules the proof is about: a stop is theirs, not another rule's. */
const PROOF_CONFIG = { all: "advisory", "argocd-install-hardened": "mandatory", "argocd-chart-no-plaintext-credentials": "mandatory" };

/** Argo CD's chart values with everything the hardening rule asks for, so a planted setting is the only problem. */
const HARDENED = {
    configs: { cm: { "admin.enabled": false, "exec.enabled": false, "users.anonymous.enabled": false }, params: { "server.insecure": false }, rbac: { "policy.default": "role:readonly" } },
    notifications: { enabled: true, notifiers: { "service.webhook.audit": "url: https://audit.example.com/argocd" } },
};

/** A copy of the fixture program in the run's work dir (the CLI writes stack files beside Pulumi.yaml). */
function programCopy(run: E2eRun): string {
    const dir = path.join(run.work, PROJECT);
    fs.cpSync(path.join(run.projectRoot, FIXTURE), dir, { recursive: true });
    fs.symlinkSync(path.join(run.projectRoot, "node_modules"), path.join(dir, "node_modules"));
    return dir;
}

/** The policy findings of `pulumi preview` of the fixture with `install` and `values`, and its result. */
async function previewRaw(run: E2eRun, dir: string, name: string, config: Record<string, unknown>): Promise<{ code: number; output: string; findings: EngineFinding[] }> {
    const configFile = path.join(run.work, `Pulumi.${STACK}-${name}.yaml`);
    const stackConfig = Object.fromEntries(Object.entries({ renderDir: path.join(run.work, `${name}-rendered`), ...config }).map(([k, v]) => [`${PROJECT}:${k}`, v]));
    fs.writeFileSync(configFile, YAML.stringify({ config: stackConfig }));
    const policyConfig = path.join(run.work, "policy-proof.json");
    fs.writeFileSync(policyConfig, JSON.stringify(PROOF_CONFIG));
    const events = path.join(run.work, `${name}-events.jsonl`);
    const r = await run.cli(["preview", "--cwd", dir, "--stack", STACK, "--config-file", configFile, "--policy-pack", path.join(run.projectRoot, "policies", "launch"), "--policy-pack-config", policyConfig, "--event-log", events]);
    return { code: r.code, output: r.stdout + r.stderr, findings: readPolicyFindings(events) };
}

/** The finding of `policy` on the object of `type` named `namespace/name` (a Chart's children are named `<chart>:<namespace>/<name>`). */
function findingOn(findings: EngineFinding[], policy: string, type: string, object: string): EngineFinding {
    const found = findings.find((f) => f.policy === policy && f.resource.includes(`$${type}::`) && (f.resource.endsWith(`::${object}`) || f.resource.endsWith(`:${object}`)));
    assert.ok(found, `no ${policy} finding on ${type} ${object}; findings: ${JSON.stringify(findings.filter((f) => f.policy === policy).map((f) => f.resource))}`);
    return found;
}

/** The raw installs of Argo CD, each stopped on the object that carries the problem. */
export async function rawInstallSteps(run: E2eRun): Promise<void> {
    const chart = path.join(run.projectRoot, ".tools", "charts", "argo-cd");
    let dir = "";
    await run.step("stack init of a program that installs Argo CD without the platform (plain Chart, ConfigGroup)", async () => {
        dir = programCopy(run);
        const init = await run.cli(["stack", "init", STACK, "--cwd", dir, "--secrets-provider", "passphrase"]);
        assert.strictEqual(init.code, 0, `pulumi stack init failed:\n${init.stderr}`);
    });

    await run.step("a plain helm v4 Chart of Argo CD with anonymous access is stopped by argocd-install-hardened on its rendered argocd-cm", async () => {
        const ok = await previewRaw(run, dir, "hardened", { install: "chart", chart, values: HARDENED });
        assert.strictEqual(ok.code, 0, `the hardened chart was refused:\n${ok.output.slice(-3000)}`);
        const values = { ...HARDENED, configs: { ...HARDENED.configs, cm: { ...HARDENED.configs.cm, "users.anonymous.enabled": true } } };
        const bad = await previewRaw(run, dir, "anonymous", { install: "chart", chart, values });
        assert.notStrictEqual(bad.code, 0, "pulumi preview of a Chart with anonymous access succeeded");
        const f = findingOn(bad.findings, "argocd-install-hardened", "kubernetes:core/v1:ConfigMap", "argocd/argocd-cm");
        assert.strictEqual(f.level, "mandatory");
        assert.match(f.message, /argocd-cm\["users\.anonymous\.enabled"\] is true \(anonymous access\) — in ConfigMap argocd\/argocd-cm, rendered by Chart "argocd"/);
        return `stopped on ${f.resource.split("::").pop()}`;
    });

    await run.step("a plaintext admin password in the argocd-secret a Chart renders is stopped, and never echoed", async () => {
        const planted = `e2e-plaintext-admin-${Date.now().toString(36)}`;
        const values = { ...HARDENED, configs: { ...HARDENED.configs, secret: { argocdServerAdminPassword: planted } } };
        const bad = await previewRaw(run, dir, "plaintext", { install: "chart", chart, values });
        assert.notStrictEqual(bad.code, 0, "pulumi preview of a Chart with a plaintext admin password succeeded");
        const f = findingOn(bad.findings, "argocd-chart-no-plaintext-credentials", "kubernetes:core/v1:Secret", "argocd/argocd-secret");
        assert.match(f.message, /argocd-secret\["admin\.password"\] is not a bcrypt hash/);
        assert.ok(!bad.output.includes(planted) && !bad.findings.some((x) => x.message.includes(planted)), "the planted password was echoed");
        run.record("raw chart plaintext preview", bad.output);
        return `stopped on ${f.resource.split("::").pop()}`;
    });

    await run.step("a ConfigGroup of Argo CD manifests with anonymous access is stopped on its argocd-cm", async () => {
        const bad = await previewRaw(run, dir, "manifests", { install: "manifests" });
        assert.notStrictEqual(bad.code, 0, "pulumi preview of a ConfigGroup with anonymous access succeeded");
        const f = findingOn(bad.findings, "argocd-install-hardened", "kubernetes:core/v1:ConfigMap", "argocd/argocd-cm");
        assert.match(f.message, /anonymous access\) — in ConfigMap argocd\/argocd-cm, rendered by ConfigGroup "argocd-install"/);
        const rm = await run.cli(["stack", "rm", "--yes", "--force", "--cwd", dir, STACK]);
        assert.strictEqual(rm.code, 0, `pulumi stack rm failed:\n${rm.stderr}`);
    });
}

/**
 * The pack as `pulumi policy publish` ships it: `npm pack` of policies/ (its prepack compiles it), unpacked in an
 * empty folder and installed with only the dependencies its package.json declares, as Pulumi Cloud installs it.
 */
export function installPublishedPack(run: E2eRun): { dir: string; files: string[] } {
    const out = path.join(run.work, "pack");
    fs.mkdirSync(out, { recursive: true });
    const packed = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", out], { cwd: path.join(run.projectRoot, "policies"), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })) as { filename: string; files: { path: string }[] }[];
    const dir = path.join(run.work, "published-pack");
    fs.mkdirSync(dir);
    execFileSync("tar", ["-xzf", path.join(out, packed[0].filename), "-C", dir, "--strip-components=1"]);
    execFileSync("npm", ["install", "--omit=dev", "--no-audit", "--no-fund", "--prefer-offline", "--no-package-lock"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    return { dir, files: packed[0].files.map((f) => f.path) };
}

/** `<policy> <resource>: <problem>` without the pack's description line, for comparing two runs. */
export function findingKey(f: EngineFinding): string {
    return `${f.policy} ${f.resource}: ${f.message.trim().split("\n").pop()}`;
}
