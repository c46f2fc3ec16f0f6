/**
 * What makes a deployment auditable in Git: which signing keys Argo CD trusts (only commits they
 * signed are synced), and whether Argo CD's source hydrator writes the manifests it renders to an
 * environment branch before they are synced (so Git holds every byte that runs).
 */
import { z } from "zod";
import { RepositoryPathSchema } from "./common";

/** A full OpenPGP v4 fingerprint: 40 hex digits, upper case as `gpg --with-colons` prints it. */
export const FingerprintSchema = z
    .string()
    .regex(/^[0-9A-F]{40}$/, { message: "expected a 40-hex-digit OpenPGP fingerprint in upper case (gpg --with-colons --fingerprint)" });

/**
 * Only signed commits are synced: every AppProject verifies the GnuPG signatures of its Git sources
 * (Argo CD's source integrity, or the `signatureKeys` of a release before 3.5).
 */
export const SourceIntegritySchema = z.strictObject({
    /**
     * `strict`: the revision and every ancestor are signed by a trusted key (history cannot be
     * rewritten under a signed head); `head`: only the revision itself. Default `strict`.
     */
    mode: z.enum(["head", "strict"]).default("strict"),
    /** Fingerprints of the trusted keys; each public key is `<keysDirectory>/<fingerprint>.asc`, in Git. Required, at least one. */
    keys: z.array(FingerprintSchema).min(1),
    /** Folder of the public keys, relative to the project root. Default `stacks/signing-keys`. */
    keysDirectory: RepositoryPathSchema.default("stacks/signing-keys"),
});
export type SourceIntegrityConfig = z.infer<typeof SourceIntegritySchema>;

/** Argo CD's source hydrator: rendered manifests committed to an environment branch, then synced from there. */
export const HydrationSchema = z.strictObject({
    /**
     * Hydrate the applications whose chart is in a Git repository. Default: on where the Argo CD
     * release has the hydrator as beta (3.5 and later), off before.
     */
    enabled: z.boolean().optional(),
    /** Branch the manifests are committed to, `<branchPrefix>/<stack>`. Default `environments`. */
    branchPrefix: z.string().regex(/^[a-z0-9][a-z0-9._/-]*[a-z0-9]$/, { message: "expected a branch name prefix like environments" }).default("environments"),
    /**
     * The commit server signs every hydrated commit with this key (Argo CD 3.6 and later), so the
     * synced branch is verified too. Its private key is the Secret `argocd-commit-server-gpg-signing-key`,
     * made outside Pulumi (an ExternalSecret, or by hand); its public key is trusted like the others.
     * Default: hydrated commits are not signed (then source integrity refuses them).
     */
    signingKey: FingerprintSchema.optional(),
});
export type HydrationConfig = z.infer<typeof HydrationSchema>;

/** Per application: hydrate or not, and where the hydrated commit goes. */
export const ApplicationHydrationSchema = z.strictObject({
    /** Hydrate this application. Default: as `gitops.hydration.enabled`, for a Git source. */
    enabled: z.boolean().optional(),
    /**
     * Commit to `<branch>-next` instead, to be promoted to `<branch>` by a pull request (Argo CD
     * syncs only what is merged). Default `false`.
     */
    promoteByPullRequest: z.boolean().default(false),
});

/** The Secret the commit server reads its signing key from (Argo CD 3.6's name). */
export const COMMIT_SIGNING_KEY_SECRET = "argocd-commit-server-gpg-signing-key";
