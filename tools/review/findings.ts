/** Policy findings of head against base: new, fixed and unchanged, counted by enforcement level. */
import { Finding, FindingsDiff } from "./model";

const key = (f: Finding) => JSON.stringify([f.policyName, f.enforcementLevel, f.urn ?? "", f.message]);

/** True for a finding that blocks a deployment (the plan counts every non-advisory level so). */
export function isMandatory(f: Finding): boolean {
    return f.enforcementLevel !== "advisory";
}

export function findingsDiff(base: Finding[], head: Finding[]): FindingsDiff {
    const before = new Set(base.map(key));
    const after = new Set(head.map(key));
    const diff: FindingsDiff = {
        new: head.filter((f) => !before.has(key(f))),
        fixed: base.filter((f) => !after.has(key(f))),
        unchanged: head.filter((f) => before.has(key(f))),
        byLevel: {},
    };
    for (const category of ["new", "fixed", "unchanged"] as const) {
        for (const f of diff[category]) {
            diff.byLevel[f.enforcementLevel] ??= { new: 0, fixed: 0, unchanged: 0 };
            diff.byLevel[f.enforcementLevel][category]++;
        }
    }
    return diff;
}
