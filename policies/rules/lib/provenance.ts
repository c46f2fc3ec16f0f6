/**
 * Where a finding sits: the object (kind, namespace and name) and, when the engine says so, the Chart,
 * ConfigGroup or component that rendered it (the resource's parent). A rule appends it to its message after
 * ` — in `, so the same problem reads the same whether it was found in chart values or in a rendered object.
 */
import { ResourceValidation, ResourceValidationPolicy } from "@pulumi/policy";
import { getPath } from "./types";

/** The fields of a policy's arguments provenance reads. */
export interface ProvenanceArgs {
    type: string;
    name: string;
    props: Record<string, unknown>;
    opts: { parent?: string };
}

/** The last part of a type token: `kubernetes:helm.sh/v4:Chart` -> `Chart`, `gitops:platform:ArgoCd` -> `ArgoCd`. */
function shortType(type: string): string {
    return type.slice(type.lastIndexOf(":") + 1);
}

/** The type and name of a resource from its URN (`urn:pulumi:stack::project::parent$type::name`). */
export function urnParts(urn: string): { type: string; name: string } | undefined {
    const parts = urn.split("::");
    if (parts.length < 4) return undefined;
    const qualified = parts[2];
    return { type: qualified.slice(qualified.lastIndexOf("$") + 1), name: parts.slice(3).join("::") };
}

/** `ConfigMap argocd/argocd-cm, rendered by Chart "argocd"`, or `ArgoCd "argocd"` for a resource that is not an object. */
export function provenance(args: ProvenanceArgs): string {
    const kind = getPath(args.props, ["kind"]);
    const name = getPath(args.props, ["metadata", "name"]);
    const namespace = getPath(args.props, ["metadata", "namespace"]);
    const what =
        typeof kind === "string" && typeof name === "string"
            ? `${kind} ${typeof namespace === "string" && namespace !== "" ? `${namespace}/` : ""}${name}`
            : `${shortType(args.type)} "${args.name}"`;
    const parent = args.opts.parent ? urnParts(args.opts.parent) : undefined;
    // The stack itself is every top-level resource's parent: it rendered nothing.
    return parent && parent.type !== "pulumi:pulumi:Stack" ? `${what}, rendered by ${shortType(parent.type)} "${parent.name}"` : what;
}

/** The separator between a finding and its provenance. */
export const PROVENANCE_SEPARATOR = " — in ";

/** A violation message: the problems, then where they were found. */
export function withProvenance(problems: readonly string[], args: ProvenanceArgs, source?: string): string {
    return `${problems.join("; ")}${PROVENANCE_SEPARATOR}${source ? `${source} of ` : ""}${provenance(args)}`;
}

/**
 * The type token of the parent the pack's second entry point gives the objects an Argo CD Application renders
 * (its chart or manifests from Git, judged before merge): findings then read `rendered by Application "<name>"`.
 */
export const ARGOCD_APPLICATION_RENDER_TYPE = "gitops:manifests:Application";

/** Resources that render objects from chart values or manifest files, where a value sits in plaintext at rest. */
const fileRenderers: ReadonlySet<string> = new Set([
    ARGOCD_APPLICATION_RENDER_TYPE,
    "kubernetes:helm.sh/v4:Chart",
    "kubernetes:helm.sh/v3:Chart",
    "kubernetes:yaml/v2:ConfigGroup",
    "kubernetes:yaml/v2:ConfigFile",
    "kubernetes:yaml:ConfigGroup",
    "kubernetes:yaml:ConfigFile",
    "kubernetes:kustomize/v2:Directory",
]);

/** True when the parent URN is a Chart, ConfigGroup, ConfigFile or kustomize Directory. */
export function renderedFromFiles(parent: string | undefined): boolean {
    const type = parent ? urnParts(parent)?.type : undefined;
    return type !== undefined && fileRenderers.has(type);
}

/**
 * A policy whose findings on rendered objects (a Chart's, a ConfigGroup's, an Argo CD Application's) end with where
 * the object came from, as the rules that add it themselves do: every rule names the object and what rendered it.
 */
export function withRenderedProvenance(policy: ResourceValidationPolicy): ResourceValidationPolicy {
    const wrap = (validate: ResourceValidation): ResourceValidation => {
        const wrapped: ResourceValidation = (args, reportViolation) =>
            validate(args, (message, urn) =>
                reportViolation(renderedFromFiles(args.opts.parent) && !message.includes(PROVENANCE_SEPARATOR) ? `${message}${PROVENANCE_SEPARATOR}${provenance({ ...args, props: args.props as Record<string, unknown> })}` : message, urn),
            );
        // The SDK skips a policy of another resource type before converting the request: keep the type it attached.
        const type = (validate as { __pulumiType?: string }).__pulumiType;
        if (type) (wrapped as { __pulumiType?: string }).__pulumiType = type;
        return wrapped;
    };
    const validate = policy.validateResource;
    if (!validate) return policy;
    return { ...policy, validateResource: Array.isArray(validate) ? validate.map(wrap) : wrap(validate as ResourceValidation) };
}
