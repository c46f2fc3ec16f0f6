/**
 * Argo CD's API server in the loop, driven by the real `argocd` CLI as a user and a team would
 * (issue 22): the admin logs in over TLS and looks at the application (list, diff, history), rolls
 * it back; a team's project role token syncs its own application and is refused on another
 * project's. Every output of the CLI is kept for the canary check (the admin password goes to the
 * CLI on stdin, never on a command line) and written to the transcript, the team's token redacted.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { spawnTracked } from "../../tools/engine/processes";
import { waitForApplication } from "../../tools/local-cluster/applications";
import { ArgoCdServer } from "../../tools/local-cluster/argocd-server";
import { Kubectl } from "../../tools/local-cluster/kubectl";
import { pollUntil } from "../../tools/local-cluster/managed-process";
import { E2eRun, roundSeconds as round } from "./e2e-run";

export interface ArgoCdApiContext {
    /** Undefined when it did not start (the steps are then skipped). */
    server: ArgoCdServer | undefined;
    kubectl: () => Kubectl;
    /** Argo CD's namespace. */
    namespace: string;
    /** The team's application (hello-service), its namespace and project. */
    app: string;
    appNamespace: string;
    project: string;
    /** The commit Git's branch points at now. */
    head: () => string;
}

export interface ArgoCdApiSummary {
    /** `127.0.0.1:<port>` (TLS). */
    server: string;
    historyEntries: number;
    rollbackSeconds: number | null;
    /** Where the team's role came from. */
    projectRole: string | null;
}

interface CliResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** The pinned `argocd` CLI with a config file of its own, its outputs recorded. */
class ArgoCdCli {
    private static count = 0;
    private readonly secrets: string[] = [];

    constructor(
        private readonly run: E2eRun,
        private readonly binary: string,
        /** Who runs it, in the transcript: `admin`, `team`. */
        private readonly who: string,
        /** Global flags of every call (`--config`, `--server-crt`, ...). */
        private readonly globalArgs: string[],
        private readonly env: NodeJS.ProcessEnv = {},
    ) {}

    /** Redact `value` from the transcript from now on (a token this CLI holds). */
    hide(value: string): void {
        this.secrets.push(value);
    }

    /** `secretStdout`: its stdout is a credential (a token), kept for the canary check but not written to the transcript. */
    exec(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; secretStdout?: boolean } = {}): Promise<CliResult> {
        const n = ArgoCdCli.count++;
        const started = Date.now();
        const child = spawnTracked(this.binary, [...args, ...this.globalArgs], {
            env: { ...process.env, SSL_CERT_FILE: undefined, ARGOCD_OPTS: undefined, ARGOCD_AUTH_TOKEN: undefined, ARGOCD_SERVER: undefined, ...this.env, ...options.env },
            stdio: ["pipe", "pipe", "pipe"],
        });
        child.stdin?.end(options.input ?? "");
        let stdout = "";
        let stderr = "";
        child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
        const timeout = setTimeout(() => child.pid && process.kill(-child.pid, "SIGTERM"), options.timeoutMs ?? 180_000);
        return new Promise((resolve, reject) => {
            child.once("error", reject);
            child.once("close", (code) => {
                clearTimeout(timeout);
                const name = `argocd ${args.slice(0, 2).join(" ")} (${this.who}) #${n}`;
                this.run.record(`${name} stdout`, stdout);
                this.run.record(`${name} stderr`, stderr);
                const shown = (text: string) => this.secrets.reduce((t, s) => t.split(s).join("[project token]"), text);
                const out = options.secretStdout ? `[${stdout.length} characters: a credential, not shown]` : shown(stdout);
                fs.appendFileSync(
                    path.join(this.run.work, "transcript.log"),
                    `$ argocd ${args.join(" ")}   # as ${this.who}\n${out}\n${shown(stderr)}\n[exit ${code}, ${((Date.now() - started) / 1000).toFixed(1)} s]\n`,
                );
                resolve({ code: code ?? 1, stdout, stderr });
            });
        });
    }

    async ok(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; secretStdout?: boolean } = {}): Promise<string> {
        const r = await this.exec(args, options);
        assert.strictEqual(r.code, 0, `argocd ${args.join(" ")} (as ${this.who}) failed (exit ${r.code}):\n${options.secretStdout ? "" : r.stdout}\n${r.stderr}`);
        return r.stdout;
    }
}

