/**
 * The drift report's Argo CD layer (tools/drift/argocd.ts) against a real API server with Argo CD's
 * CRDs. What Argo CD would have left is made by hand: objects applied client-side as Argo CD applies
 * them (manager `argocd-controller`, so the last-applied annotation exists), Applications whose status
 * says what is OutOfSync, then edits with kubectl. What a user relies on: each edited field with Git's
 * and the live value, who edited it, whether self-heal corrects it, orphans where the project monitors
 * them and not what Argo CD skips, a Secret's values nowhere, and an unreadable cluster as `error`.
 */
import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { argoCdDrift } from "../tools/drift/argocd";
import { diffAgainstApplied, fieldsOwnedByOthers } from "../tools/drift/live-fields";
import type { DriftItem, LayerResult } from "../tools/drift/model";
import { orphansAmong, TrackingSettings } from "../tools/drift/orphans";
import { freePort } from "../tools/engine/free-port";
import { ControlPlane, startControlPlane } from "../tools/local-cluster/control-plane";
import { Kubectl } from "../tools/local-cluster/kubectl";
import { isAlive } from "../tools/local-cluster/managed-process";
import { installCrds } from "./support/server-dry-run";
import { PROJECT_ROOT } from "./support/program";

const BIN_DIR = path.join(PROJECT_ROOT, ".tools", "bin");
const ARGOCD_CRDS = path.join(PROJECT_ROOT, ".tools", "crds", "argo-cd");
const ARGOCD = "argocd";
const IN_CLUSTER = "https://kubernetes.default.svc";
const EDGE_SERVER = "https://10.0.0.1:6443";

const canary = {
    applied: `applied-${process.pid}-${Date.now()}-Sx1`,
    edited: `edited-${process.pid}-${Date.now()}-Sx2`,
    edgeToken: `edge-token-${process.pid}-${Date.now()}-Tk3`,
};

type Obj = Record<string, unknown>;

function tracked(app: string, group: string, kind: string, namespace: string, name: string): Record<string, string> {
    return { "argocd.argoproj.io/tracking-id": `${app}:${group}/${kind}:${namespace}/${name}` };
}

function configMap(app: string | undefined, namespace: string, name: string, data: Record<string, string>): Obj {
    const annotations = app ? tracked(app, "", "ConfigMap", namespace, name) : undefined;
    return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace, ...(annotations ? { annotations } : {}) }, data };
}

function deployment(namespace: string, name: string): Obj {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, namespace, annotations: tracked("shop", "apps", "Deployment", namespace, name) },
        spec: {
            replicas: 1,
            selector: { matchLabels: { app: name } },
            template: {
                metadata: { labels: { app: name } },
                spec: { containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 80 }], resources: { requests: { cpu: "0.5", memory: "64Mi" } } }] },
            },
        },
    };
}

interface ResourceStatus {
    group?: string;
    version: string;
    kind: string;
    namespace: string;
    name: string;
    status: "Synced" | "OutOfSync";
    health?: { status: string };
}

function res(kind: string, namespace: string, name: string, status: ResourceStatus["status"], extra: Partial<ResourceStatus> = {}): ResourceStatus {
    const group = kind === "Deployment" ? "apps" : undefined;
    return { ...(group ? { group } : {}), version: "v1", kind, namespace, name, status, ...extra };
}

function application(name: string, project: string, destination: Obj, syncPolicy: Obj | undefined, sync: "Synced" | "OutOfSync", resources: ResourceStatus[]): Obj {
    return {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Application",
        metadata: { name, namespace: ARGOCD },
        spec: {
            project,
            source: { repoURL: "https://git.example/apps.git", path: name, targetRevision: "main" },
            destination,
            ...(syncPolicy ? { syncPolicy } : {}),
        },
        // No status subresource in the Application CRD: the status is applied with the object.
        status: { sync: { status: sync }, resources },
    };
}

