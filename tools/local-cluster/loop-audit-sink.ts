/**
 * The audit sink of the loop, real: a webhook receiver on loopback (webhook-receiver.ts) that Argo
 * CD's notifications controller posts every audit event to. The stack config names it as an audit
 * webhook; its bearer token is made here and lives only in this process and in
 * `argocd-notifications-secret`, which the loop makes outside Pulumi as a platform team would.
 */
import * as crypto from "crypto";
import * as path from "path";
import { Kubectl } from "./kubectl";
import { startWebhookReceiver, WebhookReceiver } from "./webhook-receiver";

/** The webhook's name in argocd-notifications-cm, and the key of its token in argocd-notifications-secret. */
const WEBHOOK = "audit";
const TOKEN_KEY = "audit-webhook-token";

export interface LoopAuditSink {
    receiver: WebhookReceiver;
    /** Turns the stack's notifications on, posting to the receiver. */
    stackChange(platform: Record<string, unknown>): void;
    /** Makes `argocd-notifications-secret` with the token (Argo CD's namespace must exist). */
    applySecret(kubectl: Kubectl, namespace: string): Promise<void>;
}

export async function startLoopAuditSink(options: { dir: string; detached?: boolean }): Promise<LoopAuditSink> {
    const token = crypto.randomBytes(24).toString("base64url");
    const receiver = await startWebhookReceiver({ dataDir: path.join(options.dir, "audit-webhook"), token, detached: options.detached });
    return {
        receiver,
        stackChange: (platform) => {
            const argocd = (platform.argocd ?? (platform.argocd = {})) as Record<string, unknown>;
            argocd.notifications = { enabled: true, webhooks: [{ name: WEBHOOK, url: receiver.url, tokenKey: TOKEN_KEY, audit: true }] };
        },
        applySecret: (kubectl, namespace) => kubectl.applySecret(namespace, "argocd-notifications-secret", { [TOKEN_KEY]: token }),
    };
}
