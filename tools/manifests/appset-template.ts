/**
 * The part of an ApplicationSet template language the review evaluates: field references
 * (`{{.name}}`, `{{ .metadata.annotations.aws_region }}`, `{{index .metadata.labels "k"}}` with
 * `goTemplate: true`; `{{name}}`, `{{metadata.labels.k}}` without). Anything else (functions,
 * pipelines, conditionals) is refused with the expression, so the Application is listed as not
 * expanded rather than guessed at.
 */

/** A template the review cannot evaluate, or a key the parameters lack under `missingkey=error`. */
export class TemplateError extends Error {}

function lookup(params: Record<string, unknown>, segments: string[]): unknown {
    let node: unknown = params;
    for (const s of segments) {
        if (typeof node !== "object" || node === null || !(s in node)) return undefined;
        node = (node as Record<string, unknown>)[s];
    }
    return node;
}

function evaluate(expr: string, params: Record<string, unknown>, goTemplate: boolean, missingKeyError: boolean): string {
    let segments: string[] | undefined;
    const field = goTemplate ? /^\.([A-Za-z_][\w]*(?:\.[A-Za-z_][\w-]*)*)$/.exec(expr) : /^([A-Za-z_][\w]*(?:\.[A-Za-z0-9_][\w./-]*)*)$/.exec(expr);
    if (field) segments = goTemplate ? field[1].split(".") : field[1].split(".");
    const index = goTemplate ? /^index\s+\.([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)\s+"([^"]*)"$/.exec(expr) : null;
    if (index) segments = [...index[1].split("."), index[2]];
    if (!segments) throw new TemplateError(`template expression {{${expr}}} is not evaluated by the review (only field references are)`);
    const value = lookup(params, segments);
    if (value === undefined) {
        if (goTemplate && missingKeyError) throw new TemplateError(`template {{${expr}}}: no such key in the generator's parameters (missingkey=error)`);
        // Go templates print "<no value>"; fasttemplate leaves the placeholder as it was.
        return goTemplate ? "<no value>" : `{{${expr}}}`;
    }
    return typeof value === "string" ? value : JSON.stringify(value);
}

/** The template with every string value rendered against `params` (keys are left as they are). */
export function renderTemplate(template: unknown, params: Record<string, unknown>, goTemplate: boolean, options: string[] = []): unknown {
    const missingKeyError = options.some((o) => o.replace(/\s/g, "") === "missingkey=error");
    const render = (value: unknown): unknown => {
        if (typeof value === "string") return value.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, (_, expr: string) => evaluate(expr, params, goTemplate, missingKeyError));
        if (Array.isArray(value)) return value.map(render);
        if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v)]));
        return value;
    };
    return render(template);
}
