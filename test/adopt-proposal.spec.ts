/**
 * The adoption proposal from a given inventory (tools/adopt/proposal.ts), Helm's release records
 * (helm-release.ts), what counts as applied by hand (inventory.ts), ownership before the release
 * records go (takeover.ts), the stack file edit (stack-edit.ts) and the Application the program
 * makes of an adopted entry. The real cluster and real Helm are test/adopt-cluster.spec.ts's.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { decodeRelease, encodeRelease, releasesOf, ReleaseRecordError } from "../tools/adopt/helm-release";
import { handManager, type Inventory, type LiveObject } from "../tools/adopt/inventory";
import { manifestOf, propose } from "../tools/adopt/proposal";
import { notOwnedBecause } from "../tools/adopt/takeover";
import { editStackFile } from "../tools/adopt/stack-edit";
import { readStackConfig } from "../tools/plan/stack-file";
import { parsePlatform } from "../stacks/load";
import type { PlatformConfig } from "../stacks/schema";
import { configError, ofType, PROJECT_ROOT, problemPaths, runProgram } from "./support/program";

const localPlatform = (): PlatformConfig => parsePlatform(readStackConfig(PROJECT_ROOT, "local").config["gitops-platform:platform"]).platform!;

function record(name: string, namespace: string, release: Record<string, unknown>, labels: Record<string, string> = {}) {
    return {
        metadata: { name: `sh.helm.release.v1.${name}.v${labels.version ?? 1}`, namespace, labels: { owner: "helm", name, status: "deployed", version: "1", ...labels } },
        type: "helm.sh/release.v1",
        data: { release: encodeRelease(release) },
    };
}

function helmRelease(name: string, namespace: string, chart: { name: string; version: string }, manifest: string, extra: Record<string, unknown> = {}) {
    return { name, namespace, version: 1, info: { status: "deployed" }, chart: { metadata: chart }, config: {}, manifest, ...extra };
}

const deploymentManifest = (name: string) => `---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n`;

function inventory(over: Partial<Inventory> = {}): Inventory {
    return { namespaces: ["legacy"], releases: [], handApplied: [], foreignApplications: [], ...over };
}

describe("npm run adopt: the proposal", function () {
    this.timeout(60_000);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-adopt-unit-"));
    const repo = path.join(work, "repo");
    let firstCommit = "";

    before(() => {
        fs.mkdirSync(path.join(repo, "charts", "hello-service"), { recursive: true });
        const git = (args: string[]) => execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false", ...args], { encoding: "utf8" });
        git(["init", "--quiet", "--initial-branch", "main"]);
        for (const version of ["0.1.0", "0.1.1"]) {
            fs.writeFileSync(path.join(repo, "charts", "hello-service", "Chart.yaml"), `apiVersion: v2\nname: hello-service\nversion: ${version}\n`);
            git(["add", "--all"]);
            git(["commit", "--quiet", "-m", version]);
            if (!firstCommit) firstCommit = git(["rev-parse", "HEAD"]).trim();
        }
    });
    after(() => fs.rmSync(work, { recursive: true, force: true }));
    const checkout = () => ({ dir: repo, repository: "gitops-platform" });

    describe("Helm's release records", () => {
        it("reads the latest deployed revision of each release: chart, user values, the manifest's objects, every record Secret", () => {
            const releases = releasesOf([
                record("web", "legacy", helmRelease("web", "legacy", { name: "hello-service", version: "0.1.0" }, deploymentManifest("web"), { version: 1, info: { status: "superseded" } }), { status: "superseded", version: "1" }),
                record("web", "legacy", helmRelease("web", "legacy", { name: "hello-service", version: "0.1.1" }, deploymentManifest("web"), { version: 2, config: { replicaCount: 2 } }), { version: "2" }),
            ]);
            assert.strictEqual(releases.length, 1);
            assert.deepStrictEqual({ ...releases[0], objects: releases[0].objects.map((o) => `${o.kind} ${o.namespace}/${o.name}`) }, {
                name: "web",
                namespace: "legacy",
                revision: 2,
                status: "deployed",
                chart: { name: "hello-service", version: "0.1.1" },
                values: { replicaCount: 2 },
                objects: ["Deployment legacy/web", "Service legacy/web"],
                recordSecrets: ["sh.helm.release.v1.web.v2", "sh.helm.release.v1.web.v1"],
            });
        });

        it("a record that is not a Helm release names its Secret and field", () => {
            const bad = { metadata: { name: "sh.helm.release.v1.web.v1", namespace: "legacy", labels: { owner: "helm", name: "web" } }, data: { release: Buffer.from("not gzip, not json").toString("base64") } };
            assert.throws(() => decodeRelease(bad), (e: Error) => e instanceof ReleaseRecordError && /^Secret legacy\/sh\.helm\.release\.v1\.web\.v1: data\.release: not a readable Helm release/.test(e.message));
            const truncated = record("web", "legacy", helmRelease("web", "legacy", { name: "hello-service", version: "0.1.1" }, "---\nkind: Deployment\nmetadata: {name: web}\n"));
            assert.throws(() => releasesOf([truncated]), /Secret legacy\/sh\.helm\.release\.v1\.web\.v1: manifest: an object without apiVersion, kind or metadata\.name/);
        });
    });

    describe("what was applied by hand", () => {
        const object = (metadata: Partial<LiveObject["metadata"]>): LiveObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "legacy", ...metadata } });
        it("kubectl's or another tool's manager, never Argo CD's, Helm's, Pulumi's or a controller's objects", () => {
            assert.strictEqual(handManager(object({ managedFields: [{ manager: "kubectl-client-side-apply", operation: "Update" }] })), "kubectl-client-side-apply");
            assert.strictEqual(handManager(object({ managedFields: [{ manager: "kubectl-create" }, { manager: "kube-controller-manager" }] })), "kubectl-create");
            assert.strictEqual(handManager(object({ managedFields: [{ manager: "kubectl" }], annotations: { "argocd.argoproj.io/tracking-id": "app:/ConfigMap:legacy/x" } })), undefined);
            assert.strictEqual(handManager(object({ managedFields: [{ manager: "kubectl" }], annotations: { "meta.helm.sh/release-name": "web" } })), undefined);
            assert.strictEqual(handManager(object({ managedFields: [{ manager: "kubectl" }], ownerReferences: [{}] })), undefined);
            assert.strictEqual(handManager(object({ managedFields: [{ manager: "pulumi-kubernetes-1234" }] })), undefined);
            assert.strictEqual(handManager(object({ managedFields: [{ manager: "kube-controller-manager" }] })), undefined);
        });

        it("the manifest keeps what its author applied, not what the server added", () => {
            const live = {
                apiVersion: "v1",
                kind: "Service",
                metadata: { name: "s", namespace: "legacy", uid: "u", resourceVersion: "1", creationTimestamp: "t", managedFields: [], annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}", team: "a" } },
                spec: { clusterIP: "10.0.0.1", clusterIPs: ["10.0.0.1"], ports: [{ port: 80 }] },
                status: { loadBalancer: {} },
            };
            assert.deepStrictEqual(manifestOf(live), { apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "legacy", annotations: { team: "a" } }, spec: { ports: [{ port: 80 }] } });
        });
    });

    describe("proposals and their refusals", () => {
        it("a chart version older than the checkout's head is pinned to the last commit that has it, with a note", async () => {
            const releases = releasesOf([record("web", "legacy", helmRelease("web", "legacy", { name: "hello-service", version: "0.1.0" }, deploymentManifest("web")))]);
            const p = await propose(inventory({ releases }), localPlatform(), { stack: "local", checkout: checkout() });
            assert.deepStrictEqual(p.problems, []);
            assert.deepStrictEqual(p.applications[0].source, { repository: "gitops-platform", path: "charts/hello-service", revision: firstCommit });
            assert.match(p.takeovers[0].notes[0], new RegExp(`${firstCommit.slice(0, 12)} is the last commit with 0\\.1\\.0`));
        });

        it("a chart version the checkout never had, and a chart no allowed repository has, are refused", async () => {
            const releases = releasesOf([
                record("web", "legacy", helmRelease("web", "legacy", { name: "hello-service", version: "9.9.9" }, deploymentManifest("web"))),
                record("db", "legacy", helmRelease("db", "legacy", { name: "postgresql", version: "15.0.0" }, deploymentManifest("db"))),
            ]);
            const p = await propose(inventory({ releases }), localPlatform(), { stack: "local", checkout: checkout() });
            assert.deepStrictEqual(p.applications, []);
            assert.deepStrictEqual(p.problems, [
                "Helm release legacy/db (postgresql 15.0.0, revision 1): chart postgresql 15.0.0 is in no repository the stack allows: not a chart folder of gitops-platform's checkout, and no add-on or application takes it from gitops-platform (git), jetstack (helm), envoyproxy (oci); declare its repository in gitops.repositories first",
                "Helm release legacy/web (hello-service 9.9.9, revision 1): chart hello-service 9.9.9: charts/hello-service of repository gitops-platform never had version 9.9.9 (git log of charts/hello-service/Chart.yaml)",
            ]);
        });

        it("a chart an add-on takes from a Helm repository is adopted from that repository at the running version", async () => {
            const releases = releasesOf([record("cm", "certs", helmRelease("cm", "certs", { name: "cert-manager", version: "v1.20.0" }, deploymentManifest("cm")))]);
            const p = await propose(inventory({ releases }), localPlatform(), { stack: "local", checkout: checkout() });
            assert.deepStrictEqual(p.applications[0].source, { repository: "jetstack", chart: "cert-manager", version: "v1.20.0" });
            assert.deepStrictEqual(p.projects.map((x) => [x.name, x.sourceRepos, x.destinations]), [["adopted-certs", ["jetstack"], [{ namespace: "certs" }]]]);
        });

        it("an object two releases claim is refused, naming both", async () => {
            const shared = "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n";
            const releases = releasesOf([
                record("a", "legacy", helmRelease("a", "legacy", { name: "hello-service", version: "0.1.1" }, shared)),
                record("b", "legacy", helmRelease("b", "legacy", { name: "hello-service", version: "0.1.1" }, shared)),
            ]);
            const p = await propose(inventory({ releases }), localPlatform(), { stack: "local", checkout: checkout() });
            assert.deepStrictEqual(p.problems, ["ConfigMap legacy/shared is claimed by 2 Helm releases (legacy/a, legacy/b): Argo CD could only give it to one; resolve it with Helm first"]);
        });

        it("a release that is not deployed, and two things of one name, are refused", async () => {
            const releases = releasesOf([
                record("web", "a", helmRelease("web", "a", { name: "hello-service", version: "0.1.1" }, deploymentManifest("web"))),
                record("web", "b", helmRelease("web", "b", { name: "hello-service", version: "0.1.1" }, deploymentManifest("web"))),
                record("half", "a", helmRelease("half", "a", { name: "hello-service", version: "0.1.1" }, deploymentManifest("half"), { info: { status: "failed" } }), { status: "failed" }),
            ]);
            const p = await propose(inventory({ releases }), localPlatform(), { stack: "local", checkout: checkout() });
            assert.deepStrictEqual(p.problems, [
                "Helm release a/half (hello-service 0.1.1, revision 1): status failed; only a deployed release is adopted (helm rollback or upgrade it first)",
                "Helm release b/web (hello-service 0.1.1, revision 1): a second thing to adopt named web (release names must be unique across the namespaces adopted); adopt one namespace at a time with --namespace",
            ]);
        });

        it("an Application made outside the program becomes an entry of the repository it reads; one from elsewhere is refused", async () => {
            const app = (name: string, repoURL: string) => ({
                apiVersion: "argoproj.io/v1alpha1",
                kind: "Application",
                metadata: { name, namespace: "argocd" },
                spec: { project: "default", source: { repoURL, path: "charts/hello-service", targetRevision: "main", helm: { valueFiles: ["values-dev.yaml"], valuesObject: { replicaCount: 2 } } }, destination: { name: "in-cluster", namespace: "hello" } },
            });
            const p = await propose(inventory({ foreignApplications: [app("by-hand", "https://github.com/acme-platform/gitops-platform"), app("elsewhere", "https://example.com/other.git")] }), localPlatform(), { stack: "local", checkout: checkout() });
            assert.deepStrictEqual(p.applications, [
                { name: "by-hand", project: "team-hello", source: { repository: "gitops-platform", path: "charts/hello-service", revision: "main", trackBranch: true, valueFiles: ["values-dev.yaml"] }, destination: { namespace: "hello" }, values: { replicaCount: 2 } },
            ]);
            assert.deepStrictEqual(p.problems, ["Application argocd/elsewhere (made outside this program): its source https://example.com/other.git is no repository of gitops.repositories"]);
        });

        it("an Argo CD no Pulumi program installed is said, with pulumi import", async () => {
            const objects = [{ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "argocd-server", namespace: "argocd", managedFields: [{ manager: "kubectl-client-side-apply" }] } }];
            const p = await propose(inventory({ argocdByHand: { namespace: "argocd", objects } }), localPlatform(), { stack: "local", checkout: checkout() });
            assert.match(p.notes[0], /^Argo CD runs in argocd and no Pulumi program installed it \(Deployment argocd\/argocd-server\): bring it under Pulumi with `pulumi import`/);
        });
    });

    describe("the stack file edit", () => {
        const releases = () => releasesOf([record("web", "legacy", helmRelease("web", "legacy", { name: "hello-service", version: "0.1.1" }, deploymentManifest("web"), { config: { replicaCount: 2, db: { password: "hunter2-not-a-real-one" } } }))]);

        it("appends the entries, keeps the comments, and leaves secret values out", async () => {
            const p = await propose(inventory({ releases: releases() }), localPlatform(), { stack: "local", checkout: checkout() });
            assert.deepStrictEqual(p.applications[0].values, { replicaCount: 2 });
            assert.deepStrictEqual(p.secretReferences.map((s) => s.keys), [["db.password"]]);
            const text = fs.readFileSync(path.join(PROJECT_ROOT, "stacks", "Pulumi.local.yaml"), "utf8");
            const edited = editStackFile(text, "stacks/Pulumi.local.yaml", p);
            assert.deepStrictEqual(edited.problems, []);
            assert.ok(edited.text!.startsWith(text.split("\n")[0]), "the first comment is gone");
            assert.match(edited.text!, /# Adopted by npm run adopt \(web\): see the takeover plan\./);
            assert.ok(!edited.text!.includes("hunter2"));
            const platform = parsePlatform(JSON.stringify((YAML.parse(edited.text!) as { config: Record<string, unknown> }).config["gitops-platform:platform"])).platform!;
            assert.deepStrictEqual(platform.gitops.applications.map((a) => a.name), ["hello-service", "web"]);
            assert.deepStrictEqual(platform.gitops.applications[1].adoption, { fieldManager: "helm" });
        });

        it("an entry the program would refuse is a problem with its key path, and no text", async () => {
            const p = await propose(inventory({ releases: releases() }), localPlatform(), { stack: "local", checkout: checkout() });
            p.applications[0].project = "no-such-project";
            const edited = editStackFile(fs.readFileSync(path.join(PROJECT_ROOT, "stacks", "Pulumi.local.yaml"), "utf8"), "stacks/Pulumi.local.yaml", p);
            assert.strictEqual(edited.text, undefined);
            assert.ok(edited.problems.some((x) => /^stacks\/Pulumi\.local\.yaml: after adoption, platform\.gitops\.applications\[1\]\.project: unknown project "no-such-project"/.test(x)), edited.problems.join("\n"));
            assert.deepStrictEqual(editStackFile("config: [", "f.yaml", p).problems.map((x) => x.split(":")[0]), ["f.yaml"]);
        });
    });

    describe("ownership before the release records go", () => {
        const owned = (annotations: Record<string, string>, managers: string[]): LiveObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", annotations, managedFields: managers.map((manager) => ({ manager })) } });
        it("only an object tracked by the adopting Application, with Argo CD's fields and none of the adopted manager's, is owned", () => {
            const tracking = { "argocd.argoproj.io/tracking-id": "web:/ConfigMap:legacy/x" };
            assert.strictEqual(notOwnedBecause(owned(tracking, ["argocd-controller"]), "web", "helm"), undefined);
            assert.strictEqual(notOwnedBecause(owned(tracking, ["argocd-controller", "helm"]), "web", "helm"), "helm still manages fields (not migrated)");
            assert.strictEqual(notOwnedBecause(owned(tracking, ["argocd-controller", "helm"]), "web", "kubectl-client-side-apply"), undefined);
            assert.strictEqual(notOwnedBecause(owned(tracking, ["helm"]), "web", "helm"), "no fields managed by argocd-controller");
            assert.strictEqual(notOwnedBecause(owned({}, ["helm"]), "web", "helm"), "not tracked by Argo CD yet (not synced)");
            assert.strictEqual(notOwnedBecause(owned({ "argocd.argoproj.io/tracking-id": "other:/ConfigMap:legacy/x" }, ["argocd-controller"]), "web", "helm"), "tracked by other, not web");
            assert.strictEqual(notOwnedBecause(undefined, "web", "helm"), "gone from the cluster");
        });
    });

    describe("the program", () => {
        it("an adopted entry's Application names the field manager Argo CD migrates from; adoption with clusterSelector is refused", async () => {
            const hello = localPlatform().gitops.applications[0];
            const run = await runProgram({ stack: "local", platform: { gitops: { applications: [{ ...hello, adoption: { fieldManager: "helm" } }] } } });
            const app = ofType(run, "kubernetes:argoproj.io/v1alpha1:Application").find((a) => (a.inputs.metadata as { name: string }).name === "hello-service")!;
            assert.strictEqual((app.inputs.metadata as { annotations: Record<string, string> }).annotations["argocd.argoproj.io/client-side-apply-migration-manager"], "helm");
            const err = await configError({ stack: "local", platform: { gitops: { applications: [{ ...hello, adoption: { fieldManager: "helm" }, clusterSelector: { group: "x" } }] } } });
            assert.ok(problemPaths(err).includes("platform.gitops.applications[0].adoption"), problemPaths(err).join(", "));
        });
    });
});
