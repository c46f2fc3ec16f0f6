/**
 * The adoption proposal: from what runs (inventory.ts) and the stack's config, the stack config
 * entries that bring it under GitOps (a team application per Helm release, per namespace of objects
 * applied by hand, per Application made outside the program; the projects they need), the chart
 * folder for the objects applied by hand, the values that hold secrets (named by key path, never
 * copied), and the takeover steps. Pure: reads nothing, writes nothing.
 */
import * as YAML from "yaml";
import { findSecretLiterals } from "gitops-platform-policies/shared";
import { ApplicationSchema, isHydrated, type PlatformConfig } from "../../stacks/schema";
import { type ChartCheckout, chartSource, type ProposedSource, trackedBranch } from "./chart-source";
import { describeObject, type HelmRelease, objectKey } from "./helm-release";
import { describeLive, type Inventory, type LiveApplication, type LiveObject } from "./inventory";

/** Helm 3's field manager: what Argo CD's server-side apply takes the fields of a release from. */
export const HELM_FIELD_MANAGER = "helm";

export interface ProposedApplication {
    name: string;
    project: string;
    source: ProposedSource & { valueFiles?: string[] };
    destination: { namespace: string };
    values?: Record<string, unknown>;
    /** Whose fields Argo CD takes over; none for an Application already applied by Argo CD. */
    adoption?: { fieldManager: string };
}

export interface ProposedProject {
    name: string;
    team: string;
    description: string;
    sourceRepos: string[];
    destinations: { namespace: string }[];
    clusterResourceWhitelist: { group: string; kind: string }[];
}

/** A value or Secret that stays out of Git: where it is and what to do with it, never what it is. */
export interface SecretReference {
    /** `release legacy/legacy-hello values.db.password`, `Secret legacy/api-keys`. */
    where: string;
    keys: string[];
    todo: string;
}

/** What one adopted thing is, and how it is taken over. */
export interface Takeover {
    application: string;
    /** What runs now: `Helm release legacy/legacy-hello (hello-service 0.1.1, revision 1)`. */
    from: string;
    objects: string[];
    /** Whose fields Argo CD takes over. */
    fieldManager: string;
    /** Helm release records deleted once Argo CD owns every object (Secrets in `namespace`). */
    releaseRecords?: { namespace: string; release: string; secrets: string[] };
    notes: string[];
}

export interface Proposal {
    stack: string;
    projects: ProposedProject[];
    applications: ProposedApplication[];
    /** Chart folders to add to the repository (path relative to it: file text). */
    files: Record<string, string>;
    secretReferences: SecretReference[];
    takeovers: Takeover[];
    /** Found, not adopted here: said in the plan. */
    notes: string[];
    /** Each stops the write: nothing is written while one remains. */
    problems: string[];
}

export interface ProposalOptions {
    stack: string;
    /** The checkout of this repository (its `charts/`), if the stack reads one. */
    checkout?: ChartCheckout;
    /** Owning team of new projects. Default: the objects' `gitops.platform/owner` label, else `audit.owner`. */
    team?: string;
}

/** Metadata a live object carries that no manifest should. */
const SERVER_FIELDS = ["uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink", "deletionTimestamp"];
const SERVER_ANNOTATIONS = ["kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision"];

/** The object as a manifest: what its author applied, not what the server added. */
export function manifestOf(object: LiveObject): Record<string, unknown> {
    const { status: _status, ...rest } = object as Record<string, unknown>;
    const metadata = { ...(object.metadata as Record<string, unknown>) };
    for (const f of SERVER_FIELDS) delete metadata[f];
    const annotations = { ...(object.metadata.annotations ?? {}) };
    for (const a of SERVER_ANNOTATIONS) delete annotations[a];
    if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
    else delete metadata.annotations;
    const out: Record<string, unknown> = { ...rest, metadata };
    if (object.kind === "Service" && out.spec && typeof out.spec === "object") {
        // Allocated by the server; immutable, so never restated.
        const { clusterIP: _ip, clusterIPs: _ips, ...spec } = out.spec as Record<string, unknown>;
        out.spec = spec;
    }
    return out;
}

