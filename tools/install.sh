#!/usr/bin/env bash
# tools/install.sh — pinned CLI toolchain for this repo, cached outside the work tree.
#
#   tools/install.sh                  # all tools
#   tools/install.sh helm terraform   # only these
#   tools/install.sh helm terraform minio registry   # what the tests need (no pulumi)
#
# Tools: the engine (pulumi, pulumi-language-nodejs, pulumi-resource-kubernetes), helm, terraform;
# two servers the tests start: minio (S3-compatible, for the Terraform s3 backend) and registry (CNCF
# Distribution, an OCI registry, for chart publishing); and the local control plane the GitOps loop
# runs on: etcd, kubernetes (kube-apiserver, kube-controller-manager, kube-scheduler, kubectl), kwok
# (fake nodes) and argocd (one binary; the controllers answer by argv[0]).
# For each tool, in order:
#   1. a binary already on PATH at the pinned version  -> source "path"
#   2. a binary already in the cache                   -> source "cache"
#   3. the official release, if the network allows      -> source "download"
#      (one quick bounded probe; skipped when GITOPS_TOOLS_OFFLINE=1)
#   4. a build from the Go module proxy                 -> source "built"
# Binaries live in ${XDG_CACHE_HOME:-~/.cache}/gitops-platform/tools/<tool>-<version>/
# and are symlinked into <repo>/.tools/bin (git-ignored). Put that on PATH.
# One line per tool is printed: name, version, source, seconds.
# Exit status is non-zero if any requested tool could not be installed.
set -euo pipefail

# --- pins -------------------------------------------------------------------
# The kubernetes provider must be the release of @pulumi/kubernetes (package.json). The CLI may be
# newer than @pulumi/pulumi (3.248.0, the newest whose engines accept Node.js 20): it runs older SDKs.
# (GITOPS_*_VERSION overrides exist only to try another release by hand.)
PULUMI_VERSION="${GITOPS_PULUMI_VERSION:-3.274.1}"
K8S_PROVIDER_VERSION="${GITOPS_K8S_PROVIDER_VERSION:-4.25.0}"
# The proxy refuses the language host's own module; the newest copy it serves is the package inside
# sdk/v3 at this release. It is labelled with its own version, never the CLI's.
NODEJS_HOST_VERSION=3.68.0
ETCD_VERSION=3.6.8
KUBERNETES_VERSION=1.37.2       # the client libraries Argo CD 3.6 is built on
KWOK_VERSION=0.8.0
ARGOCD_VERSION=3.6.1
ARGOCD_GO_TOOLCHAIN=go1.27.3    # Argo CD 3.6's go.mod says go 1.27.0
HELM_VERSION="${GITOPS_HELM_VERSION:-3.22.0}"
TERRAFORM_VERSION="${GITOPS_TERRAFORM_VERSION:-1.5.7}"
# MinIO's tags are not semver: the module proxy knows its releases as pseudo-versions (2026-02-12).
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
REGISTRY_VERSION=v3.1.2
ACTIONLINT_VERSION=1.7.12       # lints .github/workflows in .ci/run
# CRDs of the add-ons the stacks install, for the server-side dry run (data only: nothing is built).
# Each must be the release of the chart the catalogue pins (stacks/addons.catalogue.yaml).
ESO_VERSION=1.3.2
CERT_MANAGER_VERSION=1.21.2
GATEWAY_API_VERSION=1.6.1       # the release Envoy Gateway 1.9.1 bundles (its gateway-crds-helm chart)

# The nodejs language host and the kubernetes provider module have no tags of
# their own: they are pinned to the commit of their release tag, as a Go
# pseudo-version. Empty = derive the commit from a sibling module's tag
# (pulumi/pkg/v3@v$PULUMI_VERSION resp. pulumi-kubernetes/sdk/v4@v$K8S_PROVIDER_VERSION)
# via the proxy's Origin record; the resolved value is printed so it can be frozen here.
K8S_PROVIDER_MODVERSION="${K8S_PROVIDER_MODVERSION:-v4.0.0-20260115033456-f47bc2d6f199}"  # = tag v4.25.0

PULUMI_PKG_MOD=github.com/pulumi/pulumi/pkg/v3
PULUMI_SDK_MOD=github.com/pulumi/pulumi/sdk/v3
PULUMI_NODEJS_PKG=github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
K8S_PROVIDER_MOD=github.com/pulumi/pulumi-kubernetes/provider/v4
K8S_SDK_MOD=github.com/pulumi/pulumi-kubernetes/sdk/v4
HELM_MOD=helm.sh/helm/v3
TERRAFORM_MOD=github.com/hashicorp/terraform
MINIO_MOD=github.com/minio/minio
ACTIONLINT_MOD=github.com/rhysd/actionlint
ESO_MOD=github.com/external-secrets/external-secrets
CERT_MANAGER_MOD=github.com/cert-manager/cert-manager
GATEWAY_API_MOD=sigs.k8s.io/gateway-api
REGISTRY_MOD=github.com/distribution/distribution/v3
ETCD_MOD=go.etcd.io/etcd/server/v3
KUBERNETES_MOD=k8s.io/kubernetes
KWOK_MOD=sigs.k8s.io/kwok
ARGOCD_MOD=github.com/argoproj/argo-cd/v3
GITOPS_ENGINE_MOD=github.com/argoproj/argo-cd/gitops-engine/v3

