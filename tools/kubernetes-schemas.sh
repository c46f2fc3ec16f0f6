#!/usr/bin/env bash
# tools/kubernetes-schemas.sh — Kubernetes OpenAPI v3 schemas for validating rendered charts, offline.
#
#   tools/kubernetes-schemas.sh            # prints the schema directory (downloads once)
#   KUBERNETES_VERSION=1.35.4 tools/kubernetes-schemas.sh
#
# Source: the module k8s.io/kubernetes@v<version> from the Go module proxy (checksummed against
# sum.golang.org by `go mod download`); it ships the API server's published OpenAPI v3 documents
# under api/openapi-spec/v3/ (one JSON file per group/version, e.g. apis__apps__v1_openapi.json).
# Only that folder (~11 MB) is copied to ${XDG_CACHE_HOME:-~/.cache}/gitops-platform/kubernetes-schemas/v<version>/.
# The last line of output is that folder; progress goes to stderr.
set -euo pipefail

# Default = the Kubernetes minor helm 3.22 (tools/install.sh) renders for: client-go v0.37 -> 1.37.
KUBERNETES_VERSION="${KUBERNETES_VERSION:-1.37.2}"
KUBERNETES_VERSION="${KUBERNETES_VERSION#v}"

CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/gitops-platform/kubernetes-schemas/v$KUBERNETES_VERSION"
if [[ -f "$CACHE_DIR/.complete" ]]; then
  echo "$CACHE_DIR"
  exit 0
fi

command -v go >/dev/null || { echo "kubernetes-schemas.sh: 'go' is required to fetch k8s.io/kubernetes@v$KUBERNETES_VERSION" >&2; exit 1; }

# Outside any module, so the project's own go.mod (if one appears) does not matter.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "kubernetes-schemas.sh: fetching k8s.io/kubernetes@v$KUBERNETES_VERSION from the Go module proxy" >&2
out="$(cd "$work" && GOFLAGS=-modcacherw go mod download -json "k8s.io/kubernetes@v$KUBERNETES_VERSION")" || {
  echo "kubernetes-schemas.sh: go mod download failed: $out" >&2
  exit 1
}
src="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$out" | head -n1)/api/openapi-spec/v3"
[[ -d "$src" ]] || { echo "kubernetes-schemas.sh: no api/openapi-spec/v3 in k8s.io/kubernetes@v$KUBERNETES_VERSION" >&2; exit 1; }

# Stage then rename, so a reader never sees a half-copied folder.
mkdir -p "$(dirname "$CACHE_DIR")"
stage="$(mktemp -d "$(dirname "$CACHE_DIR")/.stage.XXXX")"
cp "$src"/*.json "$stage/"
chmod -R u+w "$stage"
touch "$stage/.complete"
rm -rf "$CACHE_DIR"
mv "$stage" "$CACHE_DIR"
echo "$CACHE_DIR"
