#!/usr/bin/env bash
# tools/install.sh — pinned CLI toolchain for this repo, cached outside the work tree.
#
#   tools/install.sh                  # all tools
#   tools/install.sh helm terraform   # only these
#   tools/install.sh helm terraform minio registry   # what the tests need (no pulumi)
#
# Tools: pulumi, pulumi-language-nodejs, pulumi-resource-kubernetes, helm, terraform, and two servers
# the tests start: minio (S3-compatible, for the Terraform s3 backend) and registry (CNCF
# Distribution, an OCI registry, for chart publishing).
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
# pulumi must match the npm package @pulumi/pulumi, the kubernetes provider
# must match @pulumi/kubernetes (see package.json).
# (GITOPS_*_VERSION overrides exist only to try another release by hand.)
PULUMI_VERSION="${GITOPS_PULUMI_VERSION:-3.270.0}"
K8S_PROVIDER_VERSION="${GITOPS_K8S_PROVIDER_VERSION:-4.34.2}"
HELM_VERSION="${GITOPS_HELM_VERSION:-3.22.0}"
TERRAFORM_VERSION="${GITOPS_TERRAFORM_VERSION:-1.5.7}"
# MinIO's tags are not semver: the module proxy knows its releases as pseudo-versions (2026-02-12).
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
REGISTRY_VERSION=v3.1.2

# The nodejs language host and the kubernetes provider module have no tags of
# their own: they are pinned to the commit of their release tag, as a Go
# pseudo-version. Empty = derive the commit from a sibling module's tag
# (pulumi/pkg/v3@v$PULUMI_VERSION resp. pulumi-kubernetes/sdk/v4@v$K8S_PROVIDER_VERSION)
# via the proxy's Origin record; the resolved value is printed so it can be frozen here.
PULUMI_NODEJS_HOST_MODVERSION="${PULUMI_NODEJS_HOST_MODVERSION:-}"
K8S_PROVIDER_MODVERSION="${K8S_PROVIDER_MODVERSION:-}"

PULUMI_PKG_MOD=github.com/pulumi/pulumi/pkg/v3
PULUMI_SDK_MOD=github.com/pulumi/pulumi/sdk/v3
PULUMI_NODEJS_MOD=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
K8S_PROVIDER_MOD=github.com/pulumi/pulumi-kubernetes/provider/v4
K8S_SDK_MOD=github.com/pulumi/pulumi-kubernetes/sdk/v4
HELM_MOD=helm.sh/helm/v3
TERRAFORM_MOD=github.com/hashicorp/terraform
MINIO_MOD=github.com/minio/minio
REGISTRY_MOD=github.com/distribution/distribution/v3

ALL_TOOLS=(pulumi pulumi-language-nodejs pulumi-resource-kubernetes helm terraform minio registry)

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

# One installer at a time per cache: parallel CI steps must not race on builds.
exec 9>"$CACHE_ROOT/.lock"
flock 9

