/**
 * The proposal written into a stack file: its projects and applications appended under
 * `gitops-platform:platform` → `gitops`, the rest of the file (comments, order, secure values) as it
 * was. The result is validated as the program would validate it before anything is written.
 */
import * as YAML from "yaml";
import { parsePlatform } from "../../stacks/load";
import type { Proposal } from "./proposal";

const PLATFORM = "gitops-platform:platform";

/** The stack file's new text, or the problems that stop it (each with its key path). */
export function editStackFile(text: string, file: string, proposal: Proposal): { text?: string; problems: string[] } {
    const doc = YAML.parseDocument(text);
    if (doc.errors.length > 0) return { problems: [`${file}: not valid YAML: ${doc.errors[0].message.split("\n")[0]}`] };
    if (!doc.hasIn(["config", PLATFORM])) return { problems: [`${file}: config.${PLATFORM}: missing; the stack has no platform config to adopt into`] };
    for (const [key, items] of [["projects", proposal.projects], ["applications", proposal.applications]] as const) {
        if (items.length === 0) continue;
        const at = ["config", PLATFORM, "gitops", key];
        const existing = doc.getIn(at);
        if (existing === undefined || existing === null) doc.setIn(at, doc.createNode([]));
        else if (!YAML.isSeq(existing)) return { problems: [`${file}: config.${PLATFORM}.gitops.${key}: expected a list`] };
        const seq = doc.getIn(at) as YAML.YAMLSeq;
        items.forEach((item, i) => {
            const node = doc.createNode(item);
            if (i === 0) node.commentBefore = ` Adopted by npm run adopt (${item.name}): see the takeover plan.`;
            seq.add(node);
        });
    }
    const platform = (doc.toJS() as { config: Record<string, unknown> }).config[PLATFORM];
    const { problems } = parsePlatform(JSON.stringify(platform));
    if (problems.length > 0) return { problems: problems.map((p) => `${file}: after adoption, ${p.path}: ${p.message}`) };
    return { text: doc.toString({ lineWidth: 0 }), problems: [] };
}
