import { ResourceValidationPolicy } from "@pulumi/policy";
import { readConfig, flag, stringList } from "../lib/config";
import { isRecord } from "../lib/types";

/** Knobs of {@link auditMetadataRequired}. */
export interface AuditMetadataConfig {
    /** Labels every Kubernetes object carries; default managed-by, stack, project, owner, git-commit. */
    kubernetesLabelKeys: string[];
    /** Tags every taggable AWS resource carries; default managed-by, stack, project, owner, git-commit. */
    awsTagKeys: string[];
    /** Label and tag keys holding the Git commit (40 hex); default `gitops.platform/git-commit`, `git-commit`. */
    gitCommitKeys: string[];
    /** Accept `unknown` as the Git commit (the local stack has no CI commit); default false. */
    allowUnknownGitCommit: boolean;
    /** AWS types checked even when they have no `tags` input yet; default common taggable types. */
    awsTaggableTypes: string[];
    /** Values the `remediate` level fills in for missing keys (key to value); default managed-by = pulumi. */
    remediationValues: Record<string, string>;
}

const defaults: AuditMetadataConfig = {
    kubernetesLabelKeys: ["app.kubernetes.io/managed-by", "gitops.platform/stack", "gitops.platform/project", "gitops.platform/owner", "gitops.platform/git-commit"],
    awsTagKeys: ["managed-by", "stack", "project", "owner", "git-commit"],
    gitCommitKeys: ["gitops.platform/git-commit", "git-commit"],
    allowUnknownGitCommit: false,
    awsTaggableTypes: [
        "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", "aws:iam/role:Role", "aws:iam/policy:Policy",
        "aws:eks/cluster:Cluster", "aws:eks/nodeGroup:NodeGroup", "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet",
        "aws:ec2/securityGroup:SecurityGroup", "aws:ecr/repository:Repository", "aws:kms/key:Key",
        "aws:secretsmanager/secret:Secret", "aws:route53/zone:Zone", "aws:cloudwatch/logGroup:LogGroup",
    ],
    remediationValues: { "app.kubernetes.io/managed-by": "pulumi", "managed-by": "pulumi" },
};

/** Kubernetes resources that are not objects on the cluster (components, patches, lists). */
function isKubernetesObject(type: string): boolean {
    const m = /^kubernetes:([^:]+):([^:]+)$/.exec(type);
    if (!m) {
        return false;
    }
    const group = m[1].split("/")[0];
    return !["helm.sh", "yaml", "kustomize"].includes(group) && !/(Patch|List)$/.test(m[2]);
}

function isAwsResource(type: string, props: Record<string, unknown>, config: AuditMetadataConfig): boolean {
    return type.startsWith("aws:") && ("tags" in props || config.awsTaggableTypes.includes(type));
}

/** Provider `defaultTags` count as tags; provider inputs carry nested objects as JSON strings. */
function providerDefaultTags(provider: { props: Record<string, unknown> } | undefined): Record<string, unknown> {
    let dt: unknown = provider?.props.defaultTags;
    if (typeof dt === "string") {
        try {
            dt = JSON.parse(dt);
        } catch {
            return {};
        }
    }
    return isRecord(dt) && isRecord(dt.tags) ? dt.tags : {};
}

/** Returns the problems of one label/tag set: missing keys and malformed commits. */
function metadataProblems(present: Record<string, unknown>, keys: string[], config: AuditMetadataConfig, field: string): string[] {
    const problems: string[] = [];
    const missing = keys.filter(k => typeof present[k] !== "string" || present[k] === "");
    if (missing.length > 0) {
        problems.push(`${field} is missing ${missing.map(k => `"${k}"`).join(", ")}`);
    }
    for (const key of keys.filter(k => config.gitCommitKeys.includes(k) && typeof present[k] === "string" && present[k] !== "")) {
        const value = String(present[key]);
        const ok = /^[0-9a-f]{40}$/i.test(value) || (config.allowUnknownGitCommit && value === "unknown");
        if (!ok) {
            problems.push(`${field}["${key}"] is "${value}", expected a 40-hex Git commit${config.allowUnknownGitCommit ? ' or "unknown"' : ""}`);
        }
    }
    return problems;
}

