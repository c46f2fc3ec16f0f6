/**
 * Required output types, written as Terraform type constraints:
 *
 *   any | string | number | bool
 *   list(T) | set(T) | map(T) | tuple([T, ...]) | object({name = T, other = optional(T), ...})
 *   optional(T)    at the top level: the output may be missing or null
 *
 * A value conforms the way Terraform converts values to a constraint, without the lossy primitive
 * conversions: a tuple of strings is a `list(string)`, an object whose attributes are all strings is a
 * `map(string)`, extra object attributes are allowed. Null is only accepted where `optional(...)` says so.
 */
import { isRecord } from "gitops-platform-policies/shared";
import { hasUnsafeCharacter, keySegment, looksLikeCredential } from "../zodIssues";

/** A parsed type constraint. */
export type TypeConstraint =
    | { kind: "any" | "string" | "number" | "bool" }
    | { kind: "list" | "set" | "map"; element: TypeConstraint }
    | { kind: "tuple"; elements: TypeConstraint[] }
    | { kind: "object"; attributes: Record<string, { type: TypeConstraint; optional: boolean }> }
    | { kind: "optional"; inner: TypeConstraint };

/** The TypeScript type of a value conforming to the constraint `S` (unknown for object/tuple/any). */
export type ValueOfType<S extends string> = S extends `optional(${infer I})`
    ? ValueOfType<I> | null
    : S extends "string"
      ? string
      : S extends "number"
        ? number
        : S extends "bool"
          ? boolean
          : S extends `list(${infer E})` | `set(${infer E})`
            ? ValueOfType<E>[]
            : S extends `map(${infer E})`
              ? Record<string, ValueOfType<E>>
              : unknown;

/** Parses a type constraint; throws an Error naming the expression and position on bad syntax. */
export function parseTypeConstraint(expression: string): TypeConstraint {
    const tokens = expression.match(/[A-Za-z_][A-Za-z0-9_-]*|"(?:[^"\\]|\\.)*"|[()[\]{},=:]|\S/g) ?? [];
    let pos = 0;
    const fail = (what: string): never => {
        throw new Error(`invalid type constraint ${JSON.stringify(expression)}: ${what} at token ${pos + 1} (${JSON.stringify(tokens[pos] ?? "end")})`);
    };
    const expect = (token: string): void => {
        if (tokens[pos] !== token) fail(`expected ${JSON.stringify(token)}`);
        pos++;
    };
    const parse = (topLevel: boolean): TypeConstraint => {
        const word = tokens[pos++];
        switch (word) {
            case "any":
            case "string":
            case "number":
            case "bool":
                return { kind: word };
            case "list":
            case "set":
            case "map": {
                expect("(");
                const element = parse(false);
                expect(")");
                return { kind: word, element };
            }
            case "optional": {
                if (!topLevel) fail("optional(...) is only allowed for a whole output or an object attribute");
                expect("(");
                const inner = parse(false);
                expect(")");
                return { kind: "optional", inner };
            }
            case "tuple": {
                expect("(");
                expect("[");
                const elements: TypeConstraint[] = [];
                while (tokens[pos] !== "]") {
                    elements.push(parse(false));
                    if (tokens[pos] === ",") pos++;
                    else if (tokens[pos] !== "]") fail("expected `,` or `]`");
                }
                expect("]");
                expect(")");
                return { kind: "tuple", elements };
            }
            case "object": {
                expect("(");
                expect("{");
                const attributes: Record<string, { type: TypeConstraint; optional: boolean }> = {};
                while (tokens[pos] !== "}") {
                    const raw = tokens[pos++];
                    if (!raw || /^[()[\]{},=:]$/.test(raw)) fail("expected an attribute name");
                    const name = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
                    if (tokens[pos] === "=" || tokens[pos] === ":") pos++;
                    else fail("expected `=`");
                    const type = parse(true);
                    attributes[name] = type.kind === "optional" ? { type: type.inner, optional: true } : { type, optional: false };
                    if (tokens[pos] === ",") pos++;
                    else if (tokens[pos] !== "}") fail("expected `,` or `}`");
                }
                expect("}");
                expect(")");
                return { kind: "object", attributes };
            }
            default:
                pos--;
                return fail("expected a type");
        }
    };
    const type = parse(true);
    if (pos !== tokens.length) fail("unexpected text after the type");
    return type;
}

