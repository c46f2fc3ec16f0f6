/**
 * Property: no group name the stack schema accepts can add a line to Argo CD's policy.csv, or a field
 * to the line it is written in, wherever the program writes a group: `argocd.rbac.groupRoles` (the
 * `g, <group>, <role>` lines of argocd-rbac-cm, from components/argocd/values.ts) and a project role's
 * groups (which Argo CD turns into `g, <group>, proj:<project>:<role>`). The policy is read the way
 * Argo CD reads it (one line per line break, Go's CSV reader with leading spaces trimmed, a line
 * starting with `#` a comment), and every accepted name comes back as exactly one subject, itself.
 * The real parser judges fixed tricky names in test/argocd-rbac.spec.ts.
 */
import * as assert from "assert";
import * as fc from "fast-check";
import { argoCdValues } from "../../components/argocd/values";
import { IdentityGroupSchema } from "../../stacks/schema";
import { check } from "./property";

/** policy.csv as Argo CD's loader sees it: its non-comment lines, each split into CSV fields. */
function policyLines(csv: string): string[][] {
    return csv
        .split(/\r\n|\n|\r|\u0085|\u2028|\u2029/)
        .filter((line) => line.trim() !== "" && !line.trimStart().startsWith("#"))
        .map((line) => {
            // A quote would start a quoted field (and could swallow a comma or a line break): none may reach a line.
            assert.ok(!line.includes('"'), `a quote reached policy.csv: ${JSON.stringify(line)}`);
            return line.split(",").map((f) => f.replace(/^[ \t]+/, ""));
        });
}

function globalPolicy(groupRoles: { group: string; role: string }[]): string {
    const values = argoCdValues({
        rbac: { defaultPolicy: "", groupRoles },
        notifications: { enabled: false, webhooks: [] },
        ha: { enabled: false, controllerReplicas: 1, serverReplicas: 2, repoServerReplicas: 2, applicationSetReplicas: 2 },
        labels: {},
    }) as { configs: { rbac: { "policy.csv": string } } };
    return values.configs.rbac["policy.csv"];
}

/** Strings rich in what breaks a CSV line, mixed with any unicode. */
const groupName = fc.oneof(
    fc.string({ unit: fc.constantFrom(",", '"', "\n", "\r", " ", "\t", "#", "g", "p", ":", "role", "admin", "\u2028", "\u0085", "\u200b", "\u202e", "\u0000", "a", "é", "'", "\\", "*") }),
    fc.string({ unit: "binary" }),
    fc.string({ unit: "grapheme" }),
    fc.constantFrom("hello-team", "Acme Engineers", "team:hello/dev", "x, role:readonly\ng, everyone, role:admin\n#"),
);

describe("property: group names cannot add policy lines", function () {
    this.timeout(120_000);

    it("every accepted name is one subject of one line, in argocd-rbac-cm and in a project role", async () => {
        await check(
            fc.property(fc.array(groupName, { minLength: 1, maxLength: 5 }), (names) => {
                const accepted = names.filter((n) => IdentityGroupSchema.safeParse(n).success);
                const csv = globalPolicy([...accepted.map((group) => ({ group, role: "role:readonly" })), { group: "platform-team", role: "role:admin" }]);
                const projectLines = accepted.map((group) => `g, ${group}, proj:team-hello:deployer`).join("\n");
                const lines = policyLines(`${csv}\n${projectLines}`);
                const expected = [
                    ...accepted.map((g) => ["g", g, "role:readonly"]),
                    ["g", "platform-team", "role:admin"],
                    ...accepted.map((g) => ["g", g, "proj:team-hello:deployer"]),
                ];
                assert.deepStrictEqual(lines, expected);
                // Only the platform team is admin, whatever the names.
                assert.deepStrictEqual(lines.filter((l) => l[2] === "role:admin").map((l) => l[1]), ["platform-team"]);
            }),
            2000,
        );
    });

    it("every name that holds a line break, comma or quote is refused", async () => {
        await check(
            fc.property(groupName, (name) => {
                if (/[\r\n,"\u0085\u2028\u2029]/.test(name)) assert.strictEqual(IdentityGroupSchema.safeParse(name).success, false, JSON.stringify(name));
            }),
            2000,
        );
    });
});