log() { echo "install.sh: $*" >&2; }
die() { log "$*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# PATH without our own .tools/bin, so step 1 never finds our symlinks.
FOREIGN_PATH="$(tr ':' '\n' <<<"$PATH" | { grep -vxF "$BIN_DIR" || true; } | paste -sd: -)"

# --- helpers ----------------------------------------------------------------
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
    pulumi|pulumi-language-nodejs) echo "$PULUMI_VERSION" ;;
    pulumi-resource-kubernetes) echo "$K8S_PROVIDER_VERSION" ;;
    helm) echo "$HELM_VERSION" ;;
    terraform) echo "$TERRAFORM_VERSION" ;;
    minio) echo "$MINIO_VERSION" ;;
    registry) echo "$REGISTRY_VERSION" ;;
    *) return 1 ;;
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
      # No version flag: it must carry the release string and serve gRPC.
      binary_has "$bin" "v$PULUMI_VERSION" && serves_port "$bin" ;;
    pulumi-resource-kubernetes)
      # The schema embedded by generate.go carries the version; it must serve gRPC.
      # (The version the CLI sees is checked in cross_check when pulumi is there.)
      binary_has "$bin" "\"version\":\"$K8S_PROVIDER_VERSION\"" && serves_port "$bin" ;;
    helm)
      [[ "$("$bin" version --short 2>/dev/null)" == "v$HELM_VERSION"* ]] ;;
    terraform)
      [[ "$("$bin" version 2>/dev/null | head -n1)" == "Terraform v$TERRAFORM_VERSION" ]] ;;
    minio)     # no release version without upstream's ldflags: Go's build info names the module version
      built_from "$bin" "$MINIO_MOD" "$MINIO_VERSION" ;;
    registry)
      built_from "$bin" "$REGISTRY_MOD" "$REGISTRY_VERSION" ;;
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
  local dest="$1" w="$WORK_ROOT/pulumi-language-nodejs-$PULUMI_VERSION" mv="$PULUMI_NODEJS_HOST_MODVERSION" c
  if [[ -z "$mv" ]]; then
    c="$(tag_commit "$PULUMI_PKG_MOD@v$PULUMI_VERSION")" || { log "no commit for pulumi v$PULUMI_VERSION on the proxy"; return 1; }
    mv="$(pseudo_version "$PULUMI_NODEJS_MOD" "$c")" || return 1
    log "pulumi-language-nodejs: tag v$PULUMI_VERSION = commit $c = $mv (freeze in PULUMI_NODEJS_HOST_MODVERSION)"
  fi
  make_wrapper "$w" "$PULUMI_NODEJS_MOD@$mv" "$PULUMI_PKG_MOD@v$PULUMI_VERSION" "$PULUMI_SDK_MOD@v$PULUMI_VERSION" || return 1
  (cd "$w" && GOFLAGS="$GOFLAGS -mod=mod" go build -trimpath -ldflags "$pulumi_ldflags" \
     -o "$dest/pulumi-language-nodejs" "$PULUMI_NODEJS_MOD")
}

# The kubernetes provider embeds schema-embed.json written by its generate.go,
# so it is built in a writable copy of its module (its own replace lines then
# apply as the main module), after running that generator.
build_pulumi-resource-kubernetes() {
  local dest="$1" mv="$K8S_PROVIDER_MODVERSION" c src w="$WORK_ROOT/pulumi-resource-kubernetes-$K8S_PROVIDER_VERSION"
  if [[ -z "$mv" ]]; then
    if src="$(go_mod_download "$K8S_PROVIDER_MOD@v$K8S_PROVIDER_VERSION" 2>/dev/null)"; then
      mv="v$K8S_PROVIDER_VERSION"
    else
      c="$(tag_commit "$K8S_SDK_MOD@v$K8S_PROVIDER_VERSION")" || { log "no commit for pulumi-kubernetes v$K8S_PROVIDER_VERSION on the proxy"; return 1; }
      mv="$(pseudo_version "$K8S_PROVIDER_MOD" "$c")" || return 1
      log "pulumi-resource-kubernetes: tag v$K8S_PROVIDER_VERSION = commit $c = $mv (freeze in K8S_PROVIDER_MODVERSION)"
    fi
  fi
  src="$(go_mod_download "$K8S_PROVIDER_MOD@$mv")" || return 1
  if go mod edit -json "$src/go.mod" | jq -e '[.Replace[]? | select(.New.Version == null)] | length > 0' >/dev/null; then
    log "pulumi-resource-kubernetes $mv has local replace lines; a wrapper module is needed"; return 1
  fi
  rm -rf "$w"; cp -r "$src" "$w"; chmod -R u+w "$w"
  (
    cd "$w"
    export GOFLAGS="$GOFLAGS -mod=mod"
    VERSION="$K8S_PROVIDER_VERSION" go generate ./cmd/pulumi-resource-kubernetes || exit 1
    go build -trimpath -ldflags "-s -w -X $K8S_PROVIDER_MOD/pkg/version.Version=$K8S_PROVIDER_VERSION" \
      -o "$dest/pulumi-resource-kubernetes" ./cmd/pulumi-resource-kubernetes
  )
}

