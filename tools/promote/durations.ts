/**
 * Durations in the config's own words (`1h30m`, `45s`): parsed by the schema's `durationMs`, written
 * back the same way so a message reads like the config it is about.
 */
export { durationMs } from "../../stacks/schema/promotion";

/**
 * `ms` as `1h30m`, `2m5s`, `45s` or `0s`. Time left is rounded up (`1s left`, never `0s left` while
 * some remains), time passed down.
 */
export function formatDuration(ms: number, round: "up" | "down" = "down"): string {
    const total = Math.max(0, round === "up" ? Math.ceil(ms / 1000) : Math.floor(ms / 1000));
    const parts: [number, string][] = [[Math.floor(total / 3600), "h"], [Math.floor((total % 3600) / 60), "m"], [total % 60, "s"]];
    const text = parts.filter(([n]) => n > 0).map(([n, unit]) => `${n}${unit}`).join("");
    return text === "" ? "0s" : text;
}
