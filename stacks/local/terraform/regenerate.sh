#!/usr/bin/env bash
# Re-applies main.tf with the pinned Terraform 1.5.7 and rewrites what is produced from it:
#   stacks/local/terraform/terraform.tfstate               (default variables: the local stack)
#   test/fixtures/terraform/<env>.outputs.json              (`terraform output -json` with envs/<env>.tfvars)
# Offline: only Terraform's builtin provider is used, with an empty CLI configuration.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
terraform="$root/.tools/bin/terraform"
[[ -x "$terraform" ]] || terraform="$(command -v terraform || true)"
[[ -n "$terraform" ]] || { echo "regenerate.sh: terraform not found; run 'bash tools/install.sh terraform'" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
: > "$work/empty.tfrc"
export TF_CLI_CONFIG_FILE="$work/empty.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

"$terraform" version | grep -q 'Terraform v1.5.7' || { echo "regenerate.sh: need Terraform v1.5.7, found: $("$terraform" version | head -1)" >&2; exit 1; }

apply() { # <dir> [terraform apply args...]
    local dir="$1"; shift
    mkdir -p "$dir" && cp "$here/main.tf" "$dir/"
    "$terraform" -chdir="$dir" init -input=false -no-color >/dev/null
    "$terraform" -chdir="$dir" apply -auto-approve -input=false -no-color "$@" >/dev/null
}

apply "$work/local"
cp "$work/local/terraform.tfstate" "$here/terraform.tfstate"
echo "wrote $here/terraform.tfstate"

for env in dev staging prod; do
    apply "$work/$env" -var-file="$root/test/fixtures/terraform/envs/$env.tfvars"
    "$terraform" -chdir="$work/$env" output -json > "$root/test/fixtures/terraform/$env.outputs.json"
    echo "wrote test/fixtures/terraform/$env.outputs.json"
done
