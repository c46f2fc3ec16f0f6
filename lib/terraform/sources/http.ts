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
    const inline = decodeURIComponent(new URL(source.address).password);
    return [password, inline, ...Object.values(source.headers ?? {})].filter((s): s is string => !!s);
}

/** Reads the outputs of the state stored at an http backend address. */
export async function readHttpState(source: HttpSource, context: SourceContext): Promise<StateSummary> {
    const headers: Record<string, string> = { ...(source.headers ?? {}) };
    // Like Go's HTTP client (and so Terraform), user info in the address is basic auth; fetch
    // refuses such URLs, so it moves to the header. An explicit username wins.
    const url = new URL(source.address);
    const inlineUser = decodeURIComponent(url.username);
    const inlinePassword = decodeURIComponent(url.password);
    url.username = "";
    url.password = "";
    const username = source.username ?? (inlineUser || undefined);
    if (username !== undefined) {
        const password = (await httpPassword(context.credentials, context.env)) ?? (source.username === undefined ? inlinePassword : "");
        headers.Authorization = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
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
