/**
 * One program start-up, measured from inside the process: the stack's program run under the plan's
 * mocks, reporting milliseconds since the process started until the first resource registration
 * and until every registration is done. Run by startup.bench.ts in each loading mode.
 */
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import type * as pulumi from "@pulumi/pulumi";
import { PlanMocks } from "../tools/plan/mocks";
import { runProgram } from "../tools/plan/run-program";
import { readStackConfig } from "../tools/plan/stack-file";
import { withOfflineTerraformSource } from "../tools/plan/terraform-override";

/** The plan's mock answers, noting when the first resource is registered. */
class TimedMocks extends PlanMocks {
    firstResourceMs?: number;
    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
        this.firstResourceMs ??= performance.now();
        return super.newResource(args);
    }
}

async function main(stack: string, projectRoot: string): Promise<void> {
    const mocks = new TimedMocks();
    const stackConfig = withOfflineTerraformSource(projectRoot, readStackConfig(projectRoot, stack)).stackConfig;
    const run = await runProgram({ projectRoot, stackConfig, mocks });
    const totalMs = performance.now();
    process.stdout.write(`\n${JSON.stringify({ firstResourceMs: mocks.firstResourceMs, totalMs, resources: run.resources.length })}\n`);
}

const [stack, compiledRoot] = process.argv.slice(2);
// Run with the project root as working directory, like the engine runs a program.
const projectRoot = process.cwd();
if (compiledRoot) {
    // Precompiled: the plan loads `<project>/index.ts` as the engine would; hand it the compiled copy.
    require.extensions[".ts"] = (module, filename) => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        module.exports = require(path.join(path.resolve(compiledRoot), path.relative(projectRoot, filename)).replace(/\.ts$/, ".js"));
    };
}
main(stack, projectRoot).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
});