interface ListedApplication {
    metadata: { name: string };
    spec: { project: string };
    status?: { sync?: { status?: string }; health?: { status?: string } };
}

/** The rows of `argocd app history`: ID, date and revision. */
function historyRows(text: string): { id: number; line: string }[] {
    return text
        .split("\n")
        .map((line) => /^(\d+)\s+\S/.exec(line) && { id: Number(/^(\d+)/.exec(line)![1]), line })
        .filter((r): r is { id: number; line: string } => !!r);
}

export async function argoCdApiSteps(run: E2eRun, ctx: ArgoCdApiContext): Promise<ArgoCdApiSummary> {
    const cliDir = path.join(run.work, "argocd-cli");
    fs.mkdirSync(cliDir, { recursive: true, mode: 0o700 });
    const binary = path.join(run.projectRoot, ".tools", "bin", "argocd");
    const address = ctx.server?.address ?? "not started";
    const certificate = ctx.server?.certificateFile ?? "none";
    const kubectl = ctx.kubectl;
    // HOME too: nothing of the CLI's lands in the user's home.
    const home = { HOME: cliDir };
    const admin = new ArgoCdCli(run, binary, "admin", ["--config", path.join(cliDir, "admin.config"), "--server-crt", certificate], home);
    const summary: ArgoCdApiSummary = { server: address, historyEntries: 0, rollbackSeconds: null, projectRole: null };
    const { app, project } = ctx;
    let otherApp: ListedApplication | undefined;

    await run.step("the real argocd CLI logs in to the loop's API server over TLS (its certificate checked) and lists the Applications", async () => {
        // A client that does not trust the certificate is stopped before any password is sent.
        const untrusted = await admin.exec(["login", address, "--username", "admin"], { input: "n\n" });
        assert.notStrictEqual(untrusted.code, 0, "argocd login accepted an unknown certificate");
        assert.match(untrusted.stdout + untrusted.stderr, /x509|certificate/, "the refusal does not name the certificate");
        // `argocd login` checks the server with the system's trust store, not --server-crt (3.6.1):
        // SSL_CERT_FILE names the one certificate to trust. The password goes on stdin.
        const login = await admin.ok(["login", address, "--username", "admin"], { input: `${run.canary}\n`, env: { SSL_CERT_FILE: certificate } });
        assert.match(login, /'admin(:login)?' logged in successfully/);
        const version = await admin.ok(["version"]);
        assert.match(version, /argocd-server: v3\.6\.1/, "the server's version");
        const table = await admin.ok(["app", "list"]);
        const row = table.split("\n").find((l) => new RegExp(`(^|/)${app}\\s`).test(l));
        assert.ok(row, `argocd app list shows no ${app}:\n${table}`);
        assert.match(row!, new RegExp(`\\b${project}\\s+Synced\\s+Healthy\\b`), `${app}'s row`);
        const apps = JSON.parse(await admin.ok(["app", "list", "-o", "json"])) as ListedApplication[];
        otherApp = apps.find((a) => a.spec.project !== project);
        return `https://${address}: ${apps.length} Applications in ${new Set(apps.map((a) => a.spec.project)).size} projects`;
    });

    let firstRevision = "";
    await run.step("argocd app diff shows no difference on the synced application; app history lists each sync with its Git commit", async () => {
        const diff = await admin.exec(["app", "diff", app]);
        assert.strictEqual(diff.code, 0, `argocd app diff found a difference on a synced application (exit ${diff.code}):\n${diff.stdout}\n${diff.stderr}`);
        assert.strictEqual(diff.stdout.trim(), "", "argocd app diff printed a difference");
        const history = await admin.ok(["app", "history", app]);
        const rows = historyRows(history);
        const object = await kubectl().get<{ status: { history: { id: number; revision: string }[] } }>(["applications.argoproj.io", app, "-n", ctx.namespace]);
        const recorded = object!.status.history;
        assert.deepStrictEqual(rows.map((r) => r.id), recorded.map((h) => h.id), `the CLI's history is not the Application's:\n${history}`);
        for (const h of recorded) assert.ok(rows.find((r) => r.id === h.id)!.line.includes(h.revision.slice(0, 7)), `history ${h.id} does not show commit ${h.revision}:\n${history}`);
        const commits = new Set(recorded.map((h) => h.revision));
        // The loop synced the first commit, a chart change and a removal: three commits at least.
        assert.ok(commits.size >= 3, `history holds ${commits.size} commits:\n${history}`);
        assert.ok(recorded.at(-1)!.revision === ctx.head(), "the last sync is not Git's head");
        firstRevision = recorded[0].revision;
        summary.historyEntries = rows.length;
        return `${rows.length} syncs of ${commits.size} commits`;
    });

    await run.step("argocd app rollback: refused while auto-sync is on; with it off the cluster returns to the first commit and app diff shows what Git has since", async () => {
        const configMap = ["configmap", app, "-n", ctx.appNamespace];
        const message = async () => (await kubectl().get<{ data: Record<string, string> }>(configMap))?.data.PODINFO_UI_MESSAGE;
        const headMessage = await message();
        const rows = historyRows(await admin.ok(["app", "history", app]));
        const target = [...rows].reverse().find((r) => r.line.includes(firstRevision.slice(0, 7)));
        assert.ok(target, `no history entry for the first commit ${firstRevision}`);
        const refused = await admin.exec(["app", "rollback", app, String(target!.id)]);
        assert.notStrictEqual(refused.code, 0, "argocd app rollback ran with auto-sync on");
        assert.match(refused.stderr + refused.stdout, /auto-sync is enabled/, "the refusal's reason");

        const declared = await kubectl().get<{ spec: { syncPolicy: unknown } }>(["applications.argoproj.io", app, "-n", ctx.namespace]);
        const started = Date.now();
        await admin.ok(["app", "set", app, "--sync-policy", "none"]);
        const rolledBack = await admin.ok(["app", "rollback", app, String(target!.id), "--timeout", "180"]);
        const original = YAML.parse(/PODINFO_UI_MESSAGE: (.*)/.exec(fs.readFileSync(path.join(run.projectRoot, "charts", app, "values-dev.yaml"), "utf8"))![1]) as string;
        await pollUntil(async () => (await message()) === original, 60_000, `the first commit's message in ConfigMap ${app}`, () => `"${headMessage}"`);
        assert.ok(await kubectl().get(["networkpolicy", app, "-n", ctx.appNamespace]), "the first commit's NetworkPolicy is not back");
        summary.rollbackSeconds = round((Date.now() - started) / 1000);
        assert.match(rolledBack, /Succeeded|Healthy/, "the rollback's result");
        const diff = await admin.exec(["app", "diff", app]);
        assert.strictEqual(diff.code, 1, `argocd app diff after the rollback (exit ${diff.code}):\n${diff.stdout}\n${diff.stderr}`);
        assert.match(diff.stdout, new RegExp(`ConfigMap ${ctx.appNamespace}/${app}`), "the diff does not show the ConfigMap");
        assert.match(diff.stdout, new RegExp(`NetworkPolicy ${ctx.appNamespace}/${app}`), "the diff does not show the NetworkPolicy removed since");

        // Auto-sync back as the program declared it: Argo CD returns to Git's head.
        await kubectl().run(["patch", "applications.argoproj.io", app, "-n", ctx.namespace, "--type=json", "-p", JSON.stringify([{ op: "replace", path: "/spec/syncPolicy", value: declared!.spec.syncPolicy }])]);
        const head = ctx.head();
        await waitForApplication(kubectl(), ctx.namespace, app, (s) => s.sync === "Synced" && s.health === "Healthy" && s.revision === head, 180_000);
        await pollUntil(async () => (await message()) === headMessage, 60_000, `Git head's message in ConfigMap ${app}`);
        await pollUntil(async () => (await kubectl().get(["networkpolicy", app, "-n", ctx.appNamespace])) === undefined, 60_000, "the NetworkPolicy pruned again");
        return `rolled back to history ${target!.id} (${firstRevision.slice(0, 12)}) in ${summary.rollbackSeconds} s; auto-sync on again, back at ${head.slice(0, 12)}`;
    });

    await run.step("a project role token syncs its own application and is refused on another project's", async () => {
        assert.ok(otherApp, "no Application of another project to try");
        const roleName = "deployer";
        const roles = await admin.ok(["proj", "role", "list", project]);
        if (new RegExp(`^${roleName}\\s`, "m").test(roles)) {
            summary.projectRole = `${project}/${roleName} from the stack config`;
        } else {
            // What a team lead would do when the stack declares no role.
            await admin.ok(["proj", "role", "create", project, roleName, "--description", "e2e: sync the team's applications"]);
            for (const action of ["get", "sync"]) await admin.ok(["proj", "role", "add-policy", project, roleName, "--action", action, "--permission", "allow", "--object", "*"]);
            summary.projectRole = `${project}/${roleName} created by the e2e (the stack declares none)`;
        }
        const token = (await admin.ok(["proj", "role", "create-token", project, roleName, "--token-only", "--expires-in", "1h"], { secretStdout: true })).trim();
        assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, "create-token printed no JWT");
        // The team: no login and no config of the admin's, only the server and the token (in the environment, never a flag).
        const team = new ArgoCdCli(run, binary, `proj:${project}:${roleName}`, ["--config", path.join(cliDir, "team.config"), "--server", address, "--server-crt", certificate], { ...home, ARGOCD_AUTH_TOKEN: token });
        team.hide(token);
        admin.hide(token);

        const visible = JSON.parse(await team.ok(["app", "list", "-o", "json"])) as ListedApplication[];
        assert.ok(visible.some((a) => a.metadata.name === app), `the token does not see ${app}`);
        // What it sees of other projects is policy.default's to say (a global role applies to every subject).
        const rbac = await kubectl().get<{ data?: Record<string, string> }>(["configmap", "argocd-rbac-cm", "-n", ctx.namespace]);
        const defaultRole = rbac?.data?.["policy.default"] ?? "";
        const seenElsewhere = visible.filter((a) => a.spec.project !== project).map((a) => a.metadata.name);
        if (defaultRole === "") assert.deepStrictEqual(seenElsewhere, [], "with no default role, the token sees another project's applications");

        let synced: CliResult | undefined;
        await pollUntil(
            async () => {
                synced = await team.exec(["app", "sync", app, "--timeout", "120"]);
                // An automated sync may be running: a user would try again.
                return synced.code === 0 || !/another operation is already in progress/.test(synced.stderr);
            },
            120_000,
            `a sync of ${app} with the token`,
        );
        assert.strictEqual(synced!.code, 0, `the token's sync of ${app} failed:\n${synced!.stdout}\n${synced!.stderr}`);
        assert.match(synced!.stdout, /Phase:\s+Succeeded/, "the sync's phase");

        const other = otherApp!.metadata.name;
        const refused = await team.exec(["app", "sync", other, "--timeout", "30"]);
        assert.notStrictEqual(refused.code, 0, `the token synced ${other} of project ${otherApp!.spec.project}`);
        assert.match(refused.stderr, /PermissionDenied|permission denied/, `the refusal of ${other}:\n${refused.stderr}`);
        assert.ok(!fs.readFileSync(path.join(run.work, "transcript.log"), "utf8").includes(token), "the project token is in the transcript");
        const sees = defaultRole === "" ? `sees only ${project}'s ${visible.length}` : `sees ${seenElsewhere.length} of other projects through policy.default ${defaultRole}`;
        return `${summary.projectRole}: ${sees}; synced ${app}; refused on ${other} (project ${otherApp!.spec.project})`;
    });

    return summary;
}
