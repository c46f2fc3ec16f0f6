/**
 * Validates Kubernetes objects against the API server's own OpenAPI v3 schemas (from
 * k8s.io/kubernetes on the Go module proxy, fetched and cached by tools/kubernetes-schemas.sh),
 * with ajv. Validation is strict like `kubectl apply --validate=strict`: a field the schema does
 * not declare is an error, so a typo in a template cannot slip through as an ignored key.
 */
import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "./helm";

type JsonObject = Record<string, unknown>;

/** An object to validate: only the fields used to find its schema are required here. */
export interface TypedObject {
    /** `group/version`, or `v1` for the core group. */
    apiVersion: string;
    /** Kind, e.g. `Deployment`. */
    kind: string;
    /** Metadata; the name makes error messages point at the object. */
    metadata?: { name?: string };
}

/** Validates objects of built-in kinds; returns one message per problem (empty when valid). */
export interface KubernetesSchemaValidator {
    /** Kubernetes version of the schemas, e.g. `1.37.2`. */
    readonly kubernetesVersion: string;
    /** Problems of one object as `<Kind>/<name> <json pointer>: <message>`; empty when it is valid. */
    validate(obj: TypedObject): string[];
}

/** Runs tools/kubernetes-schemas.sh (which downloads on first use) and returns the schema folder. */
export function kubernetesSchemaDir(): string {
    const out = execFileSync("bash", [path.join(repoRoot, "tools", "kubernetes-schemas.sh")], {
        cwd: repoRoot,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
    });
    const lines = out.trim().split("\n");
    return lines[lines.length - 1];
}

/** The OpenAPI document that defines a group/version: `v1` → api__v1, `apps/v1` → apis__apps__v1. */
function openApiFile(apiVersion: string): string {
    const parts = apiVersion.split("/");
    return parts.length === 1 ? `api__${parts[0]}_openapi.json` : `apis__${parts[0]}__${parts[1]}_openapi.json`;
}

/**
 * Makes every schema that lists its properties closed (additionalProperties: false), unless the
 * API says it keeps unknown fields. Mutates the document it is given.
 */
function closeObjectSchemas(node: unknown): void {
    if (Array.isArray(node)) {
        node.forEach(closeObjectSchemas);
        return;
    }
    if (node === null || typeof node !== "object") return;
    const schema = node as JsonObject;
    if (
        schema.properties !== undefined &&
        schema.additionalProperties === undefined &&
        schema["x-kubernetes-preserve-unknown-fields"] !== true
    ) {
        schema.additionalProperties = false;
    }
    Object.values(schema).forEach(closeObjectSchemas);
}

function describe(obj: TypedObject, error: ErrorObject): string {
    const where = error.instancePath || "/";
    const extra =
        error.keyword === "additionalProperties"
            ? ` (${(error.params as { additionalProperty: string }).additionalProperty})`
            : error.keyword === "enum"
              ? ` (${JSON.stringify((error.params as { allowedValues: unknown[] }).allowedValues)})`
              : "";
    return `${obj.kind}/${obj.metadata?.name ?? "<unnamed>"} ${where}: ${error.message}${extra}`;
}

/** Loads the schemas of `schemaDir` (default: the folder tools/kubernetes-schemas.sh provides). */
export function kubernetesSchemaValidator(schemaDir: string = kubernetesSchemaDir()): KubernetesSchemaValidator {
    // Kubernetes' OpenAPI uses vendor extensions and formats (int32, int-or-string) ajv does not know.
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    const loadedFiles = new Set<string>();
    const validators = new Map<string, ValidateFunction>();

    function validatorFor(apiVersion: string, kind: string): ValidateFunction | string {
        const key = `${apiVersion}/${kind}`;
        const cached = validators.get(key);
        if (cached) return cached;
        const file = openApiFile(apiVersion);
        const fullPath = path.join(schemaDir, file);
        if (!fs.existsSync(fullPath)) return `no Kubernetes schema for apiVersion ${apiVersion} (${file} missing)`;
        const doc = JSON.parse(fs.readFileSync(fullPath, "utf8")) as { components: { schemas: Record<string, JsonObject> } };
        const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
        const name = Object.keys(doc.components.schemas).find((schemaName) => {
            const gvks = doc.components.schemas[schemaName]["x-kubernetes-group-version-kind"] as
                | { group: string; version: string; kind: string }[]
                | undefined;
            return gvks?.some((gvk) => gvk.group === group && gvk.version === version && gvk.kind === kind) ?? false;
        });
        if (!name) return `no Kubernetes schema for ${kind} in ${apiVersion}`;
        if (!loadedFiles.has(file)) {
            closeObjectSchemas(doc.components.schemas);
            ajv.addSchema({ $id: file, components: doc.components }, file);
            loadedFiles.add(file);
        }
        const validate = ajv.compile({ $ref: `${file}#/components/schemas/${name}` });
        validators.set(key, validate);
        return validate;
    }

    return {
        kubernetesVersion: path.basename(schemaDir).replace(/^v/, ""),
        validate(obj: TypedObject): string[] {
            const validate = validatorFor(obj.apiVersion, obj.kind);
            if (typeof validate === "string") return [`${obj.kind}/${obj.metadata?.name ?? "<unnamed>"}: ${validate}`];
            return validate(obj) ? [] : (validate.errors ?? []).map((error) => describe(obj, error));
        },
    };
}
