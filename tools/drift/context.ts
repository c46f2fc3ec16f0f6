/** What each layer's reader is given: where the stack's config, state and cluster are. */
import type { EngineWorkspace } from "../engine/pulumi-cli";
import type { Kubectl } from "../local-cluster/kubectl";

export interface DriftContext {
    projectRoot: string;
    stack: string;
    /** The stack file (`pulumi --config-file`); default `stacks/Pulumi.<stack>.yaml`. The local loop's copy while it runs. */
    configFile?: string;
    /** How to run the pinned Pulumi CLI against the stack's backend; undefined: the Pulumi layer cannot be read. */
    pulumi?: { workspace: EngineWorkspace; env?: NodeJS.ProcessEnv; description: string };
    /** kubectl against the hub (where Argo CD runs); undefined: the cluster cannot be read. */
    kubectl?: Kubectl;
    /** Argo CD's namespace. */
    argocdNamespace: string;
}
