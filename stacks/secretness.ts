/**
 * Whether a config key was set as a Pulumi secret (`pulumi config set --secret`). The public
 * `pulumi.Config` API hides this (`get` on a secret just logs a warning), so this reaches the
 * runtime's own check: `isConfigSecret` is marked internal but has been stable since Pulumi 2.x.
 * Kept in this one place so a change in the SDK is a one-line fix.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };

/** True when `fullKey` (`namespace:key`) holds a Pulumi secret. */
export function isSecretConfigKey(fullKey: string): boolean {
    const [namespace, key] = splitKey(fullKey);
    // Older language hosts list secret keys in their legacy `namespace:config:key` form.
    return runtimeConfig.isConfigSecret(fullKey) || runtimeConfig.isConfigSecret(`${namespace}:config:${key}`);
}

function splitKey(fullKey: string): [string, string] {
    const i = fullKey.indexOf(":");
    return i < 0 ? ["", fullKey] : [fullKey.slice(0, i), fullKey.slice(i + 1)];
}
