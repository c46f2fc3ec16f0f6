/**
 * Validators for Argo CD's custom resources from a release's CRD files, strictly: an undeclared
 * field is an error, as with `kubectl apply --validate=strict`.
 */
import * as fs from "fs";
import * as path from "path";
import Ajv, { ValidateFunction } from "ajv";
import * as YAML from "yaml";

/** The Argo CD kinds and their CRD files. */
export const ARGOCD_CRD_FILES = { Application: "application-crd.yaml", AppProject: "appproject-crd.yaml", ApplicationSet: "applicationset-crd.yaml" } as const;
export type ArgoCdKind = keyof typeof ARGOCD_CRD_FILES;

/** Closes every object schema that lists properties, unless it preserves unknown fields. */
function closeSchemas(node: unknown): void {
    if (Array.isArray(node)) return node.forEach(closeSchemas);
    if (node === null || typeof node !== "object") return;
    const schema = node as Record<string, unknown>;
    if (schema.properties !== undefined && schema.additionalProperties === undefined && schema["x-kubernetes-preserve-unknown-fields"] !== true) {
        schema.additionalProperties = false;
    }
    Object.values(schema).forEach(closeSchemas);
}

/** A validator of one kind's `v1alpha1` schema in the CRD folder `crdDir`. */
export function crdValidator(crdDir: string, kind: ArgoCdKind): ValidateFunction {
    const crd = YAML.parse(fs.readFileSync(path.join(crdDir, ARGOCD_CRD_FILES[kind]), "utf8"));
    const version = crd.spec.versions.find((v: { name: string }) => v.name === "v1alpha1");
    const schema = version.schema.openAPIV3Schema;
    closeSchemas(schema);
    // metadata is validated by the API server's ObjectMeta, not the CRD: allow what Pulumi sends.
    schema.properties.metadata = { type: "object" };
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    return ajv.compile(schema);
}

/** Validators of every kind in `crdDir`. */
export function crdValidators(crdDir: string): Record<ArgoCdKind, ValidateFunction> {
    return Object.fromEntries(Object.keys(ARGOCD_CRD_FILES).map((k) => [k, crdValidator(crdDir, k as ArgoCdKind)])) as Record<ArgoCdKind, ValidateFunction>;
}