# Two builds run at a time. The engine and Argo CD first (the longest, and only e2e needs them), then
# what the tests need: CI's tests install those themselves while this queue is still on the first.
ALL_TOOLS=(argocd pulumi-resource-kubernetes pulumi pulumi-language-nodejs kubernetes etcd kwok helm terraform minio registry actionlint)
# Not built, so not in ALL_TOOLS's build queue, but installed by a plain `install.sh` too:
#   addon-crds (CRD files from the add-ons' Go modules), chromium (Debian; the review's report test),
#   Debian's shellcheck (actionlint runs it on the workflows' run: scripts when it is on PATH).
EXTRA_TOOLS=(addon-crds chromium shellcheck)

# --- layout -----------------------------------------------------------------
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN_DIR="$REPO_ROOT/.tools/bin"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/gitops-platform/tools"
WORK_ROOT="$CACHE_ROOT/work"          # wrapper modules and writable source copies
DL_ROOT="$CACHE_ROOT/downloads"
LOG_ROOT="$CACHE_ROOT/logs"             # full go output of each build, kept for post-mortems
mkdir -p "$BIN_DIR" "$CACHE_ROOT" "$WORK_ROOT" "$DL_ROOT" "$LOG_ROOT"

case "$(uname -m)" in
  x86_64|amd64) ARCH=amd64; PULUMI_ARCH=x64 ;;
  aarch64|arm64) ARCH=arm64; PULUMI_ARCH=arm64 ;;
  *) echo "install.sh: unsupported arch $(uname -m)" >&2; exit 2 ;;
esac

# Keep the tools quiet and offline-friendly while we probe them.
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export CHECKPOINT_DISABLE=1   # terraform's version-check phone-home
# -buildvcs=false: module sources carry no VCS metadata anyway.
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
export CGO_ENABLED=0          # static binaries, like the official releases

log() { echo "install.sh: $*" >&2; }
die() { log "$*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# PATH without our own .tools/bin, so step 1 never finds our symlinks.
FOREIGN_PATH="$(tr ':' '\n' <<<"$PATH" | { grep -vxF "$BIN_DIR" || true; } | paste -sd: -)"

# --- helpers ----------------------------------------------------------------
# locked NAME CMD...: run CMD in a subshell holding NAME's lock in the cache. One build of a tool at a
# time: a second installer (CI starts one in the background, then the tests' own) waits for a build
# in progress and then finds the tool cached, while builds of other tools go on side by side.
locked() {
  local name="$1"; shift
  ( flock 9 && "$@" ) 9>"$CACHE_ROOT/.lock-$name"
}

# JSON field from `go mod download -json` (flat string fields only).
json_field() { sed -n "s/^[[:space:]]*\"$1\": \"\\(.*\\)\",\\{0,1\\}$/\\1/p" | head -n1; }

# go_mod_download MOD@VER -> prints the module's extracted directory.
go_mod_download() {
  local out
  out="$(cd "$WORK_ROOT" && go mod download -json "$1" 2>&1)" || true
  local err; err="$(json_field Error <<<"$out")"
  [[ -z "$err" ]] || { log "go mod download $1: $err"; return 1; }
  json_field Dir <<<"$out"
}

# Commit hash behind a tagged module version (from the proxy's Origin record).
tag_commit() {
  (cd "$WORK_ROOT" && go mod download -json "$1") 2>/dev/null \
    | grep -o '"Hash": "[0-9a-f]\{40\}"' | head -n1 | grep -o '[0-9a-f]\{40\}'
}

# Canonical pseudo-version for MOD at COMMIT (the proxy resolves hash queries).
pseudo_version() {
  local out; out="$(cd "$WORK_ROOT" && go mod download -json "$1@$2" 2>&1)" || true
  local v; v="$(json_field Version <<<"$out")"
  [[ -n "$v" ]] || { log "cannot resolve $1@$2: $(json_field Error <<<"$out")"; return 1; }
  echo "$v"
}

# Copy the non-local replace directives of an upstream go.mod into ./go.mod.
# (Local ones such as `sdk/v3 => ../sdk` mean "same release", which the
# wrapper already gets by requiring that module at the same version.)
copy_replaces() {
  local upstream_gomod="$1" line
  while IFS='|' read -r old oldv new newv; do
    [[ -n "$newv" ]] || continue          # local path replacement: skip
    line="$old"; [[ -n "$oldv" ]] && line="$old@$oldv"
    go mod edit -replace "$line=$new@$newv"
  done < <(go mod edit -json "$upstream_gomod" | jq -r '.Replace[]? | [.Old.Path, (.Old.Version // ""), .New.Path, (.New.Version // "")] | join("|")')
}

# Start a gRPC plugin (provider / language host) with no engine address: it
# must print the port it listens on. Returns 0 if it did within 15 s.
serves_port() {
  local bin out pid
  bin="$(readlink -f "$1")"
  out="$(mktemp)"
  (cd /tmp && exec "$bin") >"$out" 2>/dev/null </dev/null &
  pid=$!
  for _ in $(seq 1 150); do
    if grep -qE '^[0-9]+$' "$out"; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$out"; return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$out"
  return 1
}

# Does BIN contain the literal STRING? (-trimpath drops -ldflags from the Go
# build info, so the version strings themselves are looked for.)
binary_has() { grep -aqF -- "$2" "$1"; }

# --- per-tool facts -----------------------------------------------------------
tool_version() {
  case "$1" in
    pulumi) echo "$PULUMI_VERSION" ;;
    pulumi-language-nodejs) echo "$NODEJS_HOST_VERSION" ;;
    pulumi-resource-kubernetes) echo "$K8S_PROVIDER_VERSION" ;;
    helm) echo "$HELM_VERSION" ;;
    terraform) echo "$TERRAFORM_VERSION" ;;
    minio) echo "$MINIO_VERSION" ;;
    registry) echo "$REGISTRY_VERSION" ;;
    etcd) echo "$ETCD_VERSION" ;;
    kubernetes) echo "$KUBERNETES_VERSION" ;;
    kwok) echo "$KWOK_VERSION" ;;
    argocd) echo "$ARGOCD_VERSION" ;;
    actionlint) echo "$ACTIONLINT_VERSION" ;;
    *) return 1 ;;
  esac
}

