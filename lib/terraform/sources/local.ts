/** The `local` source: a `.tfstate` file, of which only the header before `resources` is parsed. */
import { readStateHead } from "../stateHeadReader";
import { type StateSummary, stateFromDocument } from "../state";
import type { LocalSource } from "../source";
import type { SourceContext } from "./context";

/** Reads the outputs of a local state file without parsing its resources. */
export async function readLocalState(source: LocalSource, context: SourceContext): Promise<StateSummary> {
    const { header } = await readStateHead(source.path, context.description);
    return stateFromDocument(header, context.description);
}
