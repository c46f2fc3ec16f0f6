/**
 * @pulumi/policy 1.21 turns a request's protobuf Struct into JavaScript once per policy: for this pack's
 * twenty-odd rules that is twenty-odd conversions of the same resource, about 80% of the time it spends
 * on a resource. The server reaches the converter through its module's exports, so the pack memoises
 * it per Struct: one conversion per request, every rule still its own policy with its own name,
 * enforcement level and config, as the CLI and Pulumi Cloud see them. The converted values are frozen,
 * so a rule cannot change what the next rule reads. Upstream could do the same in `makeAnalyzeRpcFun`
 * (convert before the loop over policies); until then this keeps the published pack fast.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK's internal module, patched in place
const deserialize = require("@pulumi/policy/deserialize") as {
    deserializeProperties(struct: object, proxySecrets: boolean): Record<string, unknown>;
    [once]?: true;
};

const once = Symbol.for("gitops-platform-policies.deserialize-once");

/** Freezes a converted value all the way down (assets and secrets proxies included: they are plain reads). */
function deepFreeze<T>(value: T): T {
    if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const v of Object.values(value)) deepFreeze(v);
    }
    return value;
}

/** Installs the memo; idempotent. Returns false when the SDK no longer exposes the converter this way. */
export function deserializeOncePerRequest(): boolean {
    if (typeof deserialize.deserializeProperties !== "function") return false;
    if (deserialize[once]) return true;
    const convert = deserialize.deserializeProperties;
    const seen = new WeakMap<object, Map<boolean, Record<string, unknown>>>();
    deserialize.deserializeProperties = (struct, proxySecrets) => {
        let byMode = seen.get(struct);
        if (!byMode) seen.set(struct, (byMode = new Map()));
        let props = byMode.get(proxySecrets);
        if (!props) byMode.set(proxySecrets, (props = proxySecrets ? convert(struct, proxySecrets) : deepFreeze(convert(struct, proxySecrets))));
        return props;
    };
    deserialize[once] = true;
    return true;
}