# The binaries a tool puts in .tools/bin (the first one is the one checked). A tool's cache folder
# may hold data beside them (kwok's stages, Argo CD's CRDs and install manifests).
tool_bins() {
  case "$1" in
    kubernetes) echo kube-apiserver kube-controller-manager kube-scheduler kubectl ;;
    argocd) echo argocd argocd-application-controller argocd-repo-server argocd-applicationset-controller git-verify-wrapper.sh gpg-wrapper.sh ;;
    *) echo "$1" ;;
  esac
}

# check_version TOOL BIN: is BIN that tool at the pinned version?
check_version() {
  local tool="$1" bin="$2" tmp
  case "$tool" in
    pulumi)   # throwaway PULUMI_HOME: probing must not touch ~/.pulumi
      tmp="$(mktemp -d)"
      local v; v="$(PULUMI_HOME="$tmp" "$bin" version 2>/dev/null || true)"
      rm -rf "$tmp"
      [[ "$v" == "v$PULUMI_VERSION" ]] ;;
    pulumi-language-nodejs)
      # No version flag: it must carry its release string and serve gRPC.
      binary_has "$bin" "v$NODEJS_HOST_VERSION" && serves_port "$bin" ;;
    pulumi-resource-kubernetes)
      # The schema embedded by generate.go carries the version; it must serve gRPC.
      # (The version the CLI sees is checked in wire_engine when pulumi is there.)
      binary_has "$bin" "\"version\":\"$K8S_PROVIDER_VERSION\"" && serves_port "$bin" ;;
    helm)
      [[ "$("$bin" version --short 2>/dev/null)" == "v$HELM_VERSION"* ]] ;;
    terraform)
      [[ "$("$bin" version 2>/dev/null | head -n1)" == "Terraform v$TERRAFORM_VERSION" ]] ;;
    minio)     # no release version without upstream's ldflags: Go's build info names the module version
      built_from "$bin" "$MINIO_MOD" "$MINIO_VERSION" ;;
    registry)
      built_from "$bin" "$REGISTRY_MOD" "$REGISTRY_VERSION" ;;
    etcd)
      "$bin" --version 2>/dev/null | grep -qx "etcd Version: $ETCD_VERSION" ;;
    kubernetes)
      [[ "$("$bin" --version 2>/dev/null)" == "Kubernetes v$KUBERNETES_VERSION" ]] &&
        [[ -f "$(dirname "$bin")/kubectl" ]] ;;
    kwok)
      "$bin" --version 2>/dev/null | grep -qF "$KWOK_VERSION" &&
        [[ -f "$(dirname "$bin")/stages.yaml" ]] ;;
    actionlint)
      [[ "$("$bin" -version 2>/dev/null | head -n1)" == "v$ACTIONLINT_VERSION" ]] ;;
    argocd)
      "$bin" version --client --short 2>/dev/null | grep -qF "v$ARGOCD_VERSION" &&
        [[ -f "$(dirname "$bin")/crds/application-crd.yaml" && -f "$(dirname "$bin")/git-verify-wrapper.sh" && -f "$(dirname "$bin")/install.yaml" ]] ;;
  esac
}

# built_from BIN MODULE VERSION: Go's build info says BIN was built from MODULE at VERSION.
built_from() {
  go version -m "$1" 2>/dev/null | awk -v m="$2" -v v="$3" '$1=="mod" && $2==m && $3==v {ok=1} END {exit !ok}'
}

# --- step 3: official release downloads ----------------------------------------
NET_OK=""
net_ok() {   # one quick probe per run; a closed network answers in milliseconds
  if [[ -z "$NET_OK" ]]; then
    NET_OK=no
    if [[ "${GITOPS_TOOLS_OFFLINE:-0}" != 1 ]] &&
       curl -fsSI --connect-timeout 3 --max-time 5 -o /dev/null "https://get.helm.sh/helm-v${HELM_VERSION}-linux-${ARCH}.tar.gz.sha256sum" 2>/dev/null; then
      NET_OK=yes
    fi
  fi
  [[ "$NET_OK" == yes ]]
}

