/**
 * Mocha root hooks (a Root Hook Plugin, loaded by `require` in .mocharc.json): once the whole run is over, stop the
 * policy pack the specs share (./support.ts starts it on first use, so a run without policy specs never starts it).
 */
import { closeSharedAnalyzer } from "./support";

export const mochaHooks = {
    async afterAll(this: Mocha.Context): Promise<void> {
        this.timeout(60_000);
        await closeSharedAnalyzer();
    },
};
