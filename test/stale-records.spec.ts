/**
 * tools/engine/stale-records.ts on states shaped as `pulumi stack export` writes them, with the
 * CLI's answers scripted. The real case (the provider's rollout wait ending on an event older than a
 * label-only update) is in the loop: `npm run chaos`'s "two pulumi up at once" and the killed update.
 */
import * as assert from "assert";
import * as fs from "fs";
import { CliResult } from "../tools/engine/pulumi-cli";
import { readBackStaleRecords, staleRecords } from "../tools/engine/stale-records";
import { StateResource } from "../tools/engine/state-export";

const STACK_ARGS = ["--stack", "local", "--config-file", "Pulumi.local.yaml"];
const DEPLOYMENT = "urn:pulumi:local::gitops-platform::gitops:platform:ArgoCd$kubernetes:helm.sh/v4:Chart$kubernetes:apps/v1:Deployment::argocd:argocd/argocd-server";
const COMMIT = "gitops.platform/git-commit";

/** A Kubernetes object as the state holds it: the inputs it was last applied with, the object recorded. */
function object(urn: string, applied: Record<string, unknown>, recorded: Record<string, unknown>, type = "kubernetes:apps/v1:Deployment"): StateResource {
    return { urn, type, inputs: { metadata: { labels: applied } }, outputs: { metadata: { labels: recorded } } };
}

describe("objects recorded as they were before their update", () => {
    it("a Deployment whose recorded commit label is not the one it was updated with is stale, with what differs", () => {
        const stale = staleRecords([object(DEPLOYMENT, { [COMMIT]: "6674d737", app: "server" }, { [COMMIT]: "unknown", app: "server", "pod-template-hash": "x" })]);
        assert.deepStrictEqual(stale, [{ urn: DEPLOYMENT, differences: [`labels.${COMMIT}: "unknown" != "6674d737"`] }]);
    });

    it("a label or annotation the update added and the record lacks is stale too", () => {
        const r: StateResource = { urn: DEPLOYMENT, type: "kubernetes:apps/v1:Deployment", inputs: { metadata: { annotations: { owner: "platform-team" } } }, outputs: { metadata: {} } };
        assert.deepStrictEqual(staleRecords([r])[0].differences, ['annotations.owner: null != "platform-team"']);
    });

    it("labels the cluster added beside the applied ones, and secret values, are not differences", () => {
        const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc" };
        assert.deepStrictEqual(staleRecords([object(DEPLOYMENT, { [COMMIT]: "a", token: secret }, { [COMMIT]: "a", "controller-revision-hash": "1" })]), []);
    });

    it("charts, providers, components and objects never created are not objects to read back", () => {
        const urn = (t: string) => `urn:pulumi:local::gitops-platform::${t}::x`;
        const resources: StateResource[] = [
            object(urn("kubernetes:helm.sh/v4:Chart"), { [COMMIT]: "b" }, { [COMMIT]: "a" }, "kubernetes:helm.sh/v4:Chart"),
            object(urn("pulumi:providers:kubernetes"), { [COMMIT]: "b" }, { [COMMIT]: "a" }, "pulumi:providers:kubernetes"),
            object(urn("gitops:platform:ArgoCd"), { [COMMIT]: "b" }, { [COMMIT]: "a" }, "gitops:platform:ArgoCd"),
            { urn: urn("kubernetes:core/v1:ConfigMap"), type: "kubernetes:core/v1:ConfigMap", inputs: { metadata: { labels: { [COMMIT]: "b" } } } },
        ];
        assert.deepStrictEqual(staleRecords(resources), []);
    });
});

describe("reading them back", () => {
    /** The CLI, scripted: `stack export --file F` writes `exported` to F; refresh answers `refreshCode`. */
    const cli = (exported: unknown, refreshCode = 0) => {
        const asked: string[][] = [];
        const run = async (args: string[]): Promise<CliResult> => {
            if (args[0] === "stack") fs.writeFileSync(args[args.indexOf("--file") + 1], JSON.stringify(exported));
            asked.push(args[0] === "stack" ? args.slice(0, args.indexOf("--file")) : args);
            const code = args[0] === "refresh" ? refreshCode : 0;
            return { args, code, stdout: "", stderr: code ? "error: the API server is unreachable" : "", seconds: 0 };
        };
        return { asked, run };
    };
    const other = DEPLOYMENT.replace("argocd-server", "argocd-redis");

    it("one refresh that targets exactly the stale objects", async () => {
        const { asked, run } = cli({ deployment: { resources: [object(DEPLOYMENT, { [COMMIT]: "b" }, { [COMMIT]: "a" }), object(other, { [COMMIT]: "b" }, { [COMMIT]: "b" })] } });
        const stale = await readBackStaleRecords(run, STACK_ARGS);
        assert.deepStrictEqual(stale.map((s) => s.urn), [DEPLOYMENT]);
        assert.deepStrictEqual(asked, [["stack", "export", "--stack", "local"], ["refresh", "--yes", "--skip-preview", ...STACK_ARGS, "--target", DEPLOYMENT]]);
    });

    it("nothing stale: the state is only read", async () => {
        const { asked, run } = cli({ deployment: { resources: [object(other, { [COMMIT]: "b" }, { [COMMIT]: "b" })] } });
        assert.deepStrictEqual(await readBackStaleRecords(run, STACK_ARGS), []);
        assert.deepStrictEqual(asked.map((a) => a[0]), ["stack"]);
    });

    it("a refresh that fails is an error saying what was read back and why", async () => {
        const { run } = cli({ deployment: { resources: [object(DEPLOYMENT, { [COMMIT]: "b" }, { [COMMIT]: "a" })] } }, 255);
        await assert.rejects(readBackStaleRecords(run, STACK_ARGS), /refresh of 1 objects recorded before their update failed:\nerror: the API server is unreachable/);
    });
});