fetch() {  # fetch URL -> path in the download cache
  local url="$1" dest="$DL_ROOT/${1##*/}"
  if [[ ! -s "$dest" ]]; then
    curl -fsSL --connect-timeout 5 --max-time 600 -o "$dest.part" "$url" || return 1
    mv "$dest.part" "$dest"
  fi
  echo "$dest"
}

# sha256_ok FILE SUMS_URL: the published checksum for FILE must match.
sha256_ok() {
  local file="$1" sums want
  sums="$(curl -fsSL --max-time 30 "$2")" || return 1
  want="$(awk -v f="${file##*/}" '$2==f || $2=="*"f || NF==1 {print $1; exit}' <<<"$sums")"
  [[ -n "$want" && "$(sha256sum "$file" | cut -d' ' -f1)" == "$want" ]]
}

download_tool() {  # download_tool TOOL DESTDIR
  local tool="$1" dest="$2" f x
  net_ok || return 1
  x="$(mktemp -d)"
  case "$tool" in
    pulumi|pulumi-language-nodejs)   # one tarball holds the CLI and the language hosts
      f="$(fetch "https://get.pulumi.com/releases/sdk/pulumi-v${PULUMI_VERSION}-linux-${PULUMI_ARCH}.tar.gz")" &&
      sha256_ok "$f" "https://get.pulumi.com/releases/sdk/pulumi-${PULUMI_VERSION}-checksums.txt" &&
      tar -xzf "$f" -C "$x" && cp "$x/pulumi/$tool" "$dest/" ;;
    pulumi-resource-kubernetes)      # no checksum file is published next to it
      f="$(fetch "https://get.pulumi.com/releases/plugins/pulumi-resource-kubernetes-v${K8S_PROVIDER_VERSION}-linux-${ARCH}.tar.gz")" &&
      tar -xzf "$f" -C "$x" && cp "$x/$tool" "$dest/" ;;
    helm)
      f="$(fetch "https://get.helm.sh/helm-v${HELM_VERSION}-linux-${ARCH}.tar.gz")" &&
      sha256_ok "$f" "https://get.helm.sh/helm-v${HELM_VERSION}-linux-${ARCH}.tar.gz.sha256sum" &&
      tar -xzf "$f" -C "$x" && cp "$x/linux-${ARCH}/helm" "$dest/" ;;
    minio|registry) return 1 ;;   # built from source: their releases are not pinned by module version
    terraform)
      f="$(fetch "https://releases.hashicorp.com/terraform/${TERRAFORM_VERSION}/terraform_${TERRAFORM_VERSION}_linux_${ARCH}.zip")" &&
      sha256_ok "$f" "https://releases.hashicorp.com/terraform/${TERRAFORM_VERSION}/terraform_${TERRAFORM_VERSION}_SHA256SUMS" &&
      unzip -q -o "$f" terraform -d "$x" && cp "$x/terraform" "$dest/" ;;
  esac
  local rc=$?; rm -rf "$x"; return $rc
}

# --- step 4: builds from the Go module proxy ------------------------------------
# All builds: -trimpath and -s -w keep them small and reproducible.

build_helm() {  # go install works: helm's go.mod has no replace lines
  local dest="$1" dir cgv major minor
  dir="$(go_mod_download "$HELM_MOD@v$HELM_VERSION")" || return 1
  # Same k8s capability ldflags as helm's Makefile: major = client-go major + 1, minor = client-go minor.
  cgv="$(go mod edit -json "$dir/go.mod" | jq -r '.Require[] | select(.Path=="k8s.io/client-go") | .Version')"
  cgv="${cgv#v}"; major=$(( ${cgv%%.*} + 1 )); minor="$(cut -d. -f2 <<<"$cgv")"
  GOBIN="$dest" go install -trimpath -ldflags "-s -w \
    -X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION \
    -X helm.sh/helm/v3/internal/version.gitTreeState=clean \
    -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=$major \
    -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$minor \
    -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=$major \
    -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$minor" \
    "$HELM_MOD/cmd/helm@v$HELM_VERSION"
}

build_terraform() {  # version/VERSION in the module already says the release; no prerelease suffix
  local dest="$1"
  GOBIN="$dest" go install -trimpath -ldflags "-s -w" "$TERRAFORM_MOD@v$TERRAFORM_VERSION"
}

build_minio() {
  GOBIN="$1" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" "$MINIO_MOD@$MINIO_VERSION"
}

build_registry() {
  GOBIN="$1" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" "$REGISTRY_MOD/cmd/registry@$REGISTRY_VERSION"
}

build_actionlint() {   # go install stamps the module version, which -version prints
  GOBIN="$1" go install -trimpath -ldflags "-s -w" "$ACTIONLINT_MOD/cmd/actionlint@v$ACTIONLINT_VERSION"
}

# pulumi CLI and language host carry replace lines, so `go install pkg@ver`
# refuses them: build them from a generated wrapper module that requires them
# (and sdk/v3 at the same release) and repeats their non-local replace lines.
pulumi_ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"

# make_wrapper DIR MAIN@VER [DEP@VER...]: go.mod from scratch each time (cheap).
# Only MAIN's replace lines are copied: upstream, the deps' own replace lines
# never apply either (replace only works in the main module).
make_wrapper() {
  local dir="$1"; shift
  rm -rf "$dir"; mkdir -p "$dir"
  (
    cd "$dir"
    go mod init gitops-platform.invalid/toolchain >/dev/null 2>&1 || exit 1
    local d
    d="$(go_mod_download "$1")" || exit 1
    copy_replaces "$d/go.mod" || exit 1
    local m
    for m in "$@"; do go mod edit -require "$m" || exit 1; done
  )
}

