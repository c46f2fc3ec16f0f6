/**
 * The audit sink of the loop, real: a webhook receiver on loopback (webhook-receiver.ts) that Argo
 * CD's notifications controller posts every audit event to. The stack config names it as an audit
 * webhook; its bearer token is made here and lives only in this process and in the secrets store,
 * where the loop puts it as a platform team would: External Secrets Operator makes
 * `argocd-notifications-secret` from there.
 */
import * as crypto from "crypto";
import * as path from "path";
import type { LoopSecrets } from "./loop-secrets";
import { startWebhookReceiver, WebhookReceiver } from "./webhook-receiver";

/** The webhook's name in argocd-notifications-cm, and the key of its token in argocd-notifications-secret. */
const WEBHOOK = "audit";
const TOKEN_KEY = "audit-webhook-token";
/** Where the stack says the tokens are (`argocd.notifications.secretsManagerName`). */
export const NOTIFICATIONS_SECRET = "gitops-platform/local/argocd-notifications";

export interface LoopAuditSink {
    receiver: WebhookReceiver;
    /** Turns the stack's notifications on, posting to the receiver, their tokens from NOTIFICATIONS_SECRET. */
    stackChange(platform: Record<string, unknown>): void;
    /** Puts the token in the store under `key`, NOTIFICATIONS_SECRET's key there. */
    putToken(secrets: LoopSecrets, key: string): Promise<void>;
}

export async function startLoopAuditSink(options: { dir: string; detached?: boolean }): Promise<LoopAuditSink> {
    const token = crypto.randomBytes(24).toString("base64url");
    const receiver = await startWebhookReceiver({ dataDir: path.join(options.dir, "audit-webhook"), token, detached: options.detached });
    return {
        receiver,
        stackChange: (platform) => {
            const argocd = (platform.argocd ?? (platform.argocd = {})) as Record<string, unknown>;
            argocd.notifications = { enabled: true, webhooks: [{ name: WEBHOOK, url: receiver.url, tokenKey: TOKEN_KEY, audit: true }], secretsManagerName: NOTIFICATIONS_SECRET };
        },
        putToken: (secrets, key) => secrets.put(key, { [TOKEN_KEY]: token }),
    };
}
