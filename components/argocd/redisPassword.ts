/**
 * ArgoCdRedisPassword: the `argocd-redis` Secret (key `auth`) that the argo-cd chart's Redis and
 * every Argo CD component read. The chart makes it with a pre-install hook Job
 * (`redisSecretInit`), but the Kubernetes provider renders no chart hooks, so External Secrets
 * Operator generates it in the cluster instead: a `Password` generator and an ExternalSecret. The
 * password never passes through Pulumi, its state or the rendered manifests.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AuditMetadata, auditLabels } from "../audit/auditMetadata";
import { ESO_GENERATORS_API, EXTERNAL_SECRETS_API } from "../gitops/repositoryCredentials";

/** Name of the Secret Argo CD reads the Redis password from. */
export const ARGOCD_REDIS_SECRET = "argocd-redis";

/** Arguments of {@link ArgoCdRedisPassword}. */
export interface ArgoCdRedisPasswordArgs {
    /** Namespace Argo CD runs in. Required. */
    argocdNamespace: pulumi.Input<string>;
    /** Audit metadata. Required. */
    audit: AuditMetadata;
}

/** A generated Redis password for Argo CD, made by External Secrets Operator. */
export class ArgoCdRedisPassword extends pulumi.ComponentResource {
    constructor(name: string, args: ArgoCdRedisPasswordArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops:platform:ArgoCdRedisPassword", name, {}, opts);
        const labels = auditLabels(args.audit);
        const generator = new k8s.apiextensions.CustomResource(
            `${name}-generator`,
            {
                apiVersion: ESO_GENERATORS_API,
                kind: "Password",
                metadata: { name: "argocd-redis-password", namespace: args.argocdNamespace, labels },
                // Letters and digits only: the value goes into Redis' and the components' command lines.
                spec: { length: 32, digits: 8, symbols: 0, noUpper: false, allowRepeat: true },
            },
            // The component's dependencies (the charts whose CRDs these are) do not pass to children by themselves.
            { parent: this, dependsOn: opts?.dependsOn },
        );
        new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: EXTERNAL_SECRETS_API,
                kind: "ExternalSecret",
                metadata: { name: ARGOCD_REDIS_SECRET, namespace: args.argocdNamespace, labels },
                spec: {
                    // Generated once: a new password on every refresh would break running clients.
                    refreshInterval: "0",
                    target: {
                        name: ARGOCD_REDIS_SECRET,
                        creationPolicy: "Owner",
                        template: { metadata: { labels: { ...labels, "app.kubernetes.io/part-of": "argocd" } }, data: { auth: "{{ .password }}" } },
                    },
                    dataFrom: [{ sourceRef: { generatorRef: { apiVersion: ESO_GENERATORS_API, kind: "Password", name: "argocd-redis-password" } } }],
                },
            },
            { parent: this, dependsOn: [...toArray(opts?.dependsOn), generator] },
        );
        this.registerOutputs({});
    }
}

function toArray(deps: pulumi.ComponentResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] {
    if (deps === undefined) return [];
    return Array.isArray(deps) ? deps : [deps as pulumi.Input<pulumi.Resource>];
}
