/**
 * A command's flags as the CLIs here read them: strictly (an unknown flag is bad input), with
 * `--help`/`-h` printing the usage. A bad flag prints what is wrong and the usage on stderr.
 */
import { parseArgs, type ParseArgsConfig } from "util";

type Options = NonNullable<ParseArgsConfig["options"]>;
type HelpOption = { help: { type: "boolean"; short: "h" } };
type Flags<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O & HelpOption; strict: true }>>["values"];

/** The parsed flags, or the exit code to end with: 0 after `--help`, 2 after a bad flag. */
export function cliFlags<O extends Options>(command: string, usage: string, argv: string[], options: O): Flags<O> | number {
    let values: Flags<O>;
    try {
        values = parseArgs({ args: argv, options: { ...options, help: { type: "boolean", short: "h" } } as O & HelpOption, strict: true }).values;
    } catch (e) {
        console.error(`${command}: ${(e as Error).message}\n${usage}`);
        return 2;
    }
    if ((values as { help?: boolean }).help) {
        console.log(usage);
        return 0;
    }
    return values;
}