build_pulumi() {
  local dest="$1" w="$WORK_ROOT/pulumi-$PULUMI_VERSION"
  make_wrapper "$w" "$PULUMI_PKG_MOD@v$PULUMI_VERSION" "$PULUMI_SDK_MOD@v$PULUMI_VERSION" || return 1
  (cd "$w" && GOFLAGS="$GOFLAGS -mod=mod" go build -trimpath -ldflags "$pulumi_ldflags" \
     -o "$dest/pulumi" "$PULUMI_PKG_MOD/cmd/pulumi")
}

build_pulumi-language-nodejs() {
  local dest="$1" w="$WORK_ROOT/pulumi-language-nodejs-$NODEJS_HOST_VERSION"
  rm -rf "$w"; mkdir -p "$w"
  (
    cd "$w"
    go mod init gitops-platform.invalid/toolchain >/dev/null 2>&1 || exit 1
    go mod edit -require "$PULUMI_SDK_MOD@v$NODEJS_HOST_VERSION" \
      -replace golang.org/x/text=golang.org/x/text@v0.3.6   # sdk 3.68's x/text pin does not build on Go 1.26
    GOFLAGS="$GOFLAGS -mod=mod" go build -trimpath \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$NODEJS_HOST_VERSION" \
      -o "$dest/pulumi-language-nodejs" "$PULUMI_NODEJS_PKG"
  )
}

# The kubernetes provider embeds schema-embed.json written by its generate.go,
# so it is built in a writable copy of its module (its own replace lines then
# apply as the main module), after running that generator.
build_pulumi-resource-kubernetes() {
  local dest="$1" src w="$WORK_ROOT/pulumi-resource-kubernetes-$K8S_PROVIDER_VERSION"
  src="$(go_mod_download "$K8S_PROVIDER_MOD@$K8S_PROVIDER_MODVERSION")" || return 1
  rm -rf "$w"; cp -r "$src" "$w"; chmod -R u+w "$w"
  (
    cd "$w"
    # -trimpath for the generator too: the packages it compiles (the Pulumi SDK, codegen/schema) are
    # then the build's own cached ones, not a second compile of them.
    export GOFLAGS="$GOFLAGS -mod=mod -trimpath"
    # Upstream builds against the SDK in its own tree (`sdk/v4 => ../sdk`): the same release, served.
    go mod edit -dropreplace "$K8S_SDK_MOD" -require "$K8S_SDK_MOD@v$K8S_PROVIDER_VERSION" || exit 1
    VERSION="$K8S_PROVIDER_VERSION" go generate ./cmd/pulumi-resource-kubernetes || exit 1
    go build -ldflags "-s -w -X $K8S_PROVIDER_MOD/pkg/version.Version=$K8S_PROVIDER_VERSION" \
      -o "$dest/pulumi-resource-kubernetes" ./cmd/pulumi-resource-kubernetes
  )
}

build_etcd() {
  local w="$WORK_ROOT/etcd-$ETCD_VERSION"
  rm -rf "$w"; mkdir -p "$w"
  (
    cd "$w" && go mod init gitops-platform.invalid/toolchain >/dev/null 2>&1 &&
    go mod edit -require "$ETCD_MOD@v$ETCD_VERSION" &&
    GOFLAGS="$GOFLAGS -mod=mod" go build -trimpath -ldflags "-s -w" -o "$1/etcd" "$ETCD_MOD"
  )
}

# k8s.io/kubernetes points its staging modules (k8s.io/api, client-go, ...) at ./staging: the wrapper
# points each at its own published release, v0.<minor>.<patch> (or the newest patch the proxy serves).
build_kubernetes() {
  local dest="$1" w="$WORK_ROOT/kubernetes-$KUBERNETES_VERSION" src minor="${KUBERNETES_VERSION#*.}"
  minor="${minor%%.*}"
  src="$(go_mod_download "$KUBERNETES_MOD@v$KUBERNETES_VERSION")" || return 1
  rm -rf "$w"; mkdir -p "$w"
  (
    cd "$w"
    go mod init gitops-platform.invalid/toolchain >/dev/null 2>&1 || exit 1
    go mod edit -go=1.26.0 -require "$KUBERNETES_MOD@v$KUBERNETES_VERSION" || exit 1
    local m v p patch="${KUBERNETES_VERSION##*.}"
    for m in $(go mod edit -json "$src/go.mod" | jq -r '.Replace[] | select(.New.Version == null) | .Old.Path'); do
      v=""
      for ((p = patch; p >= 0; p--)); do
        if go_mod_download "$m@v0.$minor.$p" >/dev/null 2>&1; then v="v0.$minor.$p"; break; fi
      done
      [[ -n "$v" ]] || { echo "no release of $m for Kubernetes 1.$minor on the proxy"; exit 1; }
      go mod edit -replace "$m=$m@$v" -require "$m@$v" || exit 1
    done
    printf '//go:build tools\n\npackage tools\n\nimport (\n' >tools.go
    for p in kube-apiserver kube-controller-manager kube-scheduler kubectl; do printf '\t_ "k8s.io/kubernetes/cmd/%s"\n' "$p" >>tools.go; done
    printf ')\n' >>tools.go
    export GOFLAGS="$GOFLAGS -mod=mod"
    go mod tidy >/dev/null 2>&1 || true
    local pkg="k8s.io/component-base/version"
    local ld="-s -w -X $pkg.gitVersion=v$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
    ld="$ld -X k8s.io/client-go/pkg/version.gitVersion=v$KUBERNETES_VERSION -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor"
    # One go build for the four commands: their links run side by side.
    go build -trimpath -ldflags "$ld" -o "$dest/" k8s.io/kubernetes/cmd/{kube-apiserver,kube-controller-manager,kube-scheduler,kubectl}
  )
}