describe("drift: the Argo CD layer", function () {
    this.timeout(300_000);
    let work: string;
    let cp: ControlPlane | undefined;
    let result: LayerResult;

    const kubectl = () => cp!.kubectl;
    /** What Argo CD does: client-side apply as `argocd-controller`, which leaves the last-applied annotation. */
    const applyAsArgoCd = (objects: Obj[]) =>
        kubectl().run(["apply", "--field-manager=argocd-controller", "-f", "-"], { input: JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }) });
    const item = (object: string) => {
        const found = result.items.find((i) => i.object === object);
        assert.ok(found, `${object} not in ${result.items.map((i) => i.object).join(", ")}`);
        return found;
    };
    const managers = (i: DriftItem) => (i.changedBy ?? []).map((c) => c.manager);

    before(async () => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "drift-argocd-"));
        cp = await startControlPlane({ binDir: BIN_DIR, dataDir: path.join(work, "cluster") });
        await installCrds(cp.kubectl, [ARGOCD_CRDS]);
        for (const ns of [ARGOCD, "shop", "blog"]) await kubectl().apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, `namespace ${ns}`);
        // The default ServiceAccount and kube-root-ca.crt come from the controller-manager: wait, so the test sees them skipped.
        await kubectl().waitFor(["get", "configmap", "kube-root-ca.crt", "-n", "shop"], 60_000, "kube-root-ca.crt in shop");
        await kubectl().waitFor(["get", "serviceaccount", "default", "-n", "shop"], 60_000, "the default ServiceAccount in shop");

        await kubectl().apply(
            [
                { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "argocd-cm", namespace: ARGOCD }, data: { "application.resourceTrackingMethod": "annotation" } },
                {
                    apiVersion: "v1",
                    kind: "Secret",
                    metadata: { name: "cluster-edge-1", namespace: ARGOCD, labels: { "argocd.argoproj.io/secret-type": "cluster" } },
                    stringData: { name: "edge-1", server: EDGE_SERVER, config: JSON.stringify({ bearerToken: canary.edgeToken }) },
                },
                {
                    apiVersion: "argoproj.io/v1alpha1",
                    kind: "AppProject",
                    metadata: { name: "shop", namespace: ARGOCD },
                    spec: {
                        sourceRepos: ["*"],
                        destinations: [{ server: "*", namespace: "*" }],
                        orphanedResources: { warn: true, ignore: [{ kind: "ConfigMap", name: "ignored-*" }] },
                    },
                },
                { apiVersion: "argoproj.io/v1alpha1", kind: "AppProject", metadata: { name: "default", namespace: ARGOCD }, spec: { sourceRepos: ["*"], destinations: [{ server: "*", namespace: "*" }] } },
            ],
            "Argo CD's settings, a cluster Secret and projects",
        );

        // What Argo CD applied from Git.
        await applyAsArgoCd([
            deployment("shop", "web"),
            configMap("shop", "shop", "shop-config", { color: "blue", size: "L" }),
            configMap("shop", "shop", "shop-flags", { beta: "false" }),
            configMap("shop", "shop", "shop-stable", { a: "1" }),
            { apiVersion: "v1", kind: "Secret", metadata: { name: "shop-secret", namespace: "shop", annotations: tracked("shop", "", "Secret", "shop", "shop-secret") }, stringData: { password: canary.applied, user: "shop" } },
            { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "shop", annotations: tracked("shop", "", "Service", "shop", "web") }, spec: { selector: { app: "web" }, ports: [{ port: 80 }] } },
            configMap("blog", "blog", "blog-config", { note: "one" }),
            configMap("blog-paused", "blog", "blog-paused-config", { note: "one" }),
        ]);

        // Edits out of band.
        await kubectl().run(["scale", "deployment/web", "-n", "shop", "--replicas=3"]);
        await kubectl().run(["patch", "configmap/shop-config", "-n", "shop", "--type=merge", "-p", JSON.stringify({ data: { color: "red" } })]);
        await kubectl().run(["patch", "secret/shop-secret", "-n", "shop", "--type=merge", "-p", JSON.stringify({ stringData: { password: canary.edited } })]);
        await kubectlEdit(cp.kubeconfigPath, ["configmap/blog-config", "-n", "blog"], "s/note: one/note: two/");
        await kubectl().run(["patch", "configmap/blog-paused-config", "-n", "blog", "--type=merge", "-p", JSON.stringify({ data: { note: "three" } })]);

        // Objects no Application owns, and those Argo CD skips or another Application tracks.
        await kubectl().run(["create", "configmap", "stray", "-n", "shop", "--from-literal=k=v"]);
        await kubectl().run(["create", "configmap", "ignored-extra", "-n", "shop", "--from-literal=k=v"]);
        await kubectl().run(["create", "configmap", "blog-stray", "-n", "blog", "--from-literal=k=v"]);
        await kubectl().apply(
            [
                configMap("blog", "shop", "owned-by-blog", { k: "v" }),
                configMap("gone", "shop", "owned-by-a-deleted-app", { k: "v" }),
                // A tracking id copied from another object does not make this one tracked.
                { ...configMap(undefined, "shop", "copied-id", { k: "v" }), metadata: { name: "copied-id", namespace: "shop", annotations: tracked("shop", "", "ConfigMap", "shop", "shop-config") } },
            ],
            "objects in shop",
        );

        await kubectl().apply(
            [
                application("shop", "shop", { server: IN_CLUSTER, namespace: "shop" }, undefined, "OutOfSync", [
                    res("Deployment", "shop", "web", "OutOfSync"),
                    res("ConfigMap", "shop", "shop-config", "OutOfSync"),
                    res("ConfigMap", "shop", "shop-flags", "OutOfSync"),
                    res("ConfigMap", "shop", "shop-stable", "Synced"),
                    res("Secret", "shop", "shop-secret", "OutOfSync"),
                    res("Service", "shop", "web", "Synced"),
                    res("Service", "shop", "web-canary", "OutOfSync", { health: { status: "Missing" } }),
                ]),
                application("blog", "default", { name: "in-cluster", namespace: "blog" }, { automated: { selfHeal: true, prune: true } }, "OutOfSync", [res("ConfigMap", "blog", "blog-config", "OutOfSync")]),
                application("blog-paused", "default", { server: IN_CLUSTER, namespace: "blog" }, { automated: { enabled: false, selfHeal: true } }, "OutOfSync", [
                    res("ConfigMap", "blog", "blog-paused-config", "OutOfSync"),
                ]),
                application("edge", "default", { server: EDGE_SERVER, namespace: "shop" }, undefined, "OutOfSync", [res("Deployment", "shop", "api", "OutOfSync")]),
                application("quiet", "default", { server: IN_CLUSTER, namespace: "blog" }, undefined, "Synced", [res("ConfigMap", "blog", "quiet", "Synced")]),
            ],
            "Applications with their status",
        );
        // The Deployment's ReplicaSet and the Service's Endpoints exist: they must be skipped as orphans.
        await kubectl().waitFor(["get", "replicasets", "-n", "shop", "-l", "app=web", "-o", "jsonpath={.items[0].metadata.name}"], 60_000, "web's ReplicaSet");
        await kubectl().waitFor(["get", "endpoints", "web", "-n", "shop"], 60_000, "web's Endpoints");

        result = await argoCdDrift({ projectRoot: PROJECT_ROOT, stack: "local", kubectl: cp.kubectl, argocdNamespace: ARGOCD });
    });

    after(async () => {
        const processes = cp?.processes ?? [];
        await Promise.all(processes.map((p) => p.stop()));
        assert.deepStrictEqual(processes.filter((p) => isAlive(p.pid)).map((p) => p.name), []);
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it("reads the layer as drift, from the Applications' status", () => {
        assert.strictEqual(result.status, "drift", result.error);
        assert.strictEqual(result.layer, "argocd");
        assert.ok(result.notes.includes("5 Applications, 4 OutOfSync"), result.notes.join("\n"));
        // Synced resources and Synced Applications are not drift.
        for (const object of ["ConfigMap shop/shop-stable", "Service shop/web", "ConfigMap blog/quiet"]) assert.ok(!result.items.some((i) => i.object === object), object);
    });

    it("a scaled Deployment: spec.replicas with Git's and the live value, by kubectl, no self-heal", () => {
        const web = item("Deployment shop/web");
        assert.strictEqual(web.kind, "changed");
        assert.strictEqual(web.application, "shop");
        assert.strictEqual(web.cluster, "in-cluster");
        // Defaulted fields (strategy, terminationMessagePath, ...) and `0.5` vs `500m` are not drift.
        assert.deepStrictEqual(web.fields, [{ path: "spec.replicas", expected: "1", actual: "3" }]);
        // `kubectl scale` edits through the scale subresource, which the API server records without a time.
        assert.deepStrictEqual(web.changedBy, [{ manager: "kubectl", operation: "Update /scale" }]);
        assert.strictEqual(web.selfHeals, false);
        assert.strictEqual(web.action, "sync the Application (argocd app sync shop) to restore Git's state, or commit the change to Git if it should stay");
    });

    it("a ConfigMap key changed with kubectl patch", () => {
        const cm = item("ConfigMap shop/shop-config");
        assert.deepStrictEqual(cm.fields, [{ path: "data.color", expected: '"blue"', actual: '"red"' }]);
        assert.deepStrictEqual(managers(cm), ["kubectl-patch"]);
        assert.match(cm.changedBy![0].time ?? "", /^\d{4}-\d\d-\d\dT/);
    });

    it("a Secret's changed key is named, its values never", () => {
        const secret = item("Secret shop/shop-secret");
        assert.deepStrictEqual(secret.fields, [{ path: "data.password", secret: true }]);
        const json = JSON.stringify(result);
        for (const value of Object.values(canary)) {
            assert.ok(!json.includes(value), "a secret value is in the result");
            assert.ok(!json.includes(Buffer.from(value).toString("base64")), "a secret value is in the result, base64");
        }
    });

    it("live equal to last applied but OutOfSync: Git moved ahead, a sync is pending", () => {
        const flags = item("ConfigMap shop/shop-flags");
        assert.strictEqual(flags.kind, "changed");
        assert.deepStrictEqual(flags.fields, []);
        assert.match(flags.action, /sync is pending.*argocd app sync shop/);
    });

    it("an object gone from the cluster is missing", () => {
        const gone = item("Service shop/web-canary");
        assert.strictEqual(gone.kind, "missing");
        assert.deepStrictEqual(gone.fields, []);
    });

    it("self-heal on: Argo CD reverts it; automated but disabled (3.x): no self-heal", () => {
        const blog = item("ConfigMap blog/blog-config");
        assert.deepStrictEqual(blog.fields, [{ path: "data.note", expected: '"one"', actual: '"two"' }]);
        assert.ok(managers(blog).includes("kubectl-edit"), JSON.stringify(blog.changedBy));
        assert.strictEqual(blog.selfHeals, true);
        assert.strictEqual(blog.action, "Argo CD's self-heal reverts it (no action)");
        const paused = item("ConfigMap blog/blog-paused-config");
        assert.strictEqual(paused.selfHeals, false);
        assert.match(paused.action, /argocd app sync blog-paused/);
    });

    it("another cluster: named by its cluster Secret, listed without fields, with a note", () => {
        const api = item("Deployment shop/api");
        assert.strictEqual(api.cluster, "edge-1");
        assert.strictEqual(api.kind, "changed");
        assert.deepStrictEqual(api.fields, []);
        assert.ok(result.notes.some((n) => /fields are read on the hub only.*edge-1/.test(n)), result.notes.join("\n"));
    });

    it("orphans where the project monitors them, and not what Argo CD skips", () => {
        // Not: ignored-* (the project's ignore list), kube-root-ca.crt, the default ServiceAccount, Endpoints
        // and Events, the ReplicaSet and Pods (owned), owned-by-blog (tracked by another Application),
        // and blog-stray (its project does not monitor orphans).
        const orphans = result.items.filter((i) => i.kind === "orphaned").map((i) => i.object).sort();
        assert.deepStrictEqual(orphans, ["ConfigMap shop/copied-id", "ConfigMap shop/owned-by-a-deleted-app", "ConfigMap shop/stray"]);
        const stray = item("ConfigMap shop/stray");
        assert.strictEqual(stray.application, "shop");
        assert.strictEqual(stray.cluster, "in-cluster");
        assert.strictEqual(stray.action, "delete it, or add it to Git under shop");
        assert.deepStrictEqual(managers(stray), ["kubectl-create"]);
    });

    it("an unreachable API server is an error naming what could not be read, not a throw", async () => {
        const port = await freePort();
        const kubeconfig = path.join(work, "unreachable.kubeconfig");
        fs.writeFileSync(kubeconfig, fs.readFileSync(cp!.kubeconfigPath, "utf8").split(cp!.server).join(`https://127.0.0.1:${port}`));
        const down = await argoCdDrift({ projectRoot: PROJECT_ROOT, stack: "local", kubectl: new Kubectl(path.join(BIN_DIR, "kubectl"), kubeconfig), argocdNamespace: ARGOCD });
        assert.strictEqual(down.status, "error");
        assert.match(down.error!, /could not read the Applications \(applications\.argoproj\.io\) in namespace argocd: .*(refused|connect)/);
        assert.deepStrictEqual(down.items, []);
        const none = await argoCdDrift({ projectRoot: PROJECT_ROOT, stack: "local", argocdNamespace: ARGOCD });
        assert.strictEqual(none.status, "error");
        assert.match(none.error!, /no kubectl/);
    });
});

