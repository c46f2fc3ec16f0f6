/**
 * A Kubernetes API server URL read from Terraform (`cluster_endpoint`): the hub's provider and Argo CD
 * send a bearer token to it, so it must be https, with nothing in it that is a credential or that a
 * URL parser reads differently. The value is never quoted: it comes from a state, not from the user.
 */

/** What is wrong with `value` as a cluster endpoint, or undefined when it is a plain https URL. */
export function clusterEndpointProblem(value: string): string | undefined {
    if (/[\s\\]/.test(value) || /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/.test(value)) {
        return "has whitespace, a backslash, a control or an invisible character, which URL parsers read differently";
    }
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return "is not a URL (expected https://<host>[:port])";
    }
    if (url.protocol !== "https:") {
        return `is not https:// (${/^[a-z][a-z0-9+.-]{0,15}:$/.test(url.protocol) ? url.protocol : "another scheme"}): the cluster's token would cross the network in clear`;
    }
    if (url.username !== "" || url.password !== "") return "carries user info (user:password@; not shown): a credential in a Terraform output, which Argo CD would store and log as the server";
    if (url.search !== "" || url.hash !== "") return "has a query or fragment: a cluster endpoint is a base URL (https://<host>[:port][/path])";
    if (url.hostname === "") return "has no host";
    return undefined;
}
