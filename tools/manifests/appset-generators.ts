/**
 * Expands an ApplicationSet into the Applications it generates, as Argo CD's ApplicationSet
 * controller would, for the generators this program uses: `clusters` (label selectors against the
 * cluster Secrets the plan declares) and `list`. Other generator kinds (git, matrix, merge,
 * scmProvider, pullRequest, clusterDecisionResource, plugin) need data the plan does not have and
 * are reported as not expanded, by kind. Used by the plan (to judge what each generated Application
 * renders) and the review (to show it).
 */
import { renderTemplate, TemplateError } from "./appset-template";
import { Manifest, NotDone } from "./types";

/** A cluster Argo CD knows from a cluster Secret the plan declares. */
export interface RegisteredCluster {
    name: string;
    server: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    /** How the name was found, when not from the Secret's data. */
    note?: string;
}

/** One Application an ApplicationSet generates. */
export interface GeneratedApplication {
    applicationSet: string;
    /** The cluster (cluster generator) or list element it was generated for. */
    generatedFor: string;
    application: Manifest;
}

const SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type";
const REDACTED_VALUES = new Set(["[secret]", "[redacted]", Buffer.from("[redacted]").toString("base64")]);

function secretField(secret: Manifest, key: string): string | undefined {
    const stringData = secret.stringData as Record<string, string> | undefined;
    const data = secret.data as Record<string, string> | undefined;
    const raw = stringData?.[key] ?? (data?.[key] !== undefined ? Buffer.from(data[key], "base64").toString("utf8") : undefined);
    return raw === undefined || REDACTED_VALUES.has(raw) || REDACTED_VALUES.has(data?.[key] ?? "") ? undefined : raw;
}

/**
 * The clusters registered by the plan's cluster Secrets. The plan redacts Secret data, so a
 * cluster's name falls back to the Secret's name without its `cluster-` prefix (the program's
 * ClusterRegistration names it so) and its server reads `[secret]`.
 */
export function registeredClusters(manifests: Manifest[]): RegisteredCluster[] {
    return manifests
        .filter((m) => m.kind === "Secret" && m.metadata.labels?.[SECRET_TYPE_LABEL] === "cluster")
        .map((m) => {
            const name = secretField(m, "name");
            return {
                name: name ?? m.metadata.name.replace(/^cluster-/, ""),
                server: secretField(m, "server") ?? "[secret]",
                labels: m.metadata.labels ?? {},
                annotations: m.metadata.annotations ?? {},
                note: name === undefined ? `cluster name taken from Secret ${m.metadata.name} (its data is redacted in the plan)` : undefined,
            };
        });
}

interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Kubernetes label selector semantics (an empty selector matches everything). */
export function matchesSelector(labels: Record<string, string>, selector: LabelSelector = {}): boolean {
    for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
    for (const e of selector.matchExpressions ?? []) {
        const has = e.key in labels;
        const inValues = has && (e.values ?? []).includes(labels[e.key]);
        if (e.operator === "In" && !inValues) return false;
        if (e.operator === "NotIn" && inValues) return false;
        if (e.operator === "Exists" && !has) return false;
        if (e.operator === "DoesNotExist" && has) return false;
    }
    return true;
}

/** Lowercase, with characters a DNS-1123 name cannot hold as `-` (Argo CD's `nameNormalized`). */
function normalize(name: string): string {
    return name.toLowerCase().replace(/[^a-z0-9-.]/g, "-");
}

type ParamSet = { generatedFor: string; params: Record<string, unknown> };

function clusterParams(generator: { selector?: LabelSelector; values?: Record<string, string> }, clusters: RegisteredCluster[]): ParamSet[] {
    return clusters
        .filter((c) => matchesSelector(c.labels, generator.selector))
        .map((c) => ({
            generatedFor: `cluster ${c.name}`,
            params: {
                name: c.name,
                nameNormalized: normalize(c.name),
                server: c.server,
                metadata: { labels: c.labels, annotations: c.annotations },
                values: generator.values ?? {},
            },
        }));
}

/** The Applications an ApplicationSet generates, and the generators it could not expand. */
export function expandApplicationSet(appSet: Manifest, clusters: RegisteredCluster[]): { applications: GeneratedApplication[]; notExpanded: NotDone[] } {
    const spec = (appSet.spec ?? {}) as { generators?: Record<string, unknown>[]; template?: unknown; goTemplate?: boolean; goTemplateOptions?: string[]; templatePatch?: string };
    const name = appSet.metadata.name;
    const applications: GeneratedApplication[] = [];
    const notExpanded: NotDone[] = [];
    if (spec.templatePatch) notExpanded.push({ what: `ApplicationSet ${name}: templatePatch`, reason: "templatePatch is not applied by the review; the Applications are shown from the template alone" });
    (spec.generators ?? []).forEach((generator, i) => {
        const kinds = Object.keys(generator).filter((k) => k !== "selector" && k !== "template");
        let sets: ParamSet[] = [];
        if (generator.clusters) {
            sets = clusterParams(generator.clusters as { selector?: LabelSelector; values?: Record<string, string> }, clusters);
        } else if (generator.list) {
            const list = generator.list as { elements?: Record<string, unknown>[]; elementsYaml?: string };
            if (list.elementsYaml) notExpanded.push({ what: `ApplicationSet ${name}: generators[${i}] list.elementsYaml`, reason: "elementsYaml is a template evaluated by the controller" });
            sets = (list.elements ?? []).map((e, n) => ({ generatedFor: `list element ${n}`, params: e }));
        } else {
            notExpanded.push({ what: `ApplicationSet ${name}: generators[${i}] ${kinds.join(", ")}`, reason: `generator kind ${kinds.join(", ")} is not expanded (only clusters and list are)` });
            return;
        }
        if (generator.selector) sets = sets.filter((s) => matchesSelector(Object.fromEntries(Object.entries(s.params).filter(([, v]) => typeof v === "string")) as Record<string, string>, generator.selector as LabelSelector));
        for (const set of sets) {
            try {
                const rendered = renderTemplate(generator.template ?? spec.template, set.params, spec.goTemplate === true, spec.goTemplateOptions) as { metadata?: Record<string, unknown>; spec?: unknown };
                const application = {
                    apiVersion: "argoproj.io/v1alpha1",
                    kind: "Application",
                    metadata: { ...(rendered.metadata ?? {}), namespace: appSet.metadata.namespace },
                    spec: rendered.spec,
                } as unknown as Manifest;
                applications.push({ applicationSet: name, generatedFor: set.generatedFor, application });
            } catch (e) {
                if (!(e instanceof TemplateError)) throw e;
                notExpanded.push({ what: `ApplicationSet ${name}: ${set.generatedFor}`, reason: e.message });
            }
        }
    });
    return { applications, notExpanded };
}