describe("drift: live fields against the last applied", () => {
    it("compares only what was applied, by list element, and quantities by value", () => {
        const applied = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", labels: { a: "1" } }, spec: { containers: [{ name: "c", image: "x:1", resources: { limits: { cpu: "0.5" } } }], args: ["a"] } };
        const live = {
            ...applied,
            metadata: { name: "p", labels: { a: "2", added: "x" }, uid: "u" },
            spec: { containers: [{ name: "c", image: "x:2", imagePullPolicy: "Always", resources: { limits: { cpu: "500m" } } }], args: ["a", "b"] },
            status: { phase: "Running" },
        };
        assert.deepStrictEqual(diffAgainstApplied(applied, live), [
            { path: "metadata.labels.a", expected: '"1"', actual: '"2"' },
            { path: "spec.containers[0].image", expected: '"x:1"', actual: '"x:2"' },
            { path: "spec.args", expected: '["a"]', actual: '["a","b"]' },
        ]);
    });

    it("server-side apply: the fields another manager owns, with their live value", () => {
        const live = {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: {
                name: "d",
                managedFields: [
                    { manager: "argocd-controller", operation: "Apply", fieldsV1: { "f:spec": { "f:template": { "f:spec": { "f:containers": { 'k:{"name":"c"}': { ".": {}, "f:image": {} } } } } } } },
                    { manager: "kubectl-patch", operation: "Update", fieldsV1: { "f:spec": { "f:replicas": {}, "f:template": { "f:spec": { "f:containers": { 'k:{"name":"c"}': { "f:env": {} } } } } } } },
                    { manager: "kube-controller-manager", operation: "Update", subresource: "status", fieldsV1: { "f:status": { "f:replicas": {} } } },
                ],
            },
            spec: { replicas: 4, template: { spec: { containers: [{ name: "c", image: "x", env: [{ name: "A", value: "1" }] }] } } },
        };
        assert.deepStrictEqual(fieldsOwnedByOthers(live), [
            { path: "spec.replicas", actual: "4" },
            { path: "spec.template.spec.containers[name=c].env", actual: '[{"name":"A","value":"1"}]' },
        ]);
    });
});

