/**
 * The error of a bad stack config: raised by the loader (`stacks/load.ts`) and by the composition
 * steps that check the config against what they read (the fleet's Terraform states and kubeconfig),
 * so it lives below both.
 */

/** One problem with a config key path, as `path: message`. */
export interface ConfigProblem {
    /** Key path as users write it, e.g. `platform.argocd.chart.version`. */
    path: string;
    /** What is wrong; never includes a secret value. */
    message: string;
}

/** Where the engine reads a stack's config (Pulumi.yaml: `stackConfigDir: stacks`). */
export function stackFileOf(stack: string): string {
    return `stacks/Pulumi.${stack}.yaml`;
}

/** Bad stack config: the stack file, then every problem, one per line, `path: message`. */
export class StackConfigError extends Error {
    /** Every problem found. */
    readonly problems: ConfigProblem[];

    /** The stack file the config comes from (Pulumi.yaml's stackConfigDir), as messages name it. */
    readonly file: string;

    constructor(stack: string, problems: ConfigProblem[]) {
        const file = stackFileOf(stack);
        super(`${file}: invalid config for stack ${JSON.stringify(stack)} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  ${p.path}: ${p.message}`).join("\n")}`);
        this.name = "StackConfigError";
        this.problems = problems;
        this.file = file;
    }
}