# --- install one tool ------------------------------------------------------------
install_tool() {
  local tool="$1" ver src="" t0 dir bin found tmp
  ver="$(tool_version "$tool")" || die "unknown tool '$tool' (known: ${ALL_TOOLS[*]})"
  dir="$CACHE_ROOT/$tool-$ver"; bin="$dir/$tool"
  t0="$(now)"

  if found="$(PATH="$FOREIGN_PATH" command -v "$tool")" && check_version "$tool" "$found"; then
    src=path; bin="$found"
  elif [[ -x "$bin" && -f "$dir/.verified" ]]; then
    src=cache
  else
    # Stage into a temp dir and move into place only after verification, so a
    # half-finished build is never mistaken for a cached one.
    tmp="$(mktemp -d "$CACHE_ROOT/.stage-$tool.XXXX")"
    if download_tool "$tool" "$tmp" 2>/dev/null && check_version "$tool" "$tmp/$tool"; then
      src=download
    else
      rm -f "$tmp/$tool"
      local blog="$LOG_ROOT/$tool-$ver.log"
      log "$tool $ver: building from Go modules (this can take minutes; log: $blog)"
      if "build_$tool" "$tmp" >"$blog" 2>&1 && check_version "$tool" "$tmp/$tool"; then
        src=built
      else
        log "$tool $ver: build failed; last lines of $blog:"
        grep -v '^go: downloading' "$blog" | tail -n 15 | sed 's/^/    /' >&2
      fi
    fi
    if [[ -n "$src" ]]; then
      rm -rf "$dir"; mkdir -p "$dir"; mv "$tmp/$tool" "$bin"; touch "$dir/.verified"
    fi
    rm -rf "$tmp"
  fi

  if [[ -z "$src" ]]; then
    printf '%-28s %-8s %-9s %6.1fs\n' "$tool" "$ver" FAILED "$(since "$t0")"
    return 1
  fi
  ln -sfn "$bin" "$BIN_DIR/$tool"
  printf '%-28s %-8s %-9s %6.1fs\n' "$tool" "$ver" "$src" "$(since "$t0")"
}

# Cross-check once the CLI and the provider are both there: the CLI must find
# the provider on PATH (ambient plugin) and see version $K8S_PROVIDER_VERSION.
cross_check() {
  local home rc=0 v
  home="$(mktemp -d)"
  export PATH="$BIN_DIR:$PATH" PULUMI_HOME="$home"
  pulumi plugin ls >/dev/null || rc=1
  v="$(timeout 120 pulumi package get-schema "kubernetes@$K8S_PROVIDER_VERSION" 2>/dev/null | jq -r .version)" || true
  if [[ "$v" != "$K8S_PROVIDER_VERSION" ]]; then
    log "pulumi sees kubernetes provider version '$v', want $K8S_PROVIDER_VERSION"; rc=1
  fi
  rm -rf "$home"
  return $rc
}

main() {
  local tools=("$@") failed=0 t
  [[ ${#tools[@]} -gt 0 ]] || tools=("${ALL_TOOLS[@]}")
  for t in "${tools[@]}"; do tool_version "$t" >/dev/null || die "unknown tool '$t' (known: ${ALL_TOOLS[*]})"; done
  for t in "${tools[@]}"; do   # sequential on purpose: each Go build already uses every core
    install_tool "$t" || failed=1
  done
  if [[ -x "$BIN_DIR/pulumi" && -x "$BIN_DIR/pulumi-resource-kubernetes" ]] &&
     [[ " ${tools[*]} " == *" pulumi "* || " ${tools[*]} " == *" pulumi-resource-kubernetes "* ]]; then
    cross_check || failed=1
  fi
  [[ $failed -eq 0 ]] || log "some tools could not be installed (see FAILED above)"
  return $failed
}

main "$@"
