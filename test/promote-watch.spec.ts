/**
 * `npm run promote -- --watch`: after the promotion commit, the target's Applications are read every
 * 2 s (an injected reader and clock: minutes of rollout in no time) until each is Synced and Healthy
 * at the new release; a wave whose Application started syncing it and is not Healthy within the
 * verify window is rolled back by a new commit; a rollout that never moves is given up, not rolled back.
 */
import * as assert from "assert";
import type { ArgoApplication, ReleaseLine } from "../tools/promote/model";
import { promote } from "../tools/promote/promote";
import { watchPromotion } from "../tools/promote/watch";
import { type AppState, application, FakeClock, git, helloFleet, makeRepo, PROD_FILE, reader, STAGING_FILE, stagingApps, T0, type TestRepo, withTag } from "./fixtures/promote/harness";

const CLUSTERS = ["in-cluster", "eu-1", "eu-2"];
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000).toISOString();

describe("promote --watch", function () {
    this.timeout(60_000);
    let repo: TestRepo;
    let line: ReleaseLine;
    let before: string;
    let promotion: string;
    let clock: FakeClock;

    beforeEach(async () => {
        repo = makeRepo();
        const staged = repo.commit({ [STAGING_FILE]: withTag(repo, STAGING_FILE, "6.7.2") }, "Release 6.7.2 to staging");
        line = helloFleet(repo);
        before = staged;
        promotion = (await promote({ line, from: "staging", to: "prod", tree: repo.tree, readApplications: reader(stagingApps(staged)), clock: new FakeClock() })).sha!;
        clock = new FakeClock();
    });
    afterEach(() => repo.remove());

    /** Prod's Applications as a function of the seconds since the watch began. */
    const scripted = (stateAt: (cluster: string, seconds: number) => AppState) => async (): Promise<ArgoApplication[]> => {
        const seconds = (clock.now().getTime() - T0.getTime()) / 1000;
        return CLUSTERS.map((c) => application(c, "hello-fleet-prod", stateAt(c, seconds)));
    };

    /** Waiting (OutOfSync against the new commit, still Healthy at the old), syncing from `start`, Healthy from `healthy`. */
    const wave = (start: number, healthy: number) => (seconds: number): AppState => {
        if (seconds < start) return { sync: "OutOfSync", revision: promotion, healthySince: at(-600) };
        if (seconds < healthy) return { sync: "OutOfSync", revision: promotion, health: "Progressing", startedAt: at(start), syncing: promotion };
        return { revision: promotion, healthySince: at(healthy), startedAt: at(start), finishedAt: at(healthy), syncing: promotion };
    };

    it("finishes when every Application is Synced and Healthy at the new release, one line each with its seconds", async () => {
        const waves: Record<string, (s: number) => AppState> = { "in-cluster": wave(2, 6), "eu-1": wave(6, 10), "eu-2": wave(6, 12) };
        const lines: string[] = [];
        const count = repo.count();
        const { rollout, rollback } = await watchPromotion({ line, environment: line.environments[1], release: "6.7.2", promotionSha: promotion, tree: repo.tree, readApplications: scripted((c, s) => waves[c](s)), clock, log: (l) => lines.push(l) });
        assert.strictEqual(rollout.outcome, "healthy");
        assert.strictEqual(rollback, undefined);
        assert.strictEqual(rollout.elapsedSeconds, 12);
        const short = promotion.slice(0, 7);
        assert.deepStrictEqual(lines, [
            `  in-cluster-hello-fleet-prod: Synced and Healthy at ${short} after 6s`,
            `  eu-1-hello-fleet-prod: Synced and Healthy at ${short} after 10s`,
            `  eu-2-hello-fleet-prod: Synced and Healthy at ${short} after 12s`,
        ]);
        assert.ok(clock.sleeps.every((ms) => ms === 2000), "polls every 2 s");
        assert.strictEqual(repo.count(), count, "no commit");
    });

    it("rolls back with a new commit when a wave's Application stays Progressing past the verify window", async () => {
        const waves: Record<string, (s: number) => AppState> = { "in-cluster": wave(2, 6), "eu-1": wave(6, 10), "eu-2": wave(6, Infinity) };
        const lines: string[] = [];
        const { rollout, rollback } = await watchPromotion({ line, environment: line.environments[1], release: "6.7.2", promotionSha: promotion, tree: repo.tree, readApplications: scripted((c, s) => waves[c](s)), clock, log: (l) => lines.push(l) });
        assert.strictEqual(rollout.outcome, "failed");
        assert.strictEqual(rollout.failedApplication, "eu-2-hello-fleet-prod");
        // Synced at 6s, a 3m window: failed at the first read at or after 186s.
        assert.strictEqual(rollout.elapsedSeconds, 186);
        assert.ok(rollback?.sha);
        assert.strictEqual(repo.head(), rollback.sha);
        assert.strictEqual(git(repo.dir, ["log", "-1", "--format=%s"]), "Roll back hello-fleet in prod to 6.7.0");
        assert.deepStrictEqual(repo.tree.trailers("HEAD"), {
            "Rolled-Back": [promotion],
            Release: ["image.tag=6.7.0"],
            Reason: ["wave verification failed: eu-2-hello-fleet-prod not Healthy within 3m"],
        });
        assert.match(repo.read(PROD_FILE), /tag: "6\.7\.0"/);
        assert.strictEqual(git(repo.dir, ["rev-parse", "HEAD~1"]), promotion, "the promotion stays in the history");
        assert.strictEqual(lines.length, 2, "the two Healthy Applications were reported");
    });

    it("follows the rollback: an Application that took the failed release after it is synced to the rollback commit, once", async () => {
        const before: Record<string, (s: number) => AppState> = { "in-cluster": wave(2, 6), "eu-1": wave(6, 10), "eu-2": wave(6, Infinity) };
        const synced: string[] = [];
        const states = (c: string, s: number): AppState => {
            if (s < 186) return before[c](s);
            const rollbackSha = repo.head();
            // eu-2 synced the failed commit (RollingSync's recorded target) and stays on it until synced again.
            if (c === "eu-2" && synced.length === 0) return { sync: "OutOfSync", revision: rollbackSha, health: "Progressing", startedAt: at(6), finishedAt: at(7), syncing: promotion };
            return { revision: rollbackSha, healthySince: at(200), startedAt: at(190), finishedAt: at(192), syncing: rollbackSha };
        };
        const { rollback, recovery } = await watchPromotion({
            line, environment: line.environments[1], release: "6.7.2", promotionSha: promotion, tree: repo.tree, readApplications: scripted(states), clock,
            syncApplication: async (app, revision) => void synced.push(`${app.metadata.name}@${revision}`),
        });
        assert.ok(rollback?.sha);
        assert.deepStrictEqual(synced, [`eu-2-hello-fleet-prod@${rollback.sha}`], "only the Application on the failed release, to the rollback commit, once");
        assert.strictEqual(recovery?.outcome, "healthy");
        assert.deepStrictEqual(recovery?.resynced, ["eu-2-hello-fleet-prod"]);
    });

    it("does not count a later wave's wait (OutOfSync against the new commit) as its sync", async () => {
        // eu-2 waits its turn for 5 minutes, then syncs and is Healthy within the window.
        const waves: Record<string, (s: number) => AppState> = { "in-cluster": wave(2, 6), "eu-1": wave(6, 10), "eu-2": wave(170, 300) };
        const { rollout } = await watchPromotion({ line, environment: line.environments[1], release: "6.7.2", promotionSha: promotion, tree: repo.tree, readApplications: scripted((c, s) => waves[c](s)), clock });
        assert.strictEqual(rollout.outcome, "healthy");
        assert.strictEqual(rollout.elapsedSeconds, 300);
    });

    it("gives up without a rollback when nothing starts syncing for a whole window, and rides out a failed read", async () => {
        let reads = 0;
        const count = repo.count();
        const readApplications = async () => {
            if (++reads === 2) throw new Error("connection refused");
            return CLUSTERS.map((c) => application(c, "hello-fleet-prod", { sync: "OutOfSync", revision: before }));
        };
        const lines: string[] = [];
        const { rollout, rollback } = await watchPromotion({ line, environment: line.environments[1], release: "6.7.2", promotionSha: promotion, tree: repo.tree, readApplications, clock, log: (l) => lines.push(l) });
        assert.strictEqual(rollout.outcome, "stalled");
        assert.strictEqual(rollout.reason, "no Application of ApplicationSet app-hello-fleet-prod started syncing 6.7.2 or became Healthy for 3m");
        assert.strictEqual(rollback, undefined);
        assert.strictEqual(repo.count(), count);
        assert.deepStrictEqual(lines, ["  cannot read the Applications: connection refused"]);
    });

    it("does not roll back a change that is not its own promotion", async () => {
        repo.commit({ [PROD_FILE]: withTag(repo, PROD_FILE, "6.7.3") }, "prod by hand since");
        const head = repo.head();
        const stuck = scripted(() => ({ sync: "OutOfSync", health: "Progressing", revision: promotion, startedAt: at(0), syncing: promotion }));
        await assert.rejects(
            watchPromotion({ line, environment: line.environments[1], release: "6.7.2", promotionSha: promotion, tree: repo.tree, readApplications: stuck, clock }),
            /the last change of image\.tag in .*release-prod\.yaml is [0-9a-f]{7}, not [0-9a-f]{7}: not rolled back automatically/,
        );
        assert.strictEqual(repo.head(), head);
    });
});
