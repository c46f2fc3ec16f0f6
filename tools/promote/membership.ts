/**
 * Which Argo CD Applications deploy an environment: the ones the entry's ApplicationSet generated
 * (owned by `app-<entry>`, named `<cluster>-<entry>`), or, without a clusterSelector, the one
 * Application named after the entry. Owner references, not names, decide for an ApplicationSet: a
 * cluster named `eu` with entry `web-prod` and a cluster `eu-web` with entry `prod` make the same name.
 */
import type { ArgoApplication, Environment } from "./model";

/** The name of the ApplicationSet of a team entry (components/gitops/teamApplicationSet.ts). */
export function applicationSetName(entry: string): string {
    return `app-${entry}`;
}

/** The Applications of `environment` among `all`, sorted by name. */
export function applicationsOf(environment: Environment, all: ArgoApplication[]): ArgoApplication[] {
    const owner = applicationSetName(environment.entry);
    const mine = environment.applicationSet
        ? all.filter((a) => (a.metadata.ownerReferences ?? []).some((o) => o.kind === "ApplicationSet" && o.name === owner))
        : all.filter((a) => a.metadata.name === environment.entry);
    return [...mine].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

/** How messages name where an environment's Applications come from. */
export function describeOrigin(environment: Environment): string {
    return environment.applicationSet ? `ApplicationSet ${applicationSetName(environment.entry)}` : `Application ${environment.entry}`;
}
