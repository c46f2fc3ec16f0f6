import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { PlanMocks } from "./mocks";
import { PROJECT, EngineConfig } from "./stack-file";
import { unwrapSecrets } from "./secrets";

/** A resource the program registered, as the engine would have received it. */
export interface RegisteredResource {
    urn: string;
    type: string;
    name: string;
    /** False for component resources. */
    custom: boolean;
    /** Provided by a provider plugin as a multi-language component (e.g. a helm v4 Chart). */
    remote: boolean;
    parent?: string;
    /** URN of the explicit provider, when one was given. */
    provider?: string;
    /** Inputs in Pulumi's serialized form: secrets keep their signature (see secrets.ts). */
    properties: Record<string, unknown>;
    /** Inputs as the program's code sees them: secrets unwrapped. Never write these out. */
    inputs: Record<string, unknown>;
    options: {
        protect: boolean;
        retainOnDelete: boolean;
        dependsOn: string[];
        additionalSecretOutputs: string[];
        ignoreChanges: string[];
        deleteBeforeReplace: boolean;
    };
}

/** What one run of the program under mocks produced. */
export interface ProgramRun {
    stack: string;
    resources: RegisteredResource[];
    /** Stack outputs in serialized form (secrets keep their signature). */
    outputs: Record<string, unknown>;
}

export interface RunProgramOptions {
    /** The project root: where Pulumi.yaml and index.ts are. */
    projectRoot: string;
    /** Config as the engine would hand it to the program. */
    stackConfig: EngineConfig;
    /** Mock provider answers; the plan's defaults unless a test needs others. */
    mocks?: pulumi.runtime.Mocks;
    /**
     * The directory of the program's index.ts, when it is another project's that reads the same
     * stack file (argocd-crds).
     * @default - projectRoot
     */
    programDir?: string;
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getRemote(): boolean;
    getProvider(): string;
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
    getProtect(): boolean | undefined;
    getRetainondelete(): boolean | undefined;
    getDependenciesList(): string[];
    getAdditionalsecretoutputsList(): string[];
    getIgnorechangesList(): string[];
    getDeletebeforereplace(): boolean;
}
type Callback = (err: Error | null, resp?: { getUrn(): string }) => void;
interface Monitor {
    registerResource(req: RegisterRequest, cb: Callback): void;
}

/**
 * Runs the real program (index.ts, loaded as the engine loads it) in this process under Pulumi's mock runtime
 * and returns every resource it registered with its inputs, parent, provider and options.
 * One process can run several stacks, one after the other.
 */
export async function runProgram(options: RunProgramOptions): Promise<ProgramRun> {
    const { projectRoot, stackConfig } = options;
    pulumi.runtime.setAllConfig(stackConfig.config, stackConfig.secretKeys);
    await pulumi.runtime.setMocks(options.mocks ?? new PlanMocks(), PROJECT, stackConfig.stack, false);
    // The engine supports resource transforms; the SDK's mocks say they do not and would refuse the
    // Charts' transforms. They only ever apply to a Chart's rendered objects, which mocks never make.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require("@pulumi/pulumi/runtime/state") as { getStore(): { supportsTransforms: boolean } }).getStore().supportsTransforms = true;

    const resources: RegisteredResource[] = [];
    const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) => {
        register(req, (err, resp) => {
            if (!err && resp) {
                resources.push(toRegisteredResource(req, resp.getUrn()));
            }
            cb(err, resp);
        });
    };

    const program = loadProgram(options.programDir ?? projectRoot);
    const exported = await program();
    const outputs = await pulumi.runtime.serializeProperties("outputs", (exported ?? {}) as pulumi.Inputs);
    await waitForRegistrations();
    return { stack: stackConfig.stack, resources, outputs };
}

function toRegisteredResource(req: RegisterRequest, urn: string): RegisteredResource {
    const properties = req.getObject()?.toJavaScript() ?? {};
    const provider = req.getProvider();
    return {
        urn,
        type: req.getType(),
        name: req.getName(),
        custom: req.getCustom(),
        remote: req.getRemote(),
        parent: req.getParent() || undefined,
        // A provider reference is "<urn>::<id>"; the URN is what links it to its resource.
        provider: provider ? provider.slice(0, provider.lastIndexOf("::")) : undefined,
        properties,
        inputs: unwrapSecrets(properties) as Record<string, unknown>,
        options: {
            protect: req.getProtect() ?? false,
            retainOnDelete: req.getRetainondelete() ?? false,
            dependsOn: req.getDependenciesList(),
            additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
            ignoreChanges: req.getIgnorechangesList(),
            deleteBeforeReplace: req.getDeletebeforereplace(),
        },
    };
}

/**
 * Loads index.ts the way Pulumi's Node.js runner does (`@pulumi/pulumi/cmd/run`, CommonJS): the
 * module's export is the program when it is itself a function, else the export object is the stack
 * outputs. A default export is not called, as under the engine, so a program that only works
 * when it is would register nothing here too (see test/program-entry.spec.ts).
 * The module is loaded once: reloading would duplicate the classes tests compare against.
 */
export function loadProgram(programDir: string): () => Promise<unknown> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = require(path.join(path.resolve(programDir), "index.ts")) as unknown;
    return async () => (exported instanceof Function ? await exported() : exported);
}

/**
 * Waits until every resource registration the program started has been answered. The SDK tracks
 * them for its own shutdown; its `waitForRPCs` is internal, so it is reached through the module.
 */
async function waitForRegistrations(): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
    await settings.waitForRPCs();
}
