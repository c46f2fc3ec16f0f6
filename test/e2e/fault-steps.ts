/**
 * Faults in the loop (issue 30): each fault of tools/chaos/faults.ts injected into the running loop
 * at a moment chosen to hurt, then cleared; each step waits for the loop to converge alone and checks
 * that nothing was lost. `npm run e2e` runs the short version (the faults that converge without
 * waiting for Argo CD's next reconciliation); `npm run chaos` runs every fault `rounds` times.
 */
import { ChaosLoop, FaultReport } from "../../tools/chaos/chaos-loop";
import { describeReport, FAULTS } from "../../tools/chaos/faults";
import { E2eRun } from "./e2e-run";

export async function faultSteps(run: E2eRun, loop: () => ChaosLoop, options: { all: boolean; rounds: number; only?: string }): Promise<FaultReport[]> {
    const reports: FaultReport[] = [];
    const { rounds, only } = options;
    const faults = FAULTS.filter((f) => (options.all || f.short) && (!only || f.proves.toLowerCase().includes(only.toLowerCase())));
    for (let round = 1; round <= rounds; round++) {
        for (const fault of faults) {
            await run.step(`fault: ${fault.proves}${rounds > 1 ? ` (round ${round} of ${rounds})` : ""}`, async () => {
                const report = await fault.run(loop());
                reports.push(report);
                return describeReport(report);
            });
        }
    }
    return reports;
}
