/**
 * Terraform's value types ("cty" types) as they appear in JSON: in a v4 state's `outputs.*.type` and
 * in `terraform output -json`. Examples: `"string"`, `["list","string"]`,
 * `["object",{"id":"string"}]`, `["tuple",["string","number"]]`.
 */
import { z } from "zod";

/** A cty type in its JSON form. */
export type CtyType =
    | "string"
    | "number"
    | "bool"
    | "dynamic"
    | ["list" | "set" | "map", CtyType]
    | ["object", { [attribute: string]: CtyType }]
    | ["object", { [attribute: string]: CtyType }, string[]]
    | ["tuple", CtyType[]];

/** Validates a cty type in its JSON form (recursive). */
export const CtyTypeSchema: z.ZodType<CtyType> = z.lazy(() =>
    z.union([
        z.enum(["string", "number", "bool", "dynamic"]),
        z.tuple([z.enum(["list", "set", "map"]), CtyTypeSchema]),
        // The optional third element lists optional attributes (Terraform 1.3+ object type constraints).
        z.tuple([z.literal("object"), z.record(z.string(), CtyTypeSchema)]),
        z.tuple([z.literal("object"), z.record(z.string(), CtyTypeSchema), z.array(z.string())]),
        z.tuple([z.literal("tuple"), z.array(CtyTypeSchema)]),
    ], { error: 'not a Terraform type: expected "string", "number", "bool", "dynamic", ["list"|"set"|"map", T], ["object", {…}] or ["tuple", [T, …]]' }),
) as z.ZodType<CtyType>;

/** A cty type written as Terraform writes type constraints, e.g. `list(string)`, `object({id=string})`. */
export function formatCtyType(type: CtyType): string {
    if (typeof type === "string") return type === "dynamic" ? "any" : type;
    switch (type[0]) {
        case "list":
        case "set":
        case "map":
            return `${type[0]}(${formatCtyType(type[1])})`;
        case "tuple":
            return `tuple([${type[1].map(formatCtyType).join(", ")}])`;
        case "object":
            return `object({${Object.entries(type[1])
                .map(([name, attr]) => `${name}=${formatCtyType(attr)}`)
                .join(", ")}})`;
    }
}

/**
 * The type of a JSON value as Terraform would infer it from a literal: used when a source does not
 * declare the type. Arrays become tuples and objects become objects, as in HCL.
 */
export function inferCtyType(value: unknown): CtyType {
    if (typeof value === "string") return "string";
    if (typeof value === "number") return "number";
    if (typeof value === "boolean") return "bool";
    if (Array.isArray(value)) return ["tuple", value.map(inferCtyType)];
    if (value !== null && typeof value === "object") {
        return ["object", Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inferCtyType(v)]))];
    }
    return "dynamic";
}
