/**
 * The one error a component throws for args it cannot build from (aws-cdk-lib's validation at
 * construction time): it names the component, its resource name and each prop at fault, every
 * problem at once. Only a component's own invariants are checked there (docs/adr-0005-validation-layers.md):
 * the shape of the config is the schema's, relations between keys the stack rules', and
 * organisational rules the policy pack's.
 */

/** One problem with one prop of a component's args. */
export interface PropProblem {
    /** The prop, as a key path into the args (`values`, `destinations[0].cluster`). */
    prop: string;
    /** What is wrong; never a secret value. */
    message: string;
}

/** Args a component refuses: `<Component> "<name>": <prop>: <message>`, one line per problem. */
export class ComponentValidationError extends Error {
    /** The component's class name, e.g. `AddonApplicationSet`. */
    readonly component: string;
    /** The Pulumi resource name it was given. */
    readonly resourceName: string;
    /** Every problem found. */
    readonly problems: readonly PropProblem[];

    constructor(component: string, resourceName: string, problems: PropProblem[]) {
        const lines = problems.map((p) => `${p.prop}: ${p.message}`);
        super(`${component} ${JSON.stringify(resourceName)}: ${lines.length === 1 ? lines[0] : `\n  ${lines.join("\n  ")}`}`);
        this.name = "ComponentValidationError";
        this.component = component;
        this.resourceName = resourceName;
        this.problems = problems;
    }
}
