/**
 * The names of a stack's config keys, in one place for the loader, the composition and the tools:
 * data only (no Pulumi), so the offline plan's stack-file reader can use them too.
 */

/** The config namespace of this program: the project name in Pulumi.yaml. */
export const CONFIG_NAMESPACE = "gitops-platform";

/** The structured key that holds everything that is not a secret. */
export const PLATFORM_KEY = "platform";

/**
 * Top-level keys whose values are secrets. Each must be set with `pulumi config set --secret`,
 * because the runtime only knows secret-ness per top-level key.
 */
export const SECRET_KEYS = ["argocdAdminPassword", "kubeconfig", "fleetKubeconfig", "terraformToken", "terraformHttpPassword"] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

/** The secret key that holds the fleet's kubeconfig (`from: kubeconfig` entries of `platform.fleet`). */
export const FLEET_KUBECONFIG_KEY = "fleetKubeconfig" satisfies SecretKey;

/** `FLEET_KUBECONFIG_KEY` with its namespace, as the engine hands config to a program. */
export const FLEET_KUBECONFIG_CONFIG_KEY = `${CONFIG_NAMESPACE}:${FLEET_KUBECONFIG_KEY}`;
