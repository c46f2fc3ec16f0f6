/**
 * Teams get exactly their own access, as Argo CD's own RBAC engine decides it. For every stack the
 * program runs under mocks; its argo-cd chart values give `argocd-rbac-cm` (policy.csv and
 * policy.default exactly as components/argocd/values.ts renders them) and its AppProjects give the
 * project roles, which Argo CD loads as `p, proj:<project>:<role>, ...` lines and one
 * `g, <group>, proj:<project>:<role>` per group of the role. Both go into one ConfigMap file that the
 * real `argocd admin settings rbac validate` and `argocd admin settings rbac can` (Argo CD 3.6.1,
 * offline, `--policy-file`) judge. Argo CD loads a project's roles only for requests on that
 * project's objects; loading all of them at once can only allow more, so every refusal here holds
 * in the server too, and every allowance is on the project that holds the role.
 */
import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { argoCdValues } from "../components/argocd/values";
import { IdentityGroupSchema, TEAM_APPLICATION_ACTIONS } from "../stacks/schema";
import { ofType, PROJECT_ROOT, ProgramRun, runProgram } from "./support/program";

const ARGOCD = path.join(PROJECT_ROOT, ".tools", "bin", "argocd");
const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const STACKS = ["local", "dev", "staging", "prod"];

interface ProjectRole {
    name: string;
    policies: string[];
    groups?: string[];
}
interface Project {
    name: string;
    owner: string;
    roles: ProjectRole[];
    annotations: Record<string, string>;
}
/** What one stack gives Argo CD's RBAC. */
interface StackRbac {
    rbac: { "policy.csv": string; "policy.default": string };
    adminEnabled: boolean;
    platformTeam: string;
    projects: Project[];
    /** An application name per project (a real one where the stack declares one). */
    appOf: Map<string, string>;
}

function stackRbac(run: ProgramRun): StackRbac {
    const chart = run.resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.name === "argocd");
    assert.ok(chart, "the argo-cd Chart");
    const configs = (chart.inputs as { values: { configs: { rbac: StackRbac["rbac"]; cm: Record<string, unknown> } } }).values.configs;
    const projects = ofType(run, "kubernetes:argoproj.io/v1alpha1:AppProject").map((p) => {
        const inputs = p.inputs as { metadata: { name: string; labels: Record<string, string>; annotations?: Record<string, string> }; spec: { roles?: ProjectRole[] } };
        return { name: inputs.metadata.name, owner: inputs.metadata.labels["gitops.platform/owner"], roles: inputs.spec.roles ?? [], annotations: inputs.metadata.annotations ?? {} };
    });
    const appOf = new Map(projects.map((p) => [p.name, `${p.name}-app`]));
    for (const app of ofType(run, "kubernetes:argoproj.io/v1alpha1:Application")) {
        const inputs = app.inputs as { metadata: { name: string }; spec: { project: string } };
        appOf.set(inputs.spec.project, inputs.metadata.name);
    }
    const platformTeam = (chart.inputs as { values: { global: { additionalLabels: Record<string, string> } } }).values.global.additionalLabels["gitops.platform/owner"];
    return { rbac: configs.rbac, adminEnabled: configs.cm["admin.enabled"] === true, platformTeam, projects, appOf };
}

/** argocd-rbac-cm as Argo CD reads it, with every project's roles as Argo CD loads them. */
function policyFile(dir: string, name: string, rbac: StackRbac["rbac"], projects: Project[]): string {
    const projectLines = projects.flatMap((p) => p.roles.flatMap((r) => [...r.policies, ...(r.groups ?? []).map((g) => `g, ${g}, proj:${p.name}:${r.name}`)]));
    const csv = [rbac["policy.csv"], ...projectLines].filter((l) => l !== "").join("\n");
    const file = path.join(dir, `${name}.argocd-rbac-cm.yaml`);
    const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "argocd-rbac-cm", namespace: "argocd" }, data: { "policy.csv": csv, "policy.default": rbac["policy.default"] } };
    fs.writeFileSync(file, YAML.stringify(configMap));
    return file;
}

/** One question to Argo CD: may `subject` do `action` on `resource` `object`? */
interface Question {
    subject: string;
    action: string;
    resource: string;
    object: string;
}
const q = (subject: string, action: string, resource: string, object: string): Question => ({ subject, action, resource, object });
const show = (x: Question) => `${x.subject} ${x.action} ${x.resource} ${x.object}`;

