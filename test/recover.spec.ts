/**
 * tools/engine/recover.ts on a file backend's layout, with the CLI's answers scripted (the real CLI,
 * a real SIGKILL and the real lock are proven in the loop: test/e2e/fault-steps.ts). What it must
 * never do: remove a lock whose update still runs, or one from another machine.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CliResult } from "../tools/engine/pulumi-cli";
import { recoverAndUpdate, recoverInterruptedUpdate, RecoveryError, stackLocks } from "../tools/engine/recover";

const STACK_ARGS = ["--stack", "local", "--config-file", "Pulumi.local.yaml"];

/** A pid that is certainly gone: a process that already exited. */
function deadPid(): number {
    return spawnSync(process.execPath, ["-e", "0"]).pid!;
}

describe("recovery of an interrupted pulumi up", () => {
    let backend: string;
    const ws = () => ({ projectRoot: "/nowhere", backendDir: backend, passphrase: "p" });
    const lock = (stack: string, content: unknown) => {
        const dir = path.join(backend, ".pulumi", "locks", "organization", "gitops-platform", stack);
        fs.mkdirSync(dir, { recursive: true });
        const file = path.join(dir, `${Math.random().toString(16).slice(2)}.json`);
        fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
        return file;
    };
    /** The CLI, scripted: what each command answers, and the commands it was asked. */
    const cli = (exported: unknown) => {
        const asked: string[][] = [];
        const run = async (args: string[]): Promise<CliResult> => {
            // `stack export --file F` writes the state to F.
            if (args[0] === "stack") {
                fs.writeFileSync(args[args.indexOf("--file") + 1], JSON.stringify(exported));
                asked.push(args.slice(0, args.indexOf("--file")));
            } else asked.push(args);
            return { args, code: 0, stdout: "", stderr: "", seconds: 0 };
        };
        return { asked, run };
    };

    beforeEach(() => (backend = fs.mkdtempSync(path.join(os.tmpdir(), "recover-"))));
    afterEach(() => fs.rmSync(backend, { recursive: true, force: true }));

    it("a lock whose process is gone: pulumi cancel, then a refresh that imports a pending create of a Kubernetes object by namespace/name", async () => {
        lock("local", { pid: deadPid(), username: "u", hostname: os.hostname(), timestamp: "2026-12-03T22:00:00Z" });
        lock("dev", { pid: process.pid, username: "u", hostname: os.hostname(), timestamp: "2026-12-03T22:00:00Z" });
        const urn = "urn:pulumi:local::gitops-platform::kubernetes:core/v1:ConfigMap::argocd-cm";
        const { asked, run } = cli({ deployment: { pending_operations: [
            { type: "creating", resource: { urn, type: "kubernetes:core/v1:ConfigMap", inputs: { metadata: { name: "argocd-cm", namespace: "argocd" } } } },
            { type: "updating", resource: { urn: `${urn}-2`, type: "kubernetes:apps/v1:Deployment", inputs: { metadata: { name: "argocd-server", namespace: "argocd" } } } },
        ] } });
        const recovery = await recoverInterruptedUpdate(ws(), STACK_ARGS, run);
        assert.strictEqual(recovery.staleLocks.length, 1, "only the local stack's lock");
        assert.deepStrictEqual(recovery.pendingOperations.map((o) => [o.type, o.id]), [["creating", "argocd/argocd-cm"], ["updating", "argocd/argocd-server"]]);
        assert.deepStrictEqual(asked, [
            ["cancel", "--yes", "local"],
            ["stack", "export", "--stack", "local"],
            ["refresh", "--yes", ...STACK_ARGS, `--import-pending-creates=${urn}`, "--import-pending-creates=argocd/argocd-cm"],
        ]);
    });

    it("a lock whose update still runs is left alone, and said so", async () => {
        const file = lock("local", { pid: process.pid, username: "u", hostname: os.hostname(), timestamp: "2026-12-03T22:00:00Z" });
        const { asked, run } = cli({ deployment: {} });
        await assert.rejects(recoverInterruptedUpdate(ws(), STACK_ARGS, run), (e: Error) => e instanceof RecoveryError && e.message.includes(file) && e.message.includes(`being updated by pid ${process.pid}`));
        assert.deepStrictEqual(asked, [], "nothing run");
        assert.ok(fs.existsSync(file));
    });

    it("a lock from another machine is left alone: whether its update runs cannot be told", async () => {
        lock("local", { pid: deadPid(), username: "u", hostname: "ci-runner-7", timestamp: "2026-12-03T22:00:00Z" });
        const { asked, run } = cli({ deployment: {} });
        await assert.rejects(recoverInterruptedUpdate(ws(), STACK_ARGS, run), /locked from ci-runner-7/);
        assert.deepStrictEqual(asked, []);
    });

    it("a truncated lock file is an error naming it", () => {
        const file = lock("local", '{"pid": 12');
        assert.throws(() => stackLocks(backend, "local"), (e: Error) => e instanceof RecoveryError && e.message.startsWith(`${file}: not a lock Pulumi wrote`));
    });

    it("nothing to recover: only the state is read", async () => {
        const { asked, run } = cli({ deployment: { resources: [] } });
        const recovery = await recoverInterruptedUpdate(ws(), STACK_ARGS, run);
        assert.deepStrictEqual(recovery, { staleLocks: [], pendingOperations: [], staleRecords: [], commands: ["pulumi stack export --stack local"] });
        assert.deepStrictEqual(asked.map((a) => a[0]), ["stack"]);
    });

    it("a pending create whose id cannot be known is not dropped: the error says how to import it", async () => {
        lock("local", { pid: deadPid(), username: "u", hostname: os.hostname(), timestamp: "2026-12-03T22:00:00Z" });
        const urn = "urn:pulumi:local::gitops-platform::aws:s3/bucket:Bucket::state";
        const { run } = cli({ deployment: { pending_operations: [{ type: "creating", resource: { urn, type: "aws:s3/bucket:Bucket", inputs: {} } }] } });
        await assert.rejects(recoverInterruptedUpdate(ws(), STACK_ARGS, run), (e: Error) => e.message.includes(urn) && e.message.includes("--import-pending-creates"));
    });

    it("the whole recovery: the lock and pending operations, the update again, then the objects it recorded before their update read back", async () => {
        lock("local", { pid: deadPid(), username: "u", hostname: os.hostname(), timestamp: "2026-12-03T22:00:00Z" });
        const urn = "urn:pulumi:local::gitops-platform::kubernetes:apps/v1:Deployment::argocd-server";
        const relabelled = { urn, type: "kubernetes:apps/v1:Deployment", inputs: { metadata: { labels: { commit: "new" } } }, outputs: { metadata: { labels: { commit: "old" } } } };
        const { asked, run } = cli({ deployment: { pending_operations: [], resources: [relabelled] } });
        const update = async (): Promise<CliResult> => (asked.push(["up"]), { args: ["up"], code: 0, stdout: "", stderr: "", seconds: 0 });
        const recovery = await recoverAndUpdate(ws(), STACK_ARGS, update, run);
        assert.deepStrictEqual(asked.map((a) => a[0]), ["cancel", "stack", "refresh", "up", "stack", "refresh"]);
        assert.deepStrictEqual(asked[5], ["refresh", "--yes", "--skip-preview", ...STACK_ARGS, "--target", urn]);
        assert.deepStrictEqual(recovery.staleRecords.map((r) => r.urn), [urn]);
    });

    it("an update that fails after the recovery is an error, and the state is not read back over it", async () => {
        const { asked, run } = cli({ deployment: {} });
        const update = async (): Promise<CliResult> => ({ args: ["up"], code: 255, stdout: "", stderr: "error: the stack is currently locked by 1 lock(s)", seconds: 0 });
        await assert.rejects(recoverAndUpdate(ws(), STACK_ARGS, update, run), /pulumi up after the recovery failed:\nerror: the stack is currently locked/);
        assert.deepStrictEqual(asked.map((a) => a[0]), ["stack"]);
    });
});
