/**
 * How the property tests run fast-check: every property over many generated cases, seeded. The seed
 * is random per run unless PROPERTY_SEED is set, and a failure prints it with the shrunk case and
 * the path to it, so `PROPERTY_SEED=<seed> PROPERTY_PATH=<path> npx mocha <spec>` reruns exactly that case.
 */
import * as fc from "fast-check";

const envSeed = process.env.PROPERTY_SEED;
/** One seed for the whole mocha run, printed once so a CI log always says how to rerun it. */
export const SEED = envSeed !== undefined ? Number(envSeed) : Math.floor(Math.random() * 0x7fffffff);
let announced = false;

/** Cases per property: PROPERTY_RUNS overrides (e.g. 100 for a quick local loop). */
export function runs(defaultRuns: number): number {
    return process.env.PROPERTY_RUNS ? Number(process.env.PROPERTY_RUNS) : defaultRuns;
}

/** fc.assert with the run's seed and, on failure, the rerun command in the message. */
export async function check<T>(property: fc.IAsyncProperty<T> | fc.IProperty<T>, numRuns: number): Promise<void> {
    if (!announced) {
        announced = true;
        console.log(`      (property seed ${SEED}; rerun with PROPERTY_SEED=${SEED})`);
    }
    const params: fc.Parameters<T> = { seed: SEED, numRuns: runs(numRuns), endOnFailure: false };
    if (process.env.PROPERTY_PATH) params.path = process.env.PROPERTY_PATH;
    await fc.assert(property as fc.IAsyncProperty<T>, params);
}
