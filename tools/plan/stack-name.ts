/**
 * A stack name from the command line names files (`stacks/Pulumi.<stack>.yaml`, `<out>/<stack>/`,
 * `policies/config/<stack>.json`), so it is checked before it is used as a path: Pulumi's own
 * stack-name characters, and never `.` or `..`.
 */
export class StackNameError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackNameError";
    }
}

const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

export function validStackName(stack: string): string {
    if (!STACK_NAME.test(stack) || stack === "." || stack === "..") {
        throw new StackNameError(`--stack ${JSON.stringify(stack)}: not a stack name (letters, digits, '-', '_' and '.', like dev or prod)`);
    }
    return stack;
}
