/**
 * The offline plan's stand-in for the secret `fleetKubeconfig`: the test secret of a `secure:` value
 * is no kubeconfig, so the plan writes one with every context the stack's `from: kubeconfig` fleet
 * entries name, each with its own server, CA data and test token. It is JSON (which a kubeconfig may
 * be) so that the plan's redactor, which parses JSON config values, registers every `token` in it
 * as a secret (redaction.ts, addConfigSecrets) besides the whole text.
 */
import { kubeconfig } from "../engine/kubeconfig";

/** The test token of a context: the key's test secret and the context, so a canary search finds both. */
export function planFleetToken(keyTestSecret: string, context: string): string {
    return `${keyTestSecret}-${context}`;
}

/** The server a context's cluster has in the plan: a name that never resolves (RFC 6761 `.invalid`). */
export function planFleetServer(context: string): string {
    return `https://${context.replace(/[^a-z0-9-]/gi, "-").toLowerCase()}.plan.invalid`;
}

/** CA data that is well-formed base64 and obviously no certificate of a real cluster. */
const PLAN_CA_DATA = Buffer.from("plan-test-ca: not a certificate\n").toString("base64");

/** The contexts the fleet entries of a `platform` config value (JSON) name; none when it is not readable. */
export function fleetKubeconfigContexts(platformJson: string | undefined): string[] {
    let platform: { fleet?: unknown } | undefined;
    try {
        platform = platformJson === undefined ? undefined : JSON.parse(platformJson);
    } catch {
        return []; // the program's config validation reports it
    }
    const fleet = Array.isArray(platform?.fleet) ? platform.fleet : [];
    const contexts = fleet
        .filter((e): e is { from: string; name?: unknown; context?: unknown } => typeof e === "object" && e !== null && e.from === "kubeconfig")
        .map((e) => (typeof e.context === "string" ? e.context : e.name))
        .filter((c): c is string => typeof c === "string" && c !== "");
    return [...new Set(contexts)];
}

/** A kubeconfig with one context (and cluster of the same name) per name in `contexts`. */
export function planFleetKubeconfig(keyTestSecret: string, contexts: string[]): string {
    return JSON.stringify(kubeconfig(contexts.map((name) => ({ name, server: planFleetServer(name), caData: PLAN_CA_DATA, token: planFleetToken(keyTestSecret, name) }))));
}
