/**
 * Where a `pulumi preview` spends its time, read from the CLI's own log (`-v=7 --logtostderr`: one
 * JSON line per message, each with its time), between the messages the engine writes at each phase:
 *   start      CLI start, stack, config and secrets, plugins (the policy pack among them)
 *   load       `*** Starting Update` to the first registration: language host, node, ts-node, the
 *              program's modules
 *   register   the first to the last registration: the program, the provider's Check/Diff and the
 *              pack's analysis of each resource; of it, `chart` is the Argo CD chart's Construct
 *              (the provider renders it and registers its objects)
 *   settle     the last registration to the program's exit (outstanding calls, the chart's objects
 *              read back as resource references)
 *   finish     the program's exit to the end of the process (the pack's stack analysis, the summary)
 */

export interface PreviewPhases {
    start: number;
    load: number;
    register: number;
    chart: number | null;
    settle: number;
    finish: number;
    total: number;
}

interface LogLine {
    at: number;
    msg: string;
}

function logLines(stderr: string): LogLine[] {
    const lines: LogLine[] = [];
    for (const raw of stderr.split("\n")) {
        const i = raw.indexOf('{"time"');
        if (i < 0) continue;
        try {
            const j = JSON.parse(raw.slice(i)) as { time: string; msg: string };
            lines.push({ at: Date.parse(j.time), msg: j.msg });
        } catch {
            // A line cut by another writer's output: skipped.
        }
    }
    return lines;
}

/** The phases of one run, in seconds; `totalSeconds` is the run's wall time, as the caller measured it. */
export function previewPhases(stderr: string, totalSeconds: number): PreviewPhases {
    const lines = logLines(stderr);
    const first = (test: (m: string) => boolean) => lines.find((l) => test(l.msg))?.at;
    const last = (test: (m: string) => boolean) => [...lines].reverse().find((l) => test(l.msg))?.at;
    const begin = lines[0]?.at;
    const update = first((m) => m.startsWith("*** Starting Update"));
    const firstRegistration = first((m) => m.startsWith("ResourceMonitor.RegisterResource received"));
    const lastRegistration = last((m) => m.startsWith("ResourceMonitor.RegisterResource received"));
    const exited = first((m) => m.startsWith("Program exited"));
    const chartStart = first((m) => /\.Construct\(kubernetes:helm\.sh\/v4:Chart, argocd,.*executing/.test(m));
    const chartEnd = first((m) => /\.Construct\(kubernetes:helm\.sh\/v4:Chart, argocd,.*success/.test(m));
    const marks = { begin, update, firstRegistration, lastRegistration, exited };
    const missing = Object.entries(marks).filter(([, v]) => v === undefined).map(([k]) => k);
    if (missing.length > 0) throw new Error(`the CLI's log (-v=7 --logtostderr) has no mark for ${missing.join(", ")}: ${lines.length} log lines`);
    const s = (a: number, b: number) => Math.round((b - a) / 100) / 10;
    const start = s(begin!, update!);
    const load = s(update!, firstRegistration!);
    const register = s(firstRegistration!, lastRegistration!);
    const settle = s(lastRegistration!, exited!);
    return {
        start,
        load,
        register,
        chart: chartStart !== undefined && chartEnd !== undefined ? s(chartStart, chartEnd) : null,
        settle,
        finish: Math.round((totalSeconds - start - load - register - settle) * 10) / 10,
        total: Math.round(totalSeconds * 10) / 10,
    };
}