# kwok 0.8 has no built-in stages: the node and pod lifecycles that ship in its module go beside it.
build_kwok() {
  local dest="$1" w="$WORK_ROOT/kwok-$KWOK_VERSION" src f
  src="$(go_mod_download "$KWOK_MOD@v$KWOK_VERSION")" || return 1
  make_wrapper "$w" "$KWOK_MOD@v$KWOK_VERSION" "$KWOK_MOD@v$KWOK_VERSION" || return 1
  (cd "$w" && GOFLAGS="$GOFLAGS -mod=mod" go build -trimpath -ldflags "-s -w" -o "$dest/kwok" "$KWOK_MOD/cmd/kwok") || return 1
  : >"$dest/stages.yaml"
  for f in "$src"/kustomize/stage/node/fast/node-initialize.yaml \
           "$src"/kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
           "$src"/kustomize/stage/pod/fast/pod-ready.yaml "$src"/kustomize/stage/pod/fast/pod-complete.yaml \
           "$src"/kustomize/stage/pod/fast/pod-delete.yaml; do
    { echo "---"; cat "$f"; } >>"$dest/stages.yaml"
  done
}

# Argo CD: a wrapper module holding argo-cd's own replace block (minus its one local line, the
# gitops-engine in its tree, which is served as the same tagged release) resolves exactly the
# module set of a build inside argo-cd. Go 1.27 from the proxy.
build_argocd() {
  local dest="$1" w="$WORK_ROOT/argocd-$ARGOCD_VERSION" b
  local -x GOTOOLCHAIN="$ARGOCD_GO_TOOLCHAIN"
  make_wrapper "$w" "$ARGOCD_MOD@v$ARGOCD_VERSION" "$ARGOCD_MOD@v$ARGOCD_VERSION" "$GITOPS_ENGINE_MOD@v$ARGOCD_VERSION" || return 1
  (
    cd "$w"
    export GOFLAGS="$GOFLAGS -mod=mod"
    go mod edit -go=1.27.0 && go get "$ARGOCD_MOD/cmd@v$ARGOCD_VERSION" || exit 1
    local p="$ARGOCD_MOD/common"
    go build -trimpath -ldflags "-s -w -X $p.version=$ARGOCD_VERSION -X $p.gitTag=v$ARGOCD_VERSION \
        -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z -X $p.kubectlVersion=v0.37.0" \
      -o "$dest/argocd" "$ARGOCD_MOD/cmd"
  ) || return 1
  local src; src="$(go_mod_download "$ARGOCD_MOD@v$ARGOCD_VERSION")" || return 1
  mkdir -p "$dest/crds"
  cp "$src"/manifests/crds/application{,set}-crd.yaml "$src"/manifests/crds/appproject-crd.yaml "$dest/crds/"
  # The repo server runs these from PATH for every Git source, as in Argo CD's image.
  cp "$src"/hack/git-verify-wrapper.sh "$src"/hack/gpg-wrapper.sh "$dest/"
  cp "$src/manifests/install.yaml" "$dest/"   # the local stack's chart is made from it (argocd_standin_chart)
  chmod -R u+w "$dest"
  for b in argocd-application-controller argocd-repo-server argocd-applicationset-controller; do ln -sfn argocd "$dest/$b"; done
}

