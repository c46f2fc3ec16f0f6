/**
 * bench/preview-phases.ts: a preview's phases read from the CLI's JSON log, as CLI 3.274.1 writes it
 * with `-v=7 --logtostderr` (the messages below are the engine's own).
 */
import * as assert from "assert";
import { previewPhases } from "../bench/preview-phases";

const line = (seconds: number, msg: string) => `${seconds === 0 ? "" : "..."}${JSON.stringify({ time: new Date(Date.UTC(2026, 11, 4, 16, 0, 0) + seconds * 1000).toISOString(), level: "INFO", msg, v: 7 })}`;

const LOG = [
    line(0, "OTLP receiver started on port 44741"),
    line(1.5, "*** Starting Update(preview=true) ***"),
    line(3, "ResourceMonitor.RegisterResource received: t=pulumi:pulumi:Stack, name=gitops-platform-local"),
    "a line of the program's own output, not JSON",
    line(4, "Provider[0x6ea859c6200].Construct(kubernetes:helm.sh/v4:Chart, argocd, urn:pulumi:local::gitops-platform::gitops:platform:ArgoCd::argocd) executing (#inputs=5)"),
    line(12.2, "Provider[0x6ea859c6200].Construct(kubernetes:helm.sh/v4:Chart, argocd, urn:pulumi:local::gitops-platform::gitops:platform:ArgoCd::argocd) success: #outputs=1"),
    line(15, "ResourceMonitor.RegisterResource received: t=kubernetes:argoproj.io/v1alpha1:Application, name=hello-service"),
    '{"time":"2026-12-04T16:00:16Z","msg":"cut',
    line(18, "Program exited with no error"),
    line(18.5, "*** Update(preview=true) complete ***"),
].join("\n");

describe("a preview's phases from the CLI's log", () => {
    it("splits the run at the engine's marks, the Argo CD chart's Construct apart", () => {
        assert.deepStrictEqual(previewPhases(LOG, 18.6), { start: 1.5, load: 1.5, register: 12, chart: 8.2, settle: 3, finish: 0.6, total: 18.6 });
    });

    it("has no chart figure for a program without the chart", () => {
        const bare = LOG.split("\n").filter((l) => !l.includes("Construct(")).join("\n");
        assert.strictEqual(previewPhases(bare, 18.6).chart, null);
    });

    it("says which marks are missing when the log is not the verbose one", () => {
        assert.throws(() => previewPhases("Previewing update (local):\n    90 unchanged\n", 14), /no mark for begin, update, firstRegistration, lastRegistration, exited: 0 log lines/);
        const truncated = LOG.split("\n").slice(0, 3).join("\n");
        assert.throws(() => previewPhases(truncated, 14), /no mark for exited/);
    });
});
