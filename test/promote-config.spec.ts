/**
 * `gitops.promotion` in the stack config: the shape (durations, at least two environments, unique
 * names) in the schema, the relations (a hub entry with a Git chart folder and a values file, one
 * release file per environment, one line per name) in the stack rules, every problem with its key path.
 */
import * as assert from "assert";
import { durationMs } from "../stacks/schema/promotion";
import { configError, withAuditCommit } from "./support/program";
import { fleetEntry, HELLO_FLEET, parse, platformWith } from "./fixtures/promote/harness";

const AT = "platform.gitops.promotion[0]";

/** The problems of the local stack with `promotion` (and the two fleet entries, or `applications`). */
const problems = (promotion: unknown[], applications?: unknown[]) => parse(platformWith(promotion, applications)).problems;
const paths = (promotion: unknown[], applications?: unknown[]) => problems(promotion, applications).map((p) => p.path).sort();
const env = (j: number, patch: Record<string, unknown>) => ({ ...HELLO_FLEET, environments: HELLO_FLEET.environments.map((e, i) => (i === j ? { ...e, ...patch } : e)) });

describe("gitops.promotion in the stack config", function () {
    this.timeout(60_000);

    it("accepts the documented shape and fills the defaults", () => {
        const { platform, problems: found } = parse(platformWith([{ application: "hello-fleet", environments: [{ name: "staging", application: "hello-fleet-staging" }, { name: "prod", application: "hello-fleet-prod", soak: "1h30m" }] }]));
        assert.deepStrictEqual(found, []);
        assert.deepStrictEqual(platform!.gitops.promotion[0], {
            application: "hello-fleet",
            release: "image.tag",
            environments: [
                { name: "staging", application: "hello-fleet-staging", soak: "0s", verifyWindow: "10m" },
                { name: "prod", application: "hello-fleet-prod", soak: "1h30m", verifyWindow: "10m" },
            ],
        });
        assert.deepStrictEqual(parse(platformWith([], [])).platform!.gitops.promotion, [], "default: none");
    });

    it("reads durations as hours, minutes and seconds in that order", () => {
        assert.deepStrictEqual(["30s", "2m", "1h", "1h30m", "0s", "1h0m5s"].map(durationMs), [30_000, 120_000, 3_600_000, 5_400_000, 0, 3_605_000]);
        for (const bad of ["", "90", "1m1h", "5 minutes", "1.5h", "-1s"]) assert.strictEqual(durationMs(bad), undefined, bad);
        assert.deepStrictEqual(problems([env(0, { soak: "5 minutes" })]), [{ path: `${AT}.environments[0].soak`, message: "expected a duration like 30s, 2m, 1h or 1h30m" }]);
    });

    it("refuses an unknown entry, naming the known ones", () => {
        const found = problems([env(1, { application: "hello-fleet-prd" })]);
        assert.strictEqual(found.length, 1);
        assert.strictEqual(found[0].path, `${AT}.environments[1].application`);
        assert.match(found[0].message, /^unknown application "hello-fleet-prd"; known: .*hello-fleet-staging, hello-fleet-prod$/);
    });

    it("refuses an entry without a values file, and two environments on one release file", () => {
        const apps = [fleetEntry("hello-fleet-staging", []), fleetEntry("hello-fleet-prod", ["values.yaml", "release-prod.yaml"]), fleetEntry("hello-fleet-canary", ["release-prod.yaml"])];
        const line = { ...HELLO_FLEET, environments: [...HELLO_FLEET.environments, { name: "canary", application: "hello-fleet-canary" }] };
        assert.deepStrictEqual(problems([line], apps), [
            { path: `${AT}.environments[0].application`, message: 'application "hello-fleet-staging" has no source.valueFiles: a promotion commits the release to its last values file in a Git chart folder' },
            { path: `${AT}.environments[2].application`, message: 'release file charts/hello-service/release-prod.yaml is environment "prod"\'s too: each environment needs its own' },
        ]);
    });

    it("refuses an environment whose application syncs a pinned revision: a promotion commit would never deploy", () => {
        const pinned = fleetEntry("hello-fleet-prod", ["release-prod.yaml"]);
        pinned.source = { repository: "gitops-platform", path: "charts/hello-service", revision: "v0.1.0", valueFiles: ["release-prod.yaml"] };
        const found = problems([HELLO_FLEET], [fleetEntry("hello-fleet-staging", ["release-staging.yaml"]), pinned]);
        assert.deepStrictEqual(found.map((p) => p.path), [`${AT}.environments[1].application`]);
        assert.match(found[0].message, /syncs pinned revision v0\.1\.0, so a promotion commit would never deploy: set source\.trackBranch/);
    });

    it("refuses an environment whose application stamps the synced revision on its objects (auditValues)", () => {
        const stamped = fleetEntry("hello-fleet-prod", ["release-prod.yaml"], { auditValues: true });
        const found = problems([HELLO_FLEET], [fleetEntry("hello-fleet-staging", ["release-staging.yaml"]), stamped]);
        assert.deepStrictEqual(found.map((p) => p.path), [`${AT}.environments[1].application`]);
        assert.match(found[0].message, /every commit to the branch, another environment's release included, would roll out this environment too/);
    });

    it("refuses a line named twice, an environment named twice, fewer than two environments and unknown keys", () => {
        assert.deepStrictEqual(paths([HELLO_FLEET, HELLO_FLEET]), ["platform.gitops.promotion[1].application"]);
        assert.deepStrictEqual(paths([env(1, { name: "staging" })]), [`${AT}.environments[1].name`]);
        assert.deepStrictEqual(paths([{ ...HELLO_FLEET, environments: [HELLO_FLEET.environments[0]] }]), [`${AT}.environments`]);
        assert.deepStrictEqual(paths([env(0, { sok: "20s" })]), [`${AT}.environments[0].sok`]);
        assert.deepStrictEqual(paths([{ ...HELLO_FLEET, release: "image tag" }]), [`${AT}.release`]);
    });

    describe("through the program's config loading", () => {
        withAuditCommit();

        it("refuses an entry from a Helm repository with its key path in the StackConfigError", async () => {
            const err = await configError({
                stack: "staging",
                platform: { gitops: { promotion: [{ application: "hello", environments: [{ name: "staging", application: "hello-service" }, { name: "prod", application: "hello-nope" }] }] } },
            });
            assert.deepStrictEqual(err.problems, [
                { path: `${AT}.environments[0].application`, message: 'application "hello-service" has no Git source: a promotion commits the release to its last values file in a Git chart folder' },
                { path: `${AT}.environments[1].application`, message: 'unknown application "hello-nope"; known: hello-service' },
            ]);
        });
    });
});
