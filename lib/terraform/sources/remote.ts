/**
 * The `remote` source: HCP Terraform / Terraform Enterprise. Follows the documented API v2:
 * look the workspace up by organization and name, fetch its current state version, then download
 * the state from that version's `hosted-state-download-url`.
 */
import { z } from "zod";
import { remoteToken, tokenEnvVar } from "../credentials";
import { TerraformSourceError } from "../errors";
import { httpGet } from "../httpGet";
import { parseJsonText } from "../jsonText";
import { type StateSummary, stateFromText } from "../state";
import { DEFAULT_REMOTE_HOSTNAME, type RemoteSource } from "../source";
import { formatZodIssues } from "../../zodIssues";
import type { SourceContext } from "./context";

const WorkspaceResponseSchema = z.object({
    data: z.object({ id: z.string().min(1), type: z.literal("workspaces") }),
});

const StateVersionResponseSchema = z.object({
    data: z.object({
        id: z.string().min(1),
        type: z.literal("state-versions"),
        attributes: z.object({ "hosted-state-download-url": z.url() }),
    }),
});

/** Parses and validates one API answer, naming the endpoint and every key path at fault. */
function parseApiAnswer<T>(schema: z.ZodType<T>, body: string, what: string, context: SourceContext): T {
    const doc = parseJsonText(body, context.description, `answer of ${what}`);
    const parsed = schema.safeParse(doc);
    if (!parsed.success) {
        throw new TerraformSourceError(
            context.description,
            "format",
            `unexpected answer of ${what}:\n  - ${formatZodIssues(parsed.error.issues).join("\n  - ")}`,
        );
    }
    return parsed.data;
}

/** The token this source sends, so the caller can scrub it from any message. */
export async function remoteSecrets(source: RemoteSource, context: SourceContext): Promise<string[]> {
    const token = await remoteToken(source.hostname ?? DEFAULT_REMOTE_HOSTNAME, context.credentials, context.env);
    return token ? [token] : [];
}

/** Reads the outputs of the current state version of an HCP Terraform / TFE workspace. */
export async function readRemoteState(source: RemoteSource, context: SourceContext): Promise<StateSummary> {
    const hostname = source.hostname ?? DEFAULT_REMOTE_HOSTNAME;
    const token = await remoteToken(hostname, context.credentials, context.env);
    if (!token) {
        throw new TerraformSourceError(
            context.description,
            "bad-input",
            `no API token for ${hostname}: pass it from Pulumi secret config or set ${tokenEnvVar(hostname)}`,
        );
    }
    const api = `https://${hostname}/api/v2`;
    const auth = { Authorization: `Bearer ${token}`, Accept: "application/vnd.api+json" };
    const common = { headers: auth, timeoutMs: context.timeoutMs, retry: context.retry, source: context.description };

    const workspaceUrl = `${api}/organizations/${encodeURIComponent(source.organization)}/workspaces/${encodeURIComponent(source.workspace)}`;
    const workspace = parseApiAnswer(
        WorkspaceResponseSchema,
        (await httpGet({ ...common, url: workspaceUrl, notFound: "no such workspace in this organization, or the token may not see it" })).body,
        "the workspace lookup",
        context,
    );

    const versionUrl = `${api}/workspaces/${encodeURIComponent(workspace.data.id)}/current-state-version`;
    const version = parseApiAnswer(
        StateVersionResponseSchema,
        (await httpGet({ ...common, url: versionUrl, notFound: `workspace ${workspace.data.id} has no state version yet` })).body,
        "the current-state-version request",
        context,
    );

    const downloadUrl = version.data.attributes["hosted-state-download-url"];
    // The download URL is pre-signed; the token only goes along when it points back at the same host.
    const sameHost = new URL(downloadUrl).host === new URL(api).host;
    const state = await httpGet({
        ...common,
        headers: sameHost ? auth : { Accept: "application/json" },
        url: downloadUrl,
        notFound: `the state of state version ${version.data.id} is not available for download`,
    });
    return stateFromText(state.body, context.description);
}
