/**
 * OciHelmRepository: the Argo CD repository Secret of a public Helm OCI registry (Envoy Gateway's
 * charts on Docker Hub). Argo CD reads a chart from an OCI registry only when a repository with
 * `enableOCI` says so; a public one needs no credentials, so the Secret holds none.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AuditMetadata, auditLabels } from "../audit/auditMetadata";
import { ComponentValidationError } from "../validationError";
import { argoRepoUrl, ChartRepository } from "./repositoryUrl";

/** Arguments of {@link OciHelmRepository}. */
export interface OciHelmRepositoryArgs {
    /** The repository (type oci, public). Required. */
    repository: ChartRepository;
    /** Namespace Argo CD runs in. Required. */
    argocdNamespace: pulumi.Input<string>;
    /** Audit metadata. Required. */
    audit: AuditMetadata;
}

/** A credential-less Argo CD repository Secret `repo-<name>` with `enableOCI`. */
export class OciHelmRepository extends pulumi.ComponentResource {
    constructor(name: string, args: OciHelmRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops:platform:OciHelmRepository", name, {}, opts);
        const repo = args.repository;
        if (repo.type !== "oci") {
            throw new ComponentValidationError("OciHelmRepository", name, [{ prop: "repository.type", message: `repository ${JSON.stringify(repo.name)}: expected oci, got ${repo.type}` }]);
        }
        new k8s.core.v1.Secret(
            name,
            {
                metadata: {
                    name: `repo-${repo.name}`,
                    namespace: args.argocdNamespace,
                    labels: { ...auditLabels(args.audit), "argocd.argoproj.io/secret-type": "repository" },
                },
                type: "Opaque",
                stringData: { name: repo.name, url: argoRepoUrl(repo), type: "helm", enableOCI: "true" },
            },
            { parent: this, dependsOn: opts?.dependsOn },
        );
        this.registerOutputs({});
    }
}