/** YAML as a Helm template shows it verbatim: template delimiters in the text are escaped. */
function verbatimTemplate(object: Record<string, unknown>): string {
    return YAML.stringify(object).replace(/\{\{|\}\}/g, (d) => `{{ "${d}" }}`);
}

/** Values with the secret-looking ones taken out; the paths taken. */
async function withoutSecrets(values: Record<string, unknown>): Promise<{ values: Record<string, unknown>; taken: string[] }> {
    const findings = await findSecretLiterals(values);
    const copy = structuredClone(values);
    const taken: string[] = [];
    for (const f of findings) {
        const at = f.inKey ? f.at.slice(0, -1) : f.inYamlString ?? f.at;
        if (at.length === 0) continue;
        removeAt(copy, at);
        taken.push(f.path);
    }
    return { values: copy, taken: [...new Set(taken)] };
}

/** Deletes the value at `at`, and each parent it leaves empty (an empty map renders as an absent one). */
function removeAt(root: Record<string, unknown>, at: (string | number)[]): void {
    const chain: Record<string | number, unknown>[] = [root];
    for (const k of at.slice(0, -1)) {
        const next = chain[chain.length - 1][k];
        if (!next || typeof next !== "object") return;
        chain.push(next as Record<string | number, unknown>);
    }
    for (let i = at.length - 1; i >= 0; i--) {
        delete chain[i][at[i]];
        if (Object.keys(chain[i]).length > 0) return;
    }
}

/** A revision that names a branch: neither a commit nor a version tag. */
function isBranch(revision: string | undefined): boolean {
    return revision !== undefined && !/^[0-9a-f]{40}$/.test(revision) && !/^v?\d+\.\d+/.test(revision);
}

function normalizedUrl(url: string): string {
    return url.replace(/\/+$/, "").replace(/\.git$/, "");
}