/** A constraint written back as Terraform writes it. */
export function formatTypeConstraint(type: TypeConstraint): string {
    switch (type.kind) {
        case "list":
        case "set":
        case "map":
            return `${type.kind}(${formatTypeConstraint(type.element)})`;
        case "tuple":
            return `tuple([${type.elements.map(formatTypeConstraint).join(", ")}])`;
        case "object":
            return `object({${Object.entries(type.attributes)
                .map(([name, a]) => `${name}=${a.optional ? `optional(${formatTypeConstraint(a.type)})` : formatTypeConstraint(a.type)}`)
                .join(", ")}})`;
        case "optional":
            return `optional(${formatTypeConstraint(type.inner)})`;
        default:
            return type.kind;
    }
}

/** A JSON value's type in words for messages. */
function describeValue(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return `a list/tuple of ${value.length}`;
    if (typeof value === "object") return "an object/map";
    if (typeof value === "boolean") return "bool";
    return typeof value;
}

/**
 * Path of an element below an output, as Terraform writes references: `ids[0]`, `roles["cert-manager"]`.
 * A key shaped like a credential is described, and one with control or invisible characters escaped
 * (`keySegment`); below a sensitive output (`hideKeys`) no map key is shown, only its position.
 */
function childPath(path: string, key: string | number, hideKeys = false): string {
    if (typeof key === "number") return `${path}[${key}]`;
    if (hideKeys) return `${path}[(a key of a sensitive output, not shown)]`;
    if (looksLikeCredential(key) || hasUnsafeCharacter(key)) return `${path}${keySegment(key)}`;
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return `${path}.${key}`;
    return `${path}[${JSON.stringify(key)}]`;
}

/**
 * Appends to `problems` one line per place where `value` does not conform to `type`, each starting
 * with its path below `path`.
 */
export function checkValue(type: TypeConstraint, value: unknown, path: string, problems: string[], hideKeys = false): void {
    if (type.kind === "optional") {
        if (value !== null && value !== undefined) checkValue(type.inner, value, path, problems, hideKeys);
        return;
    }
    if (value === null || value === undefined) {
        problems.push(`${path}: is null, expected ${formatTypeConstraint(type)}`);
        return;
    }
    const mismatch = (): void => {
        problems.push(`${path}: expected ${formatTypeConstraint(type)}, found ${describeValue(value)}`);
    };
    switch (type.kind) {
        case "any":
            return;
        case "string":
        case "number":
            if (typeof value !== type.kind) mismatch();
            return;
        case "bool":
            if (typeof value !== "boolean") mismatch();
            return;
        case "list":
        case "set":
            if (!Array.isArray(value)) return mismatch();
            value.forEach((element, index) => checkValue(type.element, element, childPath(path, index), problems, hideKeys));
            return;
        case "tuple":
            if (!Array.isArray(value)) return mismatch();
            if (value.length !== type.elements.length) {
                problems.push(`${path}: expected ${formatTypeConstraint(type)} (${type.elements.length} elements), found ${value.length}`);
                return;
            }
            type.elements.forEach((element, index) => checkValue(element, value[index], childPath(path, index), problems, hideKeys));
            return;
        case "map":
            if (!isRecord(value)) return mismatch();
            for (const [key, element] of Object.entries(value)) checkValue(type.element, element, childPath(path, key, hideKeys), problems, hideKeys);
            return;
        case "object":
            if (!isRecord(value)) return mismatch();
            for (const [name, attribute] of Object.entries(type.attributes)) {
                // Own keys only: "constructor" or "toString" must not be found on Object.prototype.
                const has = Object.prototype.hasOwnProperty.call(value, name);
                const present = has && value[name] !== null;
                if (!present && attribute.optional) continue;
                if (!has) problems.push(`${childPath(path, name)}: missing, expected ${formatTypeConstraint(attribute.type)}`);
                else checkValue(attribute.type, value[name], childPath(path, name), problems, hideKeys);
            }
            return;
    }
}
