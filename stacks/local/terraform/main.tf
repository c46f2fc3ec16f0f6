# The cloud foundation as the GitOps platform sees it: the outputs a real EKS foundation (VPC, EKS,
# IAM/OIDC, DNS) exports. This configuration creates nothing in any cloud: it needs only Terraform's
# builtin provider (`terraform_data`), derives realistic fake values from the variables, and is applied
# with Terraform 1.5.7 to produce ./terraform.tfstate for the local stack and the dev/staging/prod
# `terraform output -json` fixtures under test/fixtures/terraform/. See README.md.

terraform {
  # terraform_data needs 1.4; the state is produced with the project's pinned 1.5.7.
  required_version = ">= 1.4.0"
}

variable "environment" {
  description = "Environment name (local, dev, staging, prod)."
  type        = string
  default     = "local"
}

variable "region" {
  description = "AWS region of the foundation."
  type        = string
  default     = "eu-west-1"
}

variable "account_id" {
  description = "AWS account id (fake; 111122223333 is AWS's documentation example)."
  type        = string
  default     = "111122223333"
}

variable "kubernetes_version" {
  description = "EKS Kubernetes version."
  type        = string
  default     = "1.33"
}

variable "domain_name" {
  description = "DNS zone delegated to the platform."
  type        = string
  default     = "local.gitops.example.com"
}

variable "availability_zone_count" {
  description = "Number of availability zones (one private subnet each)."
  type        = number
  default     = 3
}

locals {
  cluster_name = "gitops-${var.environment}"
  # Stable pseudo-random identifiers, so that re-applying gives the same outputs.
  seed           = sha256("${var.account_id}/${var.region}/${local.cluster_name}")
  eks_id         = upper(substr(local.seed, 0, 32))
  oidc_issuer    = "oidc.eks.${var.region}.amazonaws.com/id/${local.eks_id}"
  iam_prefix     = "arn:aws:iam::${var.account_id}"
  zones          = [for i in range(var.availability_zone_count) : "${var.region}${substr("abc", i, 1)}"]
  role_arn       = { for addon in ["external-secrets", "argocd-repo-server", "cert-manager", "external-dns"] : addon => "${local.iam_prefix}:role/${local.cluster_name}-${addon}" }
  # A made-up CA (base64 of a PEM-shaped text), shaped like EKS's certificateAuthority.data.
  ca_pem = "-----BEGIN CERTIFICATE-----\nFAKE-${local.eks_id}\n-----END CERTIFICATE-----\n"

  foundation = {
    cluster_name                       = local.cluster_name
    cluster_version                    = var.kubernetes_version
    cluster_endpoint                   = "https://${local.eks_id}.gr7.${var.region}.eks.amazonaws.com"
    cluster_certificate_authority_data = base64encode(local.ca_pem)
    cluster_oidc_issuer_url            = "https://${local.oidc_issuer}"
    oidc_provider_arn                  = "${local.iam_prefix}:oidc-provider/${local.oidc_issuer}"
    region                             = var.region
    account_id                         = var.account_id
    vpc_id                             = "vpc-${substr(sha256("${local.seed}/vpc"), 0, 17)}"
    vpc_cidr_block                     = "10.42.0.0/16"
    private_subnet_ids                 = [for zone in local.zones : "subnet-${substr(sha256("${local.seed}/private/${zone}"), 0, 17)}"]
    availability_zones                 = local.zones
    route53_zone_id                    = "Z${upper(substr(sha256("${local.seed}/zone"), 0, 20))}"
    domain_name                        = var.domain_name
    # Derived, never typed in: a real foundation would use random_password; this one stays provider-less.
    argocd_admin_password  = "${var.environment}-${substr(sha256("${local.seed}/argocd-admin"), 0, 24)}"
    grafana_admin_password = "${var.environment}-${substr(sha256("${local.seed}/grafana-admin"), 0, 24)}"
  }
}

# The one resource: it stores the foundation so that the outputs come from state, as they would
# from the real VPC/EKS/IAM resources.
resource "terraform_data" "foundation" {
  input = local.foundation
}

locals {
  f = terraform_data.foundation.output
}

output "cluster_name" {
  description = "EKS cluster name."
  value       = local.f.cluster_name
}

output "cluster_version" {
  description = "EKS Kubernetes version."
  value       = local.f.cluster_version
}

output "cluster_endpoint" {
  description = "EKS API server endpoint."
  value       = local.f.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64 PEM of the cluster CA (public)."
  value       = local.f.cluster_certificate_authority_data
}

output "cluster_oidc_issuer_url" {
  description = "OIDC issuer of the cluster, for IRSA trust policies."
  value       = local.f.cluster_oidc_issuer_url
}

output "oidc_provider_arn" {
  description = "IAM OIDC provider of the cluster."
  value       = local.f.oidc_provider_arn
}

output "region" {
  description = "AWS region."
  value       = local.f.region
}

output "account_id" {
  description = "AWS account id."
  value       = local.f.account_id
}

output "vpc_id" {
  description = "VPC of the cluster."
  value       = local.f.vpc_id
}

output "vpc_cidr_block" {
  description = "CIDR block of the VPC."
  value       = local.f.vpc_cidr_block
}

output "private_subnet_ids" {
  description = "Private subnets, one per availability zone."
  value       = tolist(local.f.private_subnet_ids)
}

output "availability_zones" {
  description = "Availability zones of the private subnets."
  value       = tolist(local.f.availability_zones)
}

output "route53_zone_id" {
  description = "Hosted zone of the platform's domain."
  value       = local.f.route53_zone_id
}

output "domain_name" {
  description = "Domain delegated to the platform."
  value       = local.f.domain_name
}

output "addon_role_arns" {
  description = "IRSA role ARNs by add-on (service account owner)."
  value       = tomap(local.role_arn)
}

output "argocd_admin_password" {
  description = "Initial Argo CD admin password (bcrypt-hashed by the program before use)."
  value       = local.f.argocd_admin_password
  sensitive   = true
}

output "grafana_admin_password" {
  description = "Grafana admin password."
  value       = local.f.grafana_admin_password
  sensitive   = true
}