export async function propose(inventory: Inventory, platform: PlatformConfig, options: ProposalOptions): Promise<Proposal> {
    const proposal: Proposal = { stack: options.stack, projects: [], applications: [], files: {}, secretReferences: [], takeovers: [], notes: [], problems: [] };
    const declared = new Map(platform.gitops.applications.map((a, i) => [a.name, i]));
    const names = new Set<string>();
    const claimName = (name: string, what: string): boolean => {
        if (declared.has(name)) {
            proposal.problems.push(`${what}: gitops.applications[${declared.get(name)}] is already named ${name}; an Application's name is its Helm release name, so adopt it under that entry by hand or rename one`);
            return false;
        }
        if (names.has(name)) {
            proposal.problems.push(`${what}: a second thing to adopt named ${name} (release names must be unique across the namespaces adopted); adopt one namespace at a time with --namespace`);
            return false;
        }
        names.add(name);
        return true;
    };

    // Which project takes a destination from a repository: a declared one that allows both, else a new one per namespace.
    const projectFor = (namespace: string, repository: string, team: string | undefined): string => {
        const existing = platform.gitops.projects.find((p) => p.sourceRepos.includes(repository) && p.destinations.some((d) => d.namespace === namespace && (d.cluster === "in-cluster" || d.cluster === undefined)));
        if (existing) return existing.name;
        const name = `adopted-${namespace}`.slice(0, 63);
        let project = proposal.projects.find((p) => p.name === name);
        if (!project) {
            project = {
                name,
                team: options.team ?? team ?? platform.audit.owner,
                description: `What npm run adopt took over in namespace ${namespace}`,
                sourceRepos: [],
                destinations: [{ namespace }],
                clusterResourceWhitelist: [{ group: "", kind: "Namespace" }],
            };
            proposal.projects.push(project);
        }
        if (!project.sourceRepos.includes(repository)) project.sourceRepos.push(repository);
        return name;
    };

    // An object two releases claim cannot be adopted by either.
    const claims = new Map<string, string[]>();
    for (const r of inventory.releases) for (const o of r.objects) claims.set(objectKey(o), [...(claims.get(objectKey(o)) ?? []), `${r.namespace}/${r.name}`]);
    const contested = new Map([...claims].filter(([, by]) => by.length > 1));
    for (const r of inventory.releases) {
        for (const o of r.objects) {
            const by = contested.get(objectKey(o));
            if (by && by[0] === `${r.namespace}/${r.name}`) proposal.problems.push(`${describeObject(o)} is claimed by ${by.length} Helm releases (${by.join(", ")}): Argo CD could only give it to one; resolve it with Helm first`);
        }
    }

    for (const release of inventory.releases) await proposeRelease(release);
    proposeHandApplied();
    for (const app of inventory.foreignApplications) await proposeApplication(app);
    const hydrated = proposal.applications.filter((a) => isHydrated(platform, ApplicationSchema.parse(a))).map((a) => a.name);
    if (hydrated.length > 0) {
        proposal.notes.push(
            `${hydrated.join(", ")} ${hydrated.length === 1 ? "is" : "are"} hydrated: Argo CD 3.6.1's source hydrator writes the manifests of a dry commit once, for the Applications it knows then, so an Application created after its commit was hydrated for the branch's other Applications says \`app path does not exist\` until the next commit to the branch; if one does after \`pulumi up\`, push one (this plan, marked done)`,
        );
    }
    if (inventory.argocdByHand) {
        const { namespace, objects } = inventory.argocdByHand;
        proposal.notes.push(
            `Argo CD runs in ${namespace} and no Pulumi program installed it (${objects.map(describeLive).join(", ")}): bring it under Pulumi with \`pulumi import\` before the first \`pulumi up\` of this stack (imported resources are protected); npm run adopt does not write that import.`,
        );
    }
    return proposal;

    async function proposeRelease(release: HelmRelease): Promise<void> {
        const what = `Helm release ${release.namespace}/${release.name} (${release.chart.name} ${release.chart.version}, revision ${release.revision})`;
        if (release.status !== "deployed") {
            proposal.problems.push(`${what}: status ${release.status}; only a deployed release is adopted (helm rollback or upgrade it first)`);
            return;
        }
        const found = chartSource(platform, options.checkout, release.chart.name, release.chart.version);
        if ("problem" in found) {
            proposal.problems.push(`${what}: ${found.problem}`);
            return;
        }
        if (!claimName(release.name, what)) return;
        const { values, taken } = await withoutSecrets(release.values);
        const notes = found.note ? [found.note] : [];
        if (taken.length > 0) {
            proposal.secretReferences.push({ where: `${what} values`, keys: taken, todo: "put each in an ExternalSecret (or an existing Secret) and have the chart read it by reference; it is not copied into the stack file" });
            notes.push(`values ${taken.join(", ")} hold secrets and are left out: until the chart reads them from a Secret, the first sync renders without them`);
        }
        const project = projectFor(release.namespace, found.source.repository, undefined);
        proposal.applications.push({
            name: release.name,
            project,
            source: found.source,
            destination: { namespace: release.namespace },
            ...(Object.keys(values).length > 0 ? { values } : {}),
            adoption: { fieldManager: HELM_FIELD_MANAGER },
        });
        proposal.takeovers.push({
            application: release.name,
            from: what,
            objects: release.objects.map(describeObject),
            fieldManager: HELM_FIELD_MANAGER,
            releaseRecords: { namespace: release.namespace, release: release.name, secrets: release.recordSecrets },
            notes,
        });
    }

    function proposeHandApplied(): void {
        const byNamespace = new Map<string, Inventory["handApplied"]>();
        for (const h of inventory.handApplied) {
            const ns = h.object.metadata.namespace ?? "";
            byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), h]);
        }
        for (const [namespace, found] of byNamespace) {
            const secrets = found.filter((h) => h.object.kind === "Secret");
            for (const s of secrets) {
                proposal.secretReferences.push({
                    where: `Secret ${namespace}/${s.object.metadata.name} (applied by ${s.manager})`,
                    keys: Object.keys({ ...((s.object.data as Record<string, string>) ?? {}), ...((s.object.stringData as Record<string, string>) ?? {}) }).sort(),
                    todo: "left as it is (an existing Secret the charts may reference), or moved into an ExternalSecret by key; never copied into Git",
                });
            }
            const objects = found.filter((h) => h.object.kind !== "Secret");
            if (objects.length === 0) continue;
            const name = `adopted-${namespace}`.slice(0, 63);
            const what = `${objects.length} object${objects.length === 1 ? "" : "s"} applied by hand in ${namespace}`;
            if (!options.checkout) {
                proposal.problems.push(`${what}: no Git repository of the stack to put their chart in (gitops.repositories has no git repository the stack's applications use)`);
                continue;
            }
            if (!claimName(name, what)) continue;
            const managers = [...new Set(objects.map((h) => h.manager))];
            const folder = `charts/${name}`;
            proposal.files[`${folder}/Chart.yaml`] = YAML.stringify({
                apiVersion: "v2",
                name,
                description: `Objects applied by hand in namespace ${namespace}, taken over by npm run adopt (verbatim, no values)`,
                type: "application",
                version: "0.1.0",
            });
            for (const h of objects) {
                proposal.files[`${folder}/templates/${h.object.kind.toLowerCase()}-${h.object.metadata.name}.yaml`] = verbatimTemplate(manifestOf(h.object));
            }
            const branch = trackedBranch(platform, options.checkout.repository);
            const source: ProposedSource = branch ? { repository: options.checkout.repository, path: folder, revision: branch, trackBranch: true } : { repository: options.checkout.repository, path: folder };
            const owner = objects.map((h) => h.object.metadata.labels?.["gitops.platform/owner"]).find((o) => o);
            proposal.applications.push({ name, project: projectFor(namespace, options.checkout.repository, owner), source, destination: { namespace }, adoption: { fieldManager: managers[0] } });
            const notes = branch ? [] : [`${folder} is a new folder: set source.revision to the commit (or tag) that adds it`];
            if (managers.length > 1) notes.push(`applied by ${managers.join(", ")}: Argo CD takes the fields of ${managers[0]}; the others keep theirs until they are removed from managedFields`);
            proposal.takeovers.push({ application: name, from: what, objects: objects.map((h) => describeLive(h.object)), fieldManager: managers[0], notes });
        }
    }

    async function proposeApplication(app: LiveApplication): Promise<void> {
        const what = `Application ${app.metadata.namespace}/${app.metadata.name} (made outside this program)`;
        const src = app.spec?.source;
        const repo = src?.repoURL ? platform.gitops.repositories.find((r) => r.url !== undefined && normalizedUrl(r.url) === normalizedUrl(src.repoURL!)) : undefined;
        if (!src || !repo) {
            proposal.problems.push(`${what}: its source ${src?.repoURL ?? "(none: a multi-source or hydrated Application)"} is no repository of gitops.repositories`);
            return;
        }
        const namespace = app.spec?.destination?.namespace;
        if (!namespace) {
            proposal.problems.push(`${what}: spec.destination.namespace: missing; adoption deploys into one namespace`);
            return;
        }
        if (!claimName(app.metadata.name, what)) return;
        const { values, taken } = await withoutSecrets(src.helm?.valuesObject ?? {});
        if (taken.length > 0) proposal.secretReferences.push({ where: `${what} helm.valuesObject`, keys: taken, todo: "put each in an ExternalSecret (or an existing Secret); it is not copied into the stack file" });
        const source: ProposedApplication["source"] = src.chart
            ? { repository: repo.name, chart: src.chart, version: src.targetRevision }
            : { repository: repo.name, path: src.path, revision: src.targetRevision, ...(isBranch(src.targetRevision) ? { trackBranch: true } : {}) };
        if (src.helm?.valueFiles?.length) source.valueFiles = src.helm.valueFiles;
        proposal.applications.push({ name: app.metadata.name, project: projectFor(namespace, repo.name, undefined), source, destination: { namespace }, ...(Object.keys(values).length > 0 ? { values } : {}) });
        proposal.takeovers.push({
            application: app.metadata.name,
            from: what,
            objects: [`Application ${app.metadata.namespace}/${app.metadata.name}`],
            fieldManager: "argocd-controller",
            notes: ["pulumi up writes the Application of the same name with server-side apply, taking its fields over; what it deployed stays in place"],
        });
    }
}
