/**
 * Every fault, in the order they run (the least disruptive first, Pulumi's last), each with the
 * plain words a step of `npm run e2e` and `npm run chaos` is named by.
 */
import { applicationControllerKilledMidSync, applicationSetControllerKilledWhileGenerating, redisRestartedEmpty, repoServerKilledWhileRendering } from "./argocd-faults";
import { ChaosLoop, FaultReport } from "./chaos-loop";
import { forcePushUnderSyncedRevision, gitServerDown, gitServerHung, gitServerSlow } from "./git-faults";
import { apiServerRestartedDuringSync, etcdStoppedForAWhile } from "./kubernetes-faults";
import { pulumiUpKilledMidUpdate, twoUpdatesAndACommitAtOnce } from "./pulumi-faults";

export interface Fault {
    /** What the step proves, in plain words. */
    proves: string;
    /**
     * In `npm run e2e`'s short version. The others converge only at Argo CD's next reconciliation
     * (the refresh a push's webhook asked for failed, and the repo server caches where the branch
     * points): minutes each, so only `npm run chaos` runs them.
     */
    short: boolean;
    run(loop: ChaosLoop): Promise<FaultReport>;
}

export const FAULTS: Fault[] = [
    { proves: "the application controller killed between two sync waves: after its restart the sync completes in wave order, nothing half-applied, no operation stuck", short: true, run: applicationControllerKilledMidSync },
    { proves: "the repo server killed while it renders a commit: nothing of it is applied meanwhile, and after its restart the commit syncs", short: false, run: repoServerKilledWhileRendering },
    { proves: "Redis restarted empty: Argo CD rebuilds its cache and the next commit syncs", short: true, run: redisRestartedEmpty },
    { proves: "the ApplicationSet controller killed while it generates: after its restart each generated Application exists once, the others untouched", short: true, run: applicationSetControllerKilledWhileGenerating },
    { proves: "kube-apiserver restarted during a sync: the sync completes and every object keeps its UID", short: true, run: apiServerRestartedDuringSync },
    { proves: "etcd stopped for a while and started on the same data: nothing is lost and the commit that landed meanwhile syncs", short: false, run: (loop) => etcdStoppedForAWhile(loop) },
    { proves: "the Git server down, then back: the cluster keeps the last synced commit, then syncs the one that landed meanwhile", short: false, run: (loop) => gitServerDown(loop) },
    { proves: "the Git server hung (connections accepted, no answer), then continued: the commit that landed meanwhile syncs", short: false, run: (loop) => gitServerHung(loop) },
    { proves: "the Git server slow (every answer 1 s late, injected by Toxiproxy): the commit that lands meanwhile syncs, later; once the delay is lifted the next syncs at the usual pace", short: true, run: (loop) => gitServerSlow(loop) },
    { proves: "a force-push rewriting history under the synced revision: an unsigned rewrite is refused, a signed one syncs", short: true, run: forcePushUnderSyncedRevision },
    { proves: "pulumi up killed mid-update: the recovery removes the stale lock and settles pending operations; each resource once in the state and the cluster, nothing orphaned, the next preview empty", short: true, run: pulumiUpKilledMidUpdate },
    { proves: "two pulumi up at once: the second is refused by the lock, the first completes, and a commit landing meanwhile syncs", short: false, run: twoUpdatesAndACommitAtOnce },
];

/** One line of a fault's report, for a step's note and the chaos table. */
export function describeReport(report: FaultReport): string {
    return `converged ${report.convergedSeconds} s after the fault cleared; seen: ${report.seen.slice(0, 3).join(" | ") || "nothing"}; checked: ${report.checked.join("; ")}`;
}