# The local stack's Argo CD chart (tools/argocd-standin/README.md): upstream's install manifests minus
# the configuration objects that the stand-in's own template makes from the chart's values keys.
argocd_standin_chart() {
  local manifests="$1" chart="$2" own="$REPO_ROOT/tools/argocd-standin"
  mkdir -p "$chart/templates"
  sed "s/@ARGOCD_VERSION@/$ARGOCD_VERSION/g" "$own/Chart.yaml.in" >"$chart/Chart.yaml"
  cp "$own/values.yaml" "$chart/values.yaml"; cp "$own"/templates/*.yaml "$chart/templates/"
  awk -v drop="argocd-cm argocd-cmd-params-cm argocd-rbac-cm argocd-notifications-cm argocd-secret" '
    BEGIN { n = split(drop, d, " "); for (i = 1; i <= n; i++) skip[d[i]] = 1 }
    function flush() { if (doc != "" && !(name in skip && (kind == "ConfigMap" || kind == "Secret"))) printf "---\n%s", doc; doc = ""; kind = ""; name = "" }
    /^---$/ { flush(); next }
    /^kind: / { kind = $2 }
    /^  name: / && name == "" && inmeta { name = $2 }
    /^metadata:/ { inmeta = 1 } /^[a-z]/ && !/^metadata:/ { inmeta = 0 }
    { doc = doc $0 "\n" }
    END { flush() }' "$manifests" >"$chart/templates/install.yaml"
}

# --- install one tool ------------------------------------------------------------
install_tool() {
  local tool="$1" ver src="" t0 dir main bin found tmp b
  ver="$(tool_version "$tool")" || die "unknown tool '$tool' (known: ${ALL_TOOLS[*]})"
  read -r main _ <<<"$(tool_bins "$tool")"
  dir="$CACHE_ROOT/$tool-$ver"; bin="$dir/$main"
  t0="$(now)"

  if [[ "$main" == "$tool" ]] && found="$(PATH="$FOREIGN_PATH" command -v "$tool")" && check_version "$tool" "$found"; then
    src=path; dir="$(dirname "$found")"
  elif [[ -x "$bin" && -f "$dir/.verified" ]]; then
    src=cache
  else
    # Stage into a temp dir and move into place only after verification, so a
    # half-finished build is never mistaken for a cached one.
    tmp="$(mktemp -d "$CACHE_ROOT/.stage-$tool.XXXX")"
    if download_tool "$tool" "$tmp" 2>/dev/null && check_version "$tool" "$tmp/$main"; then
      src=download
    else
      find "$tmp" -mindepth 1 -delete
      local blog="$LOG_ROOT/$tool-$ver.log"
      log "$tool $ver: building from Go modules (this can take minutes; log: $blog)"
      if "build_$tool" "$tmp" >"$blog" 2>&1 && check_version "$tool" "$tmp/$main"; then
        src=built
      else
        log "$tool $ver: build failed; last lines of $blog:"
        grep -v '^go: downloading' "$blog" | tail -n 15 | sed 's/^/    /' >&2
      fi
    fi
    if [[ -n "$src" ]]; then
      touch "$tmp/.verified"; rm -rf "$dir"; mv "$tmp" "$dir"; chmod 755 "$dir"
    else
      rm -rf "$tmp"
    fi
  fi

  if [[ -z "$src" ]]; then
    printf '%-28s %-8s %-9s %6.1fs\n' "$tool" "$ver" FAILED "$(since "$t0")"
    return 1
  fi
  for b in $(tool_bins "$tool"); do ln -sfn "$dir/$b" "$BIN_DIR/$b"; done
  if [[ "$tool" == argocd ]]; then   # cheap (files only), and follows edits of tools/argocd-standin
    # Module zips keep no executable bits: without them the repo server fails every Git source with
    # "permission denied". Here, not in the build, so a cache made before this line is mended too.
    chmod 755 "$dir"/git-verify-wrapper.sh "$dir"/gpg-wrapper.sh
    mkdir -p "$REPO_ROOT/.tools/charts"; rm -rf "$REPO_ROOT/.tools/charts/argo-cd"
    argocd_standin_chart "$dir/install.yaml" "$REPO_ROOT/.tools/charts/argo-cd"
  fi
  printf '%-28s %-8s %-9s %6.1fs\n' "$tool" "$ver" "$src" "$(since "$t0")"
}

# The engine's plugins where the CLI looks first, so it uses these and warns about nothing: the
# language host beside the pulumi binary (a bundled plugin), the provider installed into a
# PULUMI_HOME under the cache (schema look-ups ignore a provider that is only on PATH). Users and
# tests run the CLI with PULUMI_HOME=<cache>/pulumi-home and PULUMI_IGNORE_AMBIENT_PLUGINS=true.
PULUMI_HOME_DIR="$CACHE_ROOT/pulumi-home"
wire_engine() {
  local cli host provider v
  cli="$(readlink -f "$BIN_DIR/pulumi")"; host="$(readlink -f "$BIN_DIR/pulumi-language-nodejs")"
  provider="$(readlink -f "$BIN_DIR/pulumi-resource-kubernetes")"
  [[ "$(dirname "$host")" == "$(dirname "$cli")" ]] || ln -sfn "$host" "$(dirname "$cli")/pulumi-language-nodejs"
  mkdir -p "$PULUMI_HOME_DIR"
  export PULUMI_HOME="$PULUMI_HOME_DIR" PULUMI_IGNORE_AMBIENT_PLUGINS=true
  if ! "$cli" plugin ls 2>/dev/null | grep -qE "^kubernetes +resource +$K8S_PROVIDER_VERSION "; then
    "$cli" plugin install resource kubernetes "$K8S_PROVIDER_VERSION" --file "$provider" >/dev/null || return 1
  fi
  v="$(timeout 120 "$cli" package get-schema "kubernetes@$K8S_PROVIDER_VERSION" 2>/dev/null | jq -r .version)" || true
  [[ "$v" == "$K8S_PROVIDER_VERSION" ]] || { log "pulumi sees kubernetes provider version '$v', want $K8S_PROVIDER_VERSION"; return 1; }
  echo "$PULUMI_HOME_DIR" >"$REPO_ROOT/.tools/pulumi-home"
}

# Debian packages run as they are: redis-server (Argo CD's cache), chromium (headless, for report
# tests) and, for actionlint, shellcheck.
install_debian_package() {
  local bin="$1" pkg="$2" t0; t0="$(now)"
  if ! PATH="$FOREIGN_PATH" command -v "$bin" >/dev/null; then
    [[ "$(id -u)" == 0 ]] || { log "$bin: not installed; run: sudo apt-get install $pkg"; return 1; }
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg"; } >"$LOG_ROOT/$pkg.log" 2>&1 ||
      { log "$pkg: apt-get install failed (log: $LOG_ROOT/$pkg.log)"; return 1; }
  fi
  ln -sfn "$(PATH="$FOREIGN_PATH" command -v "$bin")" "$BIN_DIR/$bin"
  printf '%-28s %-8s %-9s %6.1fs\n' "$bin" "$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null | cut -c1-8)" debian "$(since "$t0")"
}

# The add-ons' and Argo CD's CRDs as their Go modules ship them, in .tools/crds/<project>/ (one file
# per CRD), for the server-side dry run: data only, so the tests need no Argo CD build for them.
install_addon_crds() {
  local t0 dir="$CACHE_ROOT/addon-crds-eso$ESO_VERSION-cm$CERT_MANAGER_VERSION-gw$GATEWAY_API_VERSION-argocd$ARGOCD_VERSION" tmp src how=cache
  t0="$(now)"
  if [[ ! -f "$dir/.verified" ]]; then
    how=modules
    tmp="$(mktemp -d "$CACHE_ROOT/.stage-addon-crds.XXXX")"
    mkdir -p "$tmp/external-secrets" "$tmp/cert-manager" "$tmp/gateway-api" "$tmp/argo-cd"
    { src="$(go_mod_download "$ESO_MOD@v$ESO_VERSION")" && cp "$src"/config/crds/bases/*.yaml "$tmp/external-secrets/" &&
      src="$(go_mod_download "$CERT_MANAGER_MOD@v$CERT_MANAGER_VERSION")" && cp "$src"/deploy/crds/*.yaml "$tmp/cert-manager/" &&
      src="$(go_mod_download "$GATEWAY_API_MOD@v$GATEWAY_API_VERSION")" && cp "$src"/config/crd/standard/*.yaml "$tmp/gateway-api/" &&
      src="$(GOTOOLCHAIN="$ARGOCD_GO_TOOLCHAIN" go_mod_download "$ARGOCD_MOD@v$ARGOCD_VERSION")" && cp "$src"/manifests/crds/*-crd.yaml "$tmp/argo-cd/"; } ||
      { rm -rf "$tmp"; printf '%-28s %-8s %-9s %6.1fs\n' addon-crds "$ESO_VERSION" FAILED "$(since "$t0")"; return 1; }
    rm -f "$tmp"/*/kustomization.yaml; chmod -R u+w "$tmp"; touch "$tmp/.verified"; rm -rf "$dir"; mv "$tmp" "$dir"
  fi
  rm -rf "$REPO_ROOT/.tools/crds"; mkdir -p "$REPO_ROOT/.tools/crds"
  cp -r "$dir"/external-secrets "$dir"/cert-manager "$dir"/gateway-api "$dir"/argo-cd "$REPO_ROOT/.tools/crds/"
  printf '%-28s %-8s %-9s %6.1fs\n' addon-crds "eso$ESO_VERSION" "$how" "$(since "$t0")"
}

