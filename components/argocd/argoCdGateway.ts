/**
 * ArgoCdGateway: Argo CD reached from outside the cluster through the Gateway API (ingress-nginx,
 * retired upstream, is gone: docs/adr-0004-gateway-api.md). A Gateway with two listeners on the
 * Argo CD host: HTTPS as TLS passthrough to argocd-server (a TLSRoute), so Argo CD keeps its own
 * certificate and the CLI's gRPC works unchanged, and HTTP answered by an HTTPRoute that redirects
 * to HTTPS. The GatewayClass is declared here because Envoy Gateway's chart makes none.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AuditMetadata, auditAnnotations, auditLabels } from "../audit/auditMetadata";

/** The Gateway API version the pinned CRDs serve for every kind used here (Gateway API 1.6). */
export const GATEWAY_API = "gateway.networking.k8s.io/v1";

/** Envoy Gateway's controller name, which its GatewayClass must name. */
export const ENVOY_GATEWAY_CONTROLLER = "gateway.envoyproxy.io/gatewayclass-controller";

/** Arguments of {@link ArgoCdGateway}. */
export interface ArgoCdGatewayArgs {
    /** Public host name of Argo CD. Required. */
    hostname: string;
    /** GatewayClass name; declared here with Envoy Gateway's controller. Required. */
    className: string;
    /** Namespace Argo CD runs in (the Gateway and routes live there too). Required. */
    argocdNamespace: pulumi.Input<string>;
    /**
     * Name of the argocd-server Service.
     * @default "argocd-server" (the chart's, release `argocd`)
     */
    serverService?: string;
    /**
     * Annotations for the implementation's infrastructure (the proxy Service), e.g. an AWS NLB.
     * @default - none
     */
    infrastructureAnnotations?: Record<string, string>;
    /** Audit metadata. Required. */
    audit: AuditMetadata;
}

/** Type token of the component. */
export const ARGOCD_GATEWAY_TYPE = "gitops:platform:ArgoCdGateway";

/** The GatewayClass, Gateway, TLSRoute and HTTPRoute that expose Argo CD. */
export class ArgoCdGateway extends pulumi.ComponentResource {
    constructor(name: string, args: ArgoCdGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super(ARGOCD_GATEWAY_TYPE, name, {}, opts);
        const labels = auditLabels(args.audit);
        const annotations = auditAnnotations(args.audit);
        // Children wait for the CRDs too: a component's dependencies do not pass to them by themselves.
        const child = { parent: this, dependsOn: opts?.dependsOn };
        const gatewayName = "argocd";
        const gatewayClass = new k8s.apiextensions.CustomResource(
            `${name}-class`,
            {
                apiVersion: GATEWAY_API,
                kind: "GatewayClass",
                metadata: { name: args.className, labels, annotations },
                spec: { controllerName: ENVOY_GATEWAY_CONTROLLER, description: "Envoy Gateway (docs/adr-0004-gateway-api.md)" },
            },
            child,
        );
        const infra = args.infrastructureAnnotations ?? {};
        const gateway = new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: GATEWAY_API,
                kind: "Gateway",
                metadata: { name: gatewayName, namespace: args.argocdNamespace, labels, annotations },
                spec: {
                    gatewayClassName: args.className,
                    ...(Object.keys(infra).length > 0 ? { infrastructure: { annotations: infra } } : {}),
                    listeners: [
                        {
                            name: "https",
                            protocol: "TLS",
                            port: 443,
                            hostname: args.hostname,
                            tls: { mode: "Passthrough" },
                            allowedRoutes: { namespaces: { from: "Same" }, kinds: [{ kind: "TLSRoute" }] },
                        },
                        {
                            name: "http",
                            protocol: "HTTP",
                            port: 80,
                            hostname: args.hostname,
                            allowedRoutes: { namespaces: { from: "Same" }, kinds: [{ kind: "HTTPRoute" }] },
                        },
                    ],
                },
            },
            { ...child, dependsOn: [...toArray(opts?.dependsOn), gatewayClass] },
        );
        const afterGateway = { ...child, dependsOn: [...toArray(opts?.dependsOn), gateway] };
        // The two routes differ in listener and rules only: TLS passed through to argocd-server, plain http redirected.
        const route = (suffix: string, kind: "TLSRoute" | "HTTPRoute", routeName: string, sectionName: string, rules: unknown[]) =>
            new k8s.apiextensions.CustomResource(
                `${name}-${suffix}`,
                {
                    apiVersion: GATEWAY_API,
                    kind,
                    metadata: { name: routeName, namespace: args.argocdNamespace, labels, annotations },
                    spec: { parentRefs: [{ name: gatewayName, sectionName }], hostnames: [args.hostname], rules },
                },
                afterGateway,
            );
        route("tls", "TLSRoute", "argocd-server", "https", [{ backendRefs: [{ name: args.serverService ?? "argocd-server", port: 443 }] }]);
        route("redirect", "HTTPRoute", "argocd-server-https-redirect", "http", [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }]);
        this.registerOutputs({});
    }
}

function toArray(deps: pulumi.ComponentResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] {
    if (deps === undefined) return [];
    return Array.isArray(deps) ? deps : [deps as pulumi.Input<pulumi.Resource>];
}