/**
 * Audit labels and tags: who manages an object, for which stack and project, owned by whom, from which commit.
 *
 * Judges: every Kubernetes object kubernetes:<group>/<version>:<Kind> (not helm.sh, yaml or kustomize, no *Patch or *List), aws:* resources with tags or listed in awsTaggableTypes (with the aws provider's defaultTags).
 * Severity: medium. Topics: audit, kubernetes, aws.
 * Link: https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
 */
export const auditMetadataRequired: ResourceValidationPolicy = {
    name: "audit-metadata-required",
    description: "Kubernetes objects carry the audit labels and taggable AWS resources the audit tags (managed-by, stack, project, owner, Git commit).",
    severity: "medium",
    tags: ["audit", "kubernetes", "aws"],
    url: "https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/",
    remediationSteps:
        "Add the missing labels under metadata.labels (Kubernetes) or tags (AWS); for charts pass them through the chart's " +
        "commonLabels/labels values. Set the Git commit from CI (GITHUB_SHA). At enforcement level `remediate` the pack adds " +
        "the keys it has values for (config `remediationValues`).",
    configSchema: {
        properties: {
            kubernetesLabelKeys: stringList("Labels every Kubernetes object carries.", defaults.kubernetesLabelKeys),
            awsTagKeys: stringList("Tags every taggable AWS resource carries.", defaults.awsTagKeys),
            gitCommitKeys: stringList("Label/tag keys holding the Git commit.", defaults.gitCommitKeys),
            allowUnknownGitCommit: flag("Accept `unknown` as Git commit (local only).", defaults.allowUnknownGitCommit),
            awsTaggableTypes: stringList("AWS types checked even without a tags input.", defaults.awsTaggableTypes),
            remediationValues: { type: "object", additionalProperties: { type: "string" }, default: defaults.remediationValues, description: "Values filled in by the remediate level." },
        },
    },
    validateResource: (args, reportViolation) => {
        const config = readConfig(defaults, args.getConfig<Partial<AuditMetadataConfig>>());
        const props = args.props as Record<string, unknown>;
        let problems: string[] = [];
        if (isKubernetesObject(args.type)) {
            const labels = isRecord(props.metadata) && isRecord(props.metadata.labels) ? props.metadata.labels : {};
            problems = metadataProblems(labels, config.kubernetesLabelKeys, config, "metadata.labels");
        } else if (isAwsResource(args.type, props, config)) {
            const tags = { ...providerDefaultTags(args.provider), ...(isRecord(props.tags) ? props.tags : {}) };
            problems = metadataProblems(tags, config.awsTagKeys, config, "tags");
        }
        if (problems.length > 0) {
            reportViolation(problems.join("; "));
        }
    },
    remediateResource: args => {
        const config = readConfig(defaults, args.getConfig<Partial<AuditMetadataConfig>>());
        const props = args.props as Record<string, unknown>;
        let keys: string[];
        let target: Record<string, unknown>;
        if (isKubernetesObject(args.type)) {
            if (!isRecord(props.metadata)) {
                props.metadata = {};
            }
            const metadata = props.metadata as Record<string, unknown>;
            if (!isRecord(metadata.labels)) {
                metadata.labels = {};
            }
            target = metadata.labels as Record<string, unknown>;
            keys = config.kubernetesLabelKeys;
        } else if (isAwsResource(args.type, props, config)) {
            if (!isRecord(props.tags)) {
                props.tags = {};
            }
            target = props.tags as Record<string, unknown>;
            keys = config.awsTagKeys;
        } else {
            return undefined;
        }
        const inherited = isAwsResource(args.type, props, config) ? providerDefaultTags(args.provider) : {};
        let changed = false;
        for (const key of keys) {
            const value = config.remediationValues[key];
            if ((typeof target[key] !== "string" || target[key] === "") && inherited[key] === undefined && value !== undefined) {
                target[key] = value;
                changed = true;
            }
        }
        return changed ? props : undefined;
    },
};
