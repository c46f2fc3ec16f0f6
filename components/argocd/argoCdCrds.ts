/**
 * ArgoCdCrds: Argo CD's CustomResourceDefinitions (Application, ApplicationSet, AppProject) from the
 * files of one Argo CD release, for the argocd-crds stack (argocd-crds). They change only
 * with Argo CD's release: out of the platform stack, which changes many times a day, so that its
 * previews no longer carry their 650 KB of schema (docs/adr-0011-argocd-crds-stack.md). Audit
 * labels on each; in prod retained and protected, as the chart's are.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AuditMetadata, auditLabels } from "../audit/auditMetadata";
import { chartTransforms, CRD_TYPE } from "../helm/chartTransforms";
import { ComponentValidationError } from "../validationError";

/** Arguments of {@link ArgoCdCrds}. */
export interface ArgoCdCrdsArgs {
    /** The CRD files: paths relative to where Pulumi runs, or URLs. Required, at least one. */
    files: string[];
    /** The Argo CD release the files are of, e.g. `3.6.1`. Required. */
    release: string;
    /**
     * Retain and protect the CRDs on delete: set in prod.
     * @default false
     */
    retainOnDelete?: boolean;
    /** Audit metadata. Required. */
    audit: AuditMetadata;
}

/** Argo CD's CRD files, as its repository's `manifests/crds` names them. */
export const ARGOCD_CRD_FILES = ["application-crd.yaml", "applicationset-crd.yaml", "appproject-crd.yaml"];

/** Type token of the component. */
export const ARGOCD_CRDS_TYPE = "gitops:platform:ArgoCdCrds";

/** Argo CD's CRDs, without Argo CD. */
export class ArgoCdCrds extends pulumi.ComponentResource {
    /** The Argo CD release the CRDs are of. */
    readonly release: string;
    /** The CRDs. */
    readonly crds: k8s.yaml.v2.ConfigGroup;

    constructor(name: string, args: ArgoCdCrdsArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems = [
            ...(args.files.length === 0 ? [{ prop: "files", message: "at least one CRD file is required" }] : []),
            ...(/^\d+\.\d+\.\d+$/.test(args.release) ? [] : [{ prop: "release", message: `expected an exact Argo CD release like 3.6.1, got ${JSON.stringify(args.release)}` }]),
        ];
        if (problems.length > 0) throw new ComponentValidationError("ArgoCdCrds", name, problems);
        super(ARGOCD_CRDS_TYPE, name, { files: args.files, release: args.release }, opts);
        const retain = args.retainOnDelete ?? false;
        this.release = args.release;
        this.crds = new k8s.yaml.v2.ConfigGroup(
            name,
            { files: args.files },
            {
                parent: this,
                protect: retain,
                transforms: [onlyCrds(name), ...chartTransforms({ labels: auditLabels(args.audit), retainCrds: retain })],
            },
        );
        this.registerOutputs({ release: this.release });
    }
}

/** A file holding anything but a CRD is refused: this stack installs Argo CD's schema, nothing that runs. */
export function onlyCrds(name: string): pulumi.ResourceTransform {
    return (args) => {
        if (!args.custom || !args.type.startsWith("kubernetes:") || args.type === CRD_TYPE) return undefined;
        const objectName = String((args.props.metadata as { name?: string } | undefined)?.name ?? args.name);
        throw new ComponentValidationError("ArgoCdCrds", name, [
            { prop: "files", message: `hold ${args.type.replace(/^kubernetes:/, "")} ${objectName}: only CustomResourceDefinitions belong in the argocd-crds stack` },
        ]);
    };
}
