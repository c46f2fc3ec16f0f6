/** Argo CD Applications as the controllers report them in their status. */
import { Kubectl } from "./kubectl";
import { pollUntil } from "./managed-process";

export interface ApplicationStatus {
    name: string;
    sync: string;
    health: string;
    revision: string;
    /** The last operation's message, when it failed. */
    message?: string;
}

interface ApplicationObject {
    metadata: { name: string };
    status?: { sync?: { status?: string; revision?: string }; health?: { status?: string }; operationState?: { phase?: string; message?: string }; conditions?: { type: string; message: string }[] };
}

function toStatus(app: ApplicationObject): ApplicationStatus {
    const op = app.status?.operationState;
    const condition = app.status?.conditions?.find((c) => /Error/.test(c.type));
    return {
        name: app.metadata.name,
        sync: app.status?.sync?.status ?? "Unknown",
        health: app.status?.health?.status ?? "Unknown",
        revision: app.status?.sync?.revision ?? "",
        message: condition?.message ?? (op?.phase && op.phase !== "Succeeded" ? op.message : undefined),
    };
}

/** Every Application in the namespace with its sync and health status. */
export async function applicationStatuses(kubectl: Kubectl, namespace: string): Promise<ApplicationStatus[]> {
    const list = await kubectl.get<{ items: ApplicationObject[] }>(["applications.argoproj.io", "-n", namespace]);
    return (list?.items ?? []).map(toStatus);
}

/** Waits until the Application's status satisfies `done`; the error says where it got stuck. */
export async function waitForApplication(kubectl: Kubectl, namespace: string, name: string, done: (s: ApplicationStatus) => boolean, timeoutMs: number): Promise<ApplicationStatus> {
    let last: ApplicationStatus | undefined;
    await pollUntil(
        async () => {
            const app = await kubectl.get<ApplicationObject>(["applications.argoproj.io", name, "-n", namespace]);
            last = app && toStatus(app);
            return last !== undefined && done(last);
        },
        timeoutMs,
        `Application ${name}`,
        () => `last status ${JSON.stringify(last ?? "none")}`,
    );
    return last!;
}
