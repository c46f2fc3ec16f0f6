/** The `http` source: Terraform's http backend, whose state is the body of a GET on its address. */
import { httpPassword } from "../credentials";
import { TerraformSourceError } from "../errors";
import { httpGet } from "../httpGet";
import { type StateSummary, stateFromText } from "../state";
import type { HttpSource } from "../source";
import type { SourceContext } from "./context";

/** The credentials this source sends, so the caller can scrub them from any message. */
export async function httpSecrets(source: HttpSource, context: SourceContext): Promise<string[]> {
    const password = await httpPassword(context.credentials, context.env);
    return [password, ...Object.values(source.headers ?? {})].filter((s): s is string => !!s);
}

/** Whether a URL host name is this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopback(hostname: string): boolean {
    return hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** Reads the outputs of the state stored at an http backend address. */
export async function readHttpState(source: HttpSource, context: SourceContext): Promise<StateSummary> {
    const headers: Record<string, string> = { ...(source.headers ?? {}) };
    // The schema refuses user info in the address: credentials come from `username` and the password.
    const url = new URL(source.address);
    if (source.username !== undefined) {
        const password = (await httpPassword(context.credentials, context.env)) ?? "";
        headers.Authorization = `Basic ${Buffer.from(`${source.username}:${password}`).toString("base64")}`;
    }
    if (url.protocol === "http:" && Object.keys(headers).length > 0 && !isLoopback(url.hostname)) {
        throw new TerraformSourceError(
            context.description,
            "bad-input",
            "the address is plain http:// and the request carries basic auth or headers, which anyone on the way could read: use https:// (plain http only to a loopback address)",
        );
    }
    const { body } = await httpGet({
        url: url.toString(),
        headers,
        timeoutMs: context.timeoutMs,
        retry: context.retry,
        source: context.description,
        notFound: "no state is stored at this address",
    });
    // Terraform's http backend treats an empty answer as "no state yet"; here the outputs are needed.
    if (body.trim() === "") {
        throw new TerraformSourceError(context.description, "not-found", "the backend answered with an empty body: no state has been written there yet");
    }
    return stateFromText(body, context.description);
}
