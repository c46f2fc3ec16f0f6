/** The Terraform outputs every stack's foundation must provide, with their types (Terraform type expressions). */
export const REQUIRED_TERRAFORM_OUTPUTS = {
    cluster_name: "string",
    cluster_endpoint: "string",
    cluster_certificate_authority_data: "string",
    region: "string",
    account_id: "string",
    vpc_id: "string",
    private_subnet_ids: "list(string)",
    oidc_provider_arn: "string",
    addon_role_arns: "map(string)",
} as const;
