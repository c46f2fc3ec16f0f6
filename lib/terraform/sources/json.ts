/** The `json` source: a file written by `terraform output -json` (`{name: {sensitive, type, value}}`). */
import { promises as fs } from "node:fs";
import { z } from "zod";
import { TerraformSourceError, errorText } from "../errors";
import { parseJsonText } from "../jsonText";
import type { TerraformOutputSet } from "../outputSet";
import { StoredOutputSchema } from "../state";
import type { JsonSource } from "../source";
import { formatKeyPath, formatZodIssues } from "../../zodIssues";
import { checkOutputDepths } from "../depth";
import type { SourceContext } from "./context";

const OutputJsonSchema = z.record(z.string(), StoredOutputSchema);

/** Reads a `terraform output -json` file. */
export async function readOutputJson(source: JsonSource, context: SourceContext): Promise<TerraformOutputSet> {
    let text: string;
    try {
        text = await fs.readFile(source.path, "utf8");
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new TerraformSourceError(
            context.description,
            code === "ENOENT" ? "not-found" : "bad-input",
            code === "ENOENT" ? "the file does not exist" : `the file cannot be read (${errorText(err)})`,
        );
    }
    const doc = parseJsonText(text, context.description, "`terraform output -json` file");
    if (doc !== null && typeof doc === "object" && !Array.isArray(doc) && typeof (doc as { version?: unknown }).version === "number") {
        throw new TerraformSourceError(
            context.description,
            "format",
            "this is a state file, not `terraform output -json` output; read it with the local backend (--backend local)",
        );
    }
    // Before the schema, which (like everything after it) recurses over a value and its type.
    checkOutputDepths(doc, (name, problem) => new TerraformSourceError(context.description, "format", `output ${formatKeyPath([name])}: ${problem}`));
    const parsed = OutputJsonSchema.safeParse(doc);
    if (!parsed.success) {
        const lines = formatZodIssues(parsed.error.issues);
        throw new TerraformSourceError(
            context.description,
            "format",
            `not the output of \`terraform output -json\` (an object of {sensitive, type, value} per output):\n  - ${lines.join("\n  - ")}`,
        );
    }
    const outputs: TerraformOutputSet = {};
    for (const [name, stored] of Object.entries(parsed.data)) {
        outputs[name] = { value: stored.value, sensitive: stored.sensitive ?? false, type: stored.type ?? "dynamic" };
    }
    return outputs;
}