function argocd(env: NodeJS.ProcessEnv, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile(ARGOCD, args, { env, timeout: 60_000 }, (err, stdout, stderr) => {
            const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : -1) : 0;
            resolve({ code, stdout, stderr });
        });
    });
}

describe("Argo CD RBAC: teams get exactly their own access (argocd admin settings rbac, Argo CD 3.6.1)", function () {
    this.timeout(600_000);
    let dir: string;
    let env: NodeJS.ProcessEnv;
    const stacks: Record<string, StackRbac> = {};

    /** Argo CD's answer to each question: true (Yes, exit 0) or false (No, exit 1); anything else fails. */
    async function answers(file: string, questions: Question[]): Promise<boolean[]> {
        const out: boolean[] = new Array(questions.length);
        let next = 0;
        const worker = async () => {
            while (next < questions.length) {
                const i = next++;
                const x = questions[i];
                const res = await argocd(env, ["admin", "settings", "rbac", "can", x.subject, x.action, x.resource, x.object, "--policy-file", file, "--strict"]);
                const said = res.stdout.trim();
                assert.ok((res.code === 0 && said === "Yes") || (res.code === 1 && said === "No"), `${show(x)}: exit ${res.code}, ${said} ${res.stderr.trim()}`);
                out[i] = res.code === 0;
            }
        };
        await Promise.all(Array.from({ length: 8 }, worker));
        return out;
    }

    /** Asserts Argo CD allows every question of `allowed` and refuses every one of `refused`; returns the table. */
    async function expect(file: string, allowed: Question[], refused: Question[]): Promise<string[]> {
        const said = await answers(file, [...allowed, ...refused]);
        const wrong: string[] = [];
        const table: string[] = [];
        [...allowed, ...refused].forEach((x, i) => {
            const want = i < allowed.length;
            table.push(`${said[i] ? "allowed" : "refused"}: ${show(x)}`);
            if (said[i] !== want) wrong.push(`${show(x)}: Argo CD says ${said[i] ? "allowed" : "refused"}, expected ${want ? "allowed" : "refused"}`);
        });
        assert.deepStrictEqual(wrong, [], `Argo CD's RBAC disagrees (${path.basename(file)}):\n${wrong.join("\n")}`);
        return table;
    }

    before(async () => {
        assert.ok(fs.existsSync(ARGOCD), `${ARGOCD} is missing: bash tools/install.sh argocd (npm test's pretest builds it)`);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "argocd-rbac-"));
        // `argocd admin` builds a Kubernetes client before it reads --policy-file; it never calls it.
        const kubeconfig = path.join(dir, "kubeconfig");
        fs.writeFileSync(
            kubeconfig,
            YAML.stringify({
                apiVersion: "v1",
                kind: "Config",
                clusters: [{ name: "offline", cluster: { server: "https://127.0.0.1:9" } }],
                users: [{ name: "offline", user: { token: "offline" } }],
                contexts: [{ name: "offline", context: { cluster: "offline", user: "offline", namespace: "argocd" } }],
                "current-context": "offline",
            }),
        );
        env = { PATH: process.env.PATH, HOME: dir, KUBECONFIG: kubeconfig };
        process.env.GITHUB_SHA = COMMIT;
        for (const stack of STACKS) stacks[stack] = stackRbac(await runProgram({ stack }));
    });
    after(() => {
        delete process.env.GITHUB_SHA;
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    for (const stack of STACKS) {
        it(`${stack}: argocd-rbac-cm with every project's roles is a valid policy`, async () => {
            const s = stacks[stack];
            const file = policyFile(dir, stack, s.rbac, s.projects);
            const res = await argocd(env, ["admin", "settings", "rbac", "validate", "--policy-file", file]);
            assert.strictEqual(res.code, 0, `${res.stdout}${res.stderr}`);
            assert.match(res.stdout, /Policy is valid/);
        });

        it(`${stack}: a project with roles takes them back from Argo CD's token writes (pulumi.com/patchForce); a project without roles does not force`, () => {
            const s = stacks[stack];
            assert.ok(s.projects.some((p) => p.roles.length > 0), "a project has roles");
            for (const p of s.projects) {
                assert.strictEqual(p.annotations["pulumi.com/patchForce"], p.roles.length > 0 ? "true" : undefined, `${stack}: AppProject ${p.name}`);
            }
        });

        it(`${stack}: each team's groups may get, sync and restart their own applications and nothing else; the platform team is admin`, async () => {
            const s = stacks[stack];
            const file = policyFile(dir, stack, s.rbac, s.projects);
            const teamProjects = s.projects.filter((p) => p.owner !== s.platformTeam);
            assert.ok(teamProjects.some((p) => p.roles.length > 0), "a team project has roles");
            const allowed: Question[] = [];
            const refused: Question[] = [];
            for (const project of teamProjects) {
                const own = `${project.name}/${s.appOf.get(project.name)}`;
                const others = s.projects.filter((p) => p.name !== project.name).map((p) => `${p.name}/${s.appOf.get(p.name)}`);
                for (const role of project.roles) {
                    const granted = new Set(role.policies.map((l) => l.split(",").map((f) => f.trim())).filter((f) => f[2] === "applications").map((f) => f[3]));
                    const logs = role.policies.some((l) => /, logs, get, /.test(l));
                    for (const group of role.groups ?? []) {
                        for (const action of TEAM_APPLICATION_ACTIONS) (granted.has(action) ? allowed : refused).push(q(group, action, "applications", own));
                        (logs ? allowed : refused).push(q(group, "get", "logs", own));
                        // What no team role gives: changing the applications Git declares, a shell, other projects, platform objects.
                        for (const action of ["create", "update", "delete", "update/*", "delete/*/Pod/*"]) refused.push(q(group, action, "applications", own));
                        refused.push(q(group, "create", "exec", own), q(group, "create", "applicationsets", own));
                        for (const other of others) {
                            for (const action of ["get", "sync", "override", "delete", "action/apps/Deployment/restart"]) refused.push(q(group, action, "applications", other));
                            refused.push(q(group, "get", "logs", other), q(group, "create", "exec", other));
                        }
                        for (const p of s.projects) refused.push(q(group, "get", "projects", p.name), q(group, "update", "projects", p.name));
                        for (const [resource, actions] of Object.entries(PLATFORM_OBJECTS)) for (const action of actions) refused.push(q(group, action, resource, "*"));
                    }
                }
            }
            const admins = adminSubjects(s);
            assert.ok(admins.length > 0, "someone is admin");
            for (const admin of admins) {
                for (const p of s.projects) {
                    for (const action of ["get", "sync", "delete", "action/apps/Deployment/restart"]) allowed.push(q(admin, action, "applications", `${p.name}/${s.appOf.get(p.name)}`));
                    allowed.push(q(admin, "update", "projects", p.name));
                }
                // Argo CD's built-in role:admin has no `accounts, create`.
                for (const [resource, actions] of Object.entries(PLATFORM_OBJECTS)) for (const action of actions) if (`${resource} ${action}` !== "accounts create") allowed.push(q(admin, action, resource, "*"));
            }
            // A logged-in user no group maps gets nothing (policy.default is empty).
            for (const p of s.projects) refused.push(q("someone-else", "get", "applications", `${p.name}/${s.appOf.get(p.name)}`));
            refused.push(q("someone-else", "get", "clusters", "*"), q("someone-else", "get", "projects", "team-hello"));
            await expect(file, allowed, refused);
        });
    }

    it("hello-team: the table Argo CD gives on prod (deployer on team-hello, read-only for its viewers)", async () => {
        const s = stacks.prod;
        const file = policyFile(dir, "prod-table", s.rbac, s.projects);
        const own = "team-hello/hello-service";
        const other = "platform-addons/addon-cert-manager";
        const table = await expect(
            file,
            [
                q("hello-team", "get", "applications", own),
                q("hello-team", "sync", "applications", own),
                q("hello-team", "action/apps/Deployment/restart", "applications", own),
                q("hello-team", "get", "logs", own),
                q("hello-team-viewers", "get", "applications", own),
                q("hello-team-viewers", "get", "logs", own),
                q("platform-team", "create", "clusters", "*"),
                q("platform-team", "sync", "applications", other),
            ],
            [
                q("hello-team", "override", "applications", own),
                q("hello-team", "delete", "applications", own),
                q("hello-team", "create", "exec", own),
                q("hello-team", "get", "applications", other),
                q("hello-team", "sync", "applications", other),
                q("hello-team", "get", "projects", "team-hello"),
                q("hello-team", "get", "clusters", "*"),
                q("hello-team", "get", "repositories", "*"),
                q("hello-team", "get", "certificates", "*"),
                q("hello-team", "get", "gpgkeys", "*"),
                q("hello-team", "update", "accounts", "*"),
                q("hello-team-viewers", "sync", "applications", own),
                q("hello-team-viewers", "action/apps/Deployment/restart", "applications", own),
            ],
        );
        console.log(table.map((l) => `        ${l}`).join("\n"));
    });

    it("a group name that breaks a policy line would make anyone admin in Argo CD; the schema refuses it", async () => {
        // The rest of the line the program writes after the group becomes a comment.
        const attack = "hello-team, role:readonly\ng, everyone, role:admin\n#";
        const naive = argoCdValues({
            rbac: { defaultPolicy: "", groupRoles: [{ group: attack, role: "role:readonly" }] },
            notifications: { enabled: false, webhooks: [] },
            ha: { enabled: false, controllerReplicas: 1, serverReplicas: 2, repoServerReplicas: 2, applicationSetReplicas: 2 },
            labels: {},
        }) as { configs: { rbac: StackRbac["rbac"] } };
        const file = policyFile(dir, "attack", naive.configs.rbac, []);
        const valid = await argocd(env, ["admin", "settings", "rbac", "validate", "--policy-file", file]);
        assert.strictEqual(valid.code, 0, "Argo CD takes the injected lines as a valid policy");
        await expect(file, [q("everyone", "create", "clusters", "*")], []);
        assert.strictEqual(IdentityGroupSchema.safeParse(attack).success, false);
        for (const bad of ["a,b", 'a"b', "a\nb", "a\rb", " a", "a ", "a\u2028b", "a\u0000b", "a\u202eb", "role:admin", "proj:team-hello:deployer"]) {
            assert.strictEqual(IdentityGroupSchema.safeParse(bad).success, false, JSON.stringify(bad));
        }
    });

    it("group names the schema accepts stay one subject in Argo CD's policy parser", async () => {
        const names = ["Acme Engineers", "#hash", "o'brien", "team:hello/dev", "ünïcode-team", "a;b", "back\\slash", "'single'", "*"];
        for (const n of names) assert.ok(IdentityGroupSchema.safeParse(n).success, n);
        const values = argoCdValues({
            rbac: { defaultPolicy: "", groupRoles: names.map((group) => ({ group, role: "role:readonly" })) },
            notifications: { enabled: false, webhooks: [] },
            ha: { enabled: false, controllerReplicas: 1, serverReplicas: 2, repoServerReplicas: 2, applicationSetReplicas: 2 },
            labels: {},
        }) as { configs: { rbac: StackRbac["rbac"] } };
        const file = policyFile(dir, "accepted-names", values.configs.rbac, []);
        const valid = await argocd(env, ["admin", "settings", "rbac", "validate", "--policy-file", file]);
        assert.strictEqual(valid.code, 0, valid.stdout + valid.stderr);
        // Each name is exactly one subject: it reads, a prefix of it does not, and nobody else does ("*" is no wildcard for subjects).
        await expect(
            file,
            names.map((n) => q(n, "get", "applications", "team-hello/x")),
            [q("Acme", "get", "applications", "team-hello/x"), q("anyone", "get", "applications", "team-hello/x"), ...names.map((n) => q(n, "sync", "applications", "team-hello/x"))],
        );
    });
});

/** Argo CD objects outside any project's applications, and actions on them. */
const PLATFORM_OBJECTS: Record<string, string[]> = {
    clusters: ["get", "create", "update", "delete"],
    repositories: ["get", "create", "update", "delete"],
    certificates: ["get", "create", "delete"],
    gpgkeys: ["get", "create", "delete"],
    accounts: ["create", "update"],
    projects: ["create"],
};

/** Who holds `role:admin`: the groups bound to it, and the local admin user where it is on. */
function adminSubjects(s: StackRbac): string[] {
    const groups = s.rbac["policy.csv"]
        .split("\n")
        .map((l) => l.split(",").map((f) => f.trim()))
        .filter((f) => f[0] === "g" && f[2] === "role:admin")
        .map((f) => f[1]);
    return [...groups, ...(s.adminEnabled ? ["admin"] : [])];
}