# Builds run two at a time: a Go build's download, compile and link phases rarely fill both cores.
main() {
  local tools=("$@") failed=0 t pids=() names=() i
  [[ ${#tools[@]} -gt 0 ]] || tools=("${ALL_TOOLS[@]}" "${EXTRA_TOOLS[@]}")
  for t in "${tools[@]}"; do
    [[ " ${EXTRA_TOOLS[*]} " == *" $t "* ]] || tool_version "$t" >/dev/null ||
      die "unknown tool '$t' (known: ${ALL_TOOLS[*]} ${EXTRA_TOOLS[*]})"
  done
  for t in "${tools[@]}"; do
    [[ " ${EXTRA_TOOLS[*]} " == *" $t "* ]] && continue
    while [[ $(jobs -rp | wc -l) -ge ${GITOPS_TOOLS_JOBS:-2} ]]; do wait -n || true; done
    locked "$t" install_tool "$t" & pids+=($!); names+=("$t")
  done
  for i in "${!pids[@]}"; do wait "${pids[$i]}" || failed=1; done
  # apt-get takes dpkg's lock and fails if another installer holds it: one at a time.
  if [[ " ${tools[*]} " == *" argocd "* ]]; then locked apt install_debian_package redis-server redis-server || failed=1; fi
  if [[ " ${tools[*]} " == *" chromium "* ]]; then locked apt install_debian_package chromium chromium || failed=1; fi
  if [[ " ${tools[*]} " == *" shellcheck "* ]]; then locked apt install_debian_package shellcheck shellcheck || failed=1; fi
  if [[ " ${tools[*]} " == *" addon-crds "* ]]; then locked addon-crds install_addon_crds || failed=1; fi
  if [[ -x "$BIN_DIR/pulumi" && -x "$BIN_DIR/pulumi-resource-kubernetes" && -x "$BIN_DIR/pulumi-language-nodejs" ]] &&
     [[ " ${tools[*]} " == *" pulumi"* ]]; then
    locked pulumi-home wire_engine || failed=1
  fi
  [[ $failed -eq 0 ]] || log "some tools could not be installed (see FAILED above)"
  return $failed
}

main "$@"; exit $?   # exit here: an edit while it runs must not be read as more script
