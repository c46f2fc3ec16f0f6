/**
 * The files whose change can change what `pulumi up` does to a stack: the program, its stack
 * configs and its dependencies. The deploy workflow's `on.push.paths` is the same list
 * (test/delivery-deployments.spec.ts), so a merge that touches only docs, charts (Argo CD syncs
 * those) or CI deploys nothing, whichever of the two starts the deployment.
 */
export const PROGRAM_PATHS: readonly string[] = [
    "index.ts",
    "components/**",
    "lib/**",
    // What the program imports from the policy pack (gitops-platform-policies/shared).
    "policies/shared.ts",
    "policies/rules/lib/**",
    "policies/data/**",
    "stacks/**",
    "Pulumi.yaml",
    "package.json",
    "package-lock.json",
    "tsconfig.json",
];