describe("drift: orphans by tracking method", () => {
    const cm = (name: string, labels: Record<string, string> = {}, group = "v1", kind = "ConfigMap"): Record<string, unknown> => ({ apiVersion: group, kind, metadata: { name, namespace: "ns", labels } });
    const rules = (settings: Partial<TrackingSettings>) => ({
        settings: { method: "annotation" as const, instanceLabelKey: "app.kubernetes.io/instance", exclusions: [], ...settings },
        applications: new Set(["shop"]),
        managed: new Set<string>(),
        ignore: [{ group: "", kind: "ConfigMap", name: "tmp-?" }],
        cluster: { name: "in-cluster", server: "https://kubernetes.default.svc" },
    });

    it("label tracking: the instance label of an existing Application; ignore globs; resource.exclusions", () => {
        const objects = [
            cm("by-label", { "app.kubernetes.io/instance": "shop" }),
            cm("by-deleted-app", { "app.kubernetes.io/instance": "gone" }),
            cm("tmp-1"),
            cm("tmp-12"),
            cm("w", {}, "example.com/v1", "Widget"),
        ];
        const names = (o: Record<string, unknown>[]) => o.map((x) => (x.metadata as { name: string }).name);
        assert.deepStrictEqual(names(orphansAmong(objects, rules({ method: "label", exclusions: [{ apiGroups: ["example.*"], kinds: ["Widget"] }] }))), ["by-deleted-app", "tmp-12"]);
        // Annotation tracking ignores the label.
        assert.deepStrictEqual(names(orphansAmong(objects, rules({}))), ["by-label", "by-deleted-app", "tmp-12", "w"]);
    });
});

/** `kubectl edit` with a sed script as the editor: the edit a person makes, recorded as `kubectl-edit`. */
function kubectlEdit(kubeconfig: string, args: string[], sedScript: string): Promise<void> {
    return new Promise((resolve, reject) => {
        const editor = path.join(path.dirname(kubeconfig), "editor.sh");
        fs.writeFileSync(editor, `#!/bin/sh\nsed -i '${sedScript}' "$1"\n`, { mode: 0o755 });
        execFile(path.join(BIN_DIR, "kubectl"), [`--kubeconfig=${kubeconfig}`, "edit", ...args], { env: { ...process.env, KUBE_EDITOR: editor } }, (err, _stdout, stderr) =>
            err ? reject(new Error(`kubectl edit ${args.join(" ")}: ${stderr}`)) : resolve(),
        );
    });
}
