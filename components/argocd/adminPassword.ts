/**
 * The Argo CD admin password as the chart wants it: a bcrypt hash. Made deterministically from the
 * password and the stack (salt = HMAC of both), so the same password gives the same hash on every
 * run and `pulumi preview --expect-no-changes` holds; a random salt would change it each time.
 */
import { createHmac } from "crypto";
import * as bcrypt from "bcryptjs";
import * as pulumi from "@pulumi/pulumi";

/** bcrypt cost factor; Argo CD's own `argocd account bcrypt` uses 10 as well. */
export const ADMIN_BCRYPT_COST = 10;

/** The bcrypt hash of `password`, salted from an HMAC of the password and `stack`. */
export function deterministicBcrypt(password: string, stack: string): string {
    if (password.length < 8) {
        // The message never carries the value itself.
        throw new Error("argocdAdminPassword: must be at least 8 characters");
    }
    if (bcrypt.truncates(password)) {
        throw new Error("argocdAdminPassword: longer than the 72 bytes bcrypt uses; choose a shorter one");
    }
    const saltBytes = createHmac("sha256", password).update(`gitops-platform/argocd-admin/${stack}`).digest().subarray(0, 16);
    const salt = `$2a$${String(ADMIN_BCRYPT_COST).padStart(2, "0")}$${bcrypt.encodeBase64(saltBytes, 16)}`;
    return bcrypt.hashSync(password, salt);
}

/** The hash as a Pulumi secret, so it is encrypted in state and masked in output. */
export function adminPasswordHash(password: pulumi.Input<string>, stack: string): pulumi.Output<string> {
    return pulumi.secret(pulumi.output(password).apply((p) => deterministicBcrypt(p, stack)));
}
