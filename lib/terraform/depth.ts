/**
 * How deeply a parsed JSON or YAML value nests, measured without recursion. Readers, type checkers,
 * `JSON.stringify` and Pulumi's serializer all recurse over values, and V8's stack gives out after a
 * few thousand levels: a value nested deeper than a documented limit is refused where it is read,
 * with a message naming it, so nothing further down ever meets it.
 */

/**
 * Levels of objects and arrays a Terraform output's value (and a stack file's config) may nest. Real
 * outputs and Helm values stay far below; 10,000 levels overflow the stack.
 */
export const MAX_NESTING_DEPTH = 64;

/**
 * The path to the first object or array nested more than `limit` levels deep in `value` (the
 * outermost object or array is level 1), or undefined when none is. Iterative: any depth is safe.
 */
export function tooDeepPath(value: unknown, limit: number = MAX_NESTING_DEPTH): (string | number)[] | undefined {
    const stack: { node: unknown; path: (string | number)[] }[] = [{ node: value, path: [] }];
    while (stack.length > 0) {
        const { node, path } = stack.pop()!;
        if (typeof node !== "object" || node === null) continue;
        if (path.length >= limit) return path;
        if (Array.isArray(node)) node.forEach((child, i) => stack.push({ node: child, path: [...path, i] }));
        else for (const [key, child] of Object.entries(node)) stack.push({ node: child, path: [...path, key] });
    }
    return undefined;
}

/**
 * Refuses the first output of a parsed `outputs` object (a state's, or a `terraform output -json`
 * document) whose value nests more than `MAX_NESTING_DEPTH` levels, or whose type more than a type of
 * such a value can. Throws the error `refuse` makes from the output's name and the problem.
 */
export function checkOutputDepths(outputs: unknown, refuse: (name: string, problem: string) => Error): void {
    if (typeof outputs !== "object" || outputs === null || Array.isArray(outputs)) return;
    for (const [name, output] of Object.entries(outputs)) {
        if (typeof output !== "object" || output === null) continue;
        const { value, type } = output as { value?: unknown; type?: unknown };
        if (tooDeepPath(value) !== undefined) {
            throw refuse(name, `its value nests objects and lists more than ${MAX_NESTING_DEPTH} levels deep, more than this reader accepts`);
        }
        // A cty type takes up to two JSON levels per level of the value (["object", {...}]).
        if (tooDeepPath(type, 2 * MAX_NESTING_DEPTH + 1) !== undefined) {
            throw refuse(name, `its type nests more than ${MAX_NESTING_DEPTH} levels deep, more than this reader accepts`);
        }
    }
}
