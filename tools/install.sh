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
# Their pins and facts (version, Go module, binaries, version check, release download, Renovate
# source) are data in tools/toolchain.json; each tool's build is build_<tool> below.
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

# Not built, so not among tools/toolchain.json's tools (the build queue), but installed by a plain
# `install.sh` too: addon-crds (CRD files from the add-ons' Go modules, pinned in toolchain.json's
# crds), chromium (Debian; the review's report test), Debian's shellcheck (actionlint runs it on the
# workflows' run: scripts when it is on PATH).
EXTRA_TOOLS=(addon-crds chromium shellcheck)

# `install.sh loop`: only what `npm run up` runs (the engine, the control plane, Argo CD with its
# Debian redis-server and lighttpd, External Secrets Operator, helm for the repo server). A newcomer's
# first run builds these; terraform, minio, registry and actionlint wait for the tests that need them.
LOOP_TOOLS=(argocd pulumi-resource-kubernetes pulumi pulumi-language-nodejs kubernetes etcd kwok external-secrets-operator helm)

# --- layout -----------------------------------------------------------------
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLCHAIN_JSON="$REPO_ROOT/tools/toolchain.json"
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

# --- pins: tools/toolchain.json ------------------------------------------------
# Read once, with node (this runs before `npm ci`: no packages), into FACT: one key per fact, its
# path in the file without the section (FACT[helm.version], FACT[argocd.check.run],
# FACT[external-secrets.module]), lists joined by spaces, each tool's env overrides
# (GITOPS_*_VERSION, only to try another release by hand) and placeholders resolved.
# FACT[tools] lists the tools in build-queue order.
declare -A FACT=()
# shellcheck disable=SC2016  # JavaScript: its ${...} are template literals, not bash's
read_toolchain='
const [file] = process.argv.slice(1);
const data = JSON.parse(require("fs").readFileSync(file, "utf8"));
const tools = {};
for (const [name, tool] of Object.entries(data.tools)) {
  tools[name] = { ...tool };
  for (const [field, variable] of Object.entries(tool.env ?? {})) tools[name][field] = process.env[variable] || tool[field];
}
const resolve = (s, own, at) => s.replace(/\{([\w.-]+)\}/g, (_, p) => {
  const [t, field] = p.includes(".") ? p.split(".") : [undefined, p];
  const v = p === "arch" ? process.env.ARCH : p === "pulumiArch" ? process.env.PULUMI_ARCH : t ? tools[t]?.[field] : own[field];
  if (typeof v !== "string") throw new Error(`${file}: ${at}: unknown placeholder {${p}}`);
  return v;
});
const lines = [`tools\t${Object.keys(tools).join(" ")}`];
const emit = (at, v, own) => {
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) if (k !== "note") emit(`${at}.${k}`, x, own);
    return;
  }
  if (Array.isArray(v) && !v.every((e) => typeof e === "string" && /^\S+$/.test(e))) throw new Error(`${file}: ${at}: a list of words`);
  const s = (Array.isArray(v) ? v : [v]).map((e) => (typeof e === "string" ? resolve(e, own, at) : String(e))).join(" ");
  if (/[\t\n]/.test(s)) throw new Error(`${file}: ${at}: a tab or a newline`);
  lines.push(`${at}\t${s}`);
};
for (const [name, tool] of Object.entries(tools)) emit(name, tool, tool);
for (const [name, crd] of Object.entries(data.crds)) emit(name, crd, crd);
console.log(lines.join("\n"));
'
toolchain_facts="$(ARCH="$ARCH" PULUMI_ARCH="$PULUMI_ARCH" node -e "$read_toolchain" "$TOOLCHAIN_JSON")" ||
  die "cannot read $TOOLCHAIN_JSON"
while IFS=$'\t' read -r key value; do FACT[$key]="$value"; done <<<"$toolchain_facts"
unset read_toolchain toolchain_facts
read -ra ALL_TOOLS <<<"${FACT[tools]}"
has() { [[ -n "${FACT[$1]+x}" ]]; }   # has KEY: toolchain.json states that fact

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

# --- per-tool facts (tools/toolchain.json) -------------------------------------
is_tool() { local t; for t in "${ALL_TOOLS[@]}"; do [[ "$t" == "$1" ]] && return 0; done; return 1; }

tool_version() {
  is_tool "$1" || return 1
  echo "${FACT[$1.version]}"
}

# The binaries a tool puts in .tools/bin (the first one is the one checked). A tool's cache folder
# may hold data beside them (kwok's stages, Argo CD's CRDs and install manifests).
tool_bins() {
  if is_tool "$1"; then echo "${FACT[$1.bins]}"; else echo "$1"; fi
}

# check_version TOOL BIN: is BIN that tool at the pinned version? What is checked is the tool's
# `check` in toolchain.json (its fields are described there).
check_version() {
  local c="$1.check" bin="$2" out="" rc=0 home f
  local -a args
  if has "$c.run"; then
    read -ra args <<<"${FACT[$c.run]}"
    if has "$c.tempHome"; then
      home="$(mktemp -d)"
      out="$(export "${FACT[$c.tempHome]}=$home"; "$bin" "${args[@]}" 2>/dev/null)" || rc=$?
      rm -rf "$home"
    else
      out="$("$bin" "${args[@]}" 2>/dev/null)" || rc=$?
    fi
  fi
  if has "$c.output"; then [[ "$out" == "${FACT[$c.output]}" ]] || return 1; fi
  if has "$c.outputStartsWith"; then [[ "$out" == "${FACT[$c.outputStartsWith]}"* ]] || return 1; fi
  if has "$c.firstLine"; then [[ "${out%%$'\n'*}" == "${FACT[$c.firstLine]}" ]] || return 1; fi
  if has "$c.line"; then [[ $rc -eq 0 ]] && grep -qx -- "${FACT[$c.line]}" <<<"$out" || return 1; fi
  if has "$c.contains"; then [[ $rc -eq 0 && "$out" == *"${FACT[$c.contains]}"* ]] || return 1; fi
  if has "$c.embeds"; then binary_has "$bin" "${FACT[$c.embeds]}" || return 1; fi
  if has "$c.goBuildInfo"; then built_from "$bin" "${FACT[$1.module]}" "${FACT[$1.version]}" || return 1; fi
  if has "$c.servesPort"; then serves_port "$bin" || return 1; fi
  for f in ${FACT[$c.files]:-}; do [[ -f "$(dirname "$bin")/$f" ]] || return 1; done
}

# built_from BIN MODULE VERSION: Go's build info says BIN was built from MODULE at VERSION (as the
# main module: a wrapper that replaces it with a copy still says so; VERSION with or without its v).
built_from() {
  go version -m "$1" 2>/dev/null | awk -v m="$2" -v v="$3" '$1=="mod" && $2==m && ($3==v || $3=="v" v) {ok=1} END {exit !ok}'
}

# --- step 3: official release downloads ----------------------------------------
NET_OK=""
net_ok() {   # one quick probe per run; a closed network answers in milliseconds
  if [[ -z "$NET_OK" ]]; then
    NET_OK=no
    if [[ "${GITOPS_TOOLS_OFFLINE:-0}" != 1 ]] &&
       curl -fsSI --connect-timeout 3 --max-time 5 -o /dev/null "${FACT[helm.download.sums]}" 2>/dev/null; then
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

# download_tool TOOL DESTDIR: the tool's `download` in toolchain.json: the release archive (.tar.gz or
# .zip) at url, checked against the published sums when there are, its file copied into DESTDIR.
download_tool() {
  local d="$1.download" dest="$2" f x rc=0
  has "$d.url" || return 1   # built from source only
  net_ok || return 1
  x="$(mktemp -d)"
  f="$(fetch "${FACT[$d.url]}")" &&
  { ! has "$d.sums" || sha256_ok "$f" "${FACT[$d.sums]}"; } &&
  case "$f" in
    *.zip) unzip -q -o "$f" "${FACT[$d.file]}" -d "$x" ;;
    *) tar -xzf "$f" -C "$x" ;;
  esac &&
  cp "$x/${FACT[$d.file]}" "$dest/" || rc=$?
  rm -rf "$x"; return $rc
}

# --- step 4: builds from the Go module proxy ------------------------------------
# All builds: -trimpath and -s -w keep them small and reproducible. build_<tool> DEST builds the tool
# at its pin (toolchain.json) into DEST; the version check runs afterwards.

build_helm() {  # go install works: helm's go.mod has no replace lines
  local dest="$1" v="${FACT[helm.version]}" mod="${FACT[helm.module]}" dir cgv major minor
  dir="$(go_mod_download "$mod@v$v")" || return 1
  # Same k8s capability ldflags as helm's Makefile: major = client-go major + 1, minor = client-go minor.
  cgv="$(go mod edit -json "$dir/go.mod" | jq -r '.Require[] | select(.Path=="k8s.io/client-go") | .Version')"
  cgv="${cgv#v}"; major=$(( ${cgv%%.*} + 1 )); minor="$(cut -d. -f2 <<<"$cgv")"
  GOBIN="$dest" go install -trimpath -ldflags "-s -w \
    -X helm.sh/helm/v3/internal/version.version=v$v \
    -X helm.sh/helm/v3/internal/version.gitTreeState=clean \
    -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=$major \
    -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$minor \
    -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=$major \
    -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$minor" \
    "$mod/cmd/helm@v$v"
}

build_terraform() {  # version/VERSION in the module already says the release; no prerelease suffix
  local dest="$1"
  GOBIN="$dest" go install -trimpath -ldflags "-s -w" "${FACT[terraform.module]}@v${FACT[terraform.version]}"
}

build_minio() {
  GOBIN="$1" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" "${FACT[minio.module]}@${FACT[minio.version]}"
}

build_registry() {
  GOBIN="$1" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" "${FACT[registry.module]}/cmd/registry@${FACT[registry.version]}"
}

build_toxiproxy() {  # the version is a variable upstream's release build sets; go install names the binary after cmd/server
  local mod="${FACT[toxiproxy.module]}" v="${FACT[toxiproxy.version]}"
  GOBIN="$1" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w -X $mod.Version=$v" "$mod/cmd/server@v$v"
  mv "$1/server" "$1/toxiproxy-server"
}

build_actionlint() {   # go install stamps the module version, which -version prints
  GOBIN="$1" go install -trimpath -ldflags "-s -w" "${FACT[actionlint.module]}/cmd/actionlint@v${FACT[actionlint.version]}"
}

# pulumi CLI and language host carry replace lines, so `go install pkg@ver`
# refuses them: build them from a generated wrapper module that requires them
# (and sdk/v3 at the same release) and repeats their non-local replace lines.

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
  local dest="$1" v="${FACT[pulumi.version]}" mod="${FACT[pulumi.module]}" sdk=github.com/pulumi/pulumi/sdk/v3
  local w="$WORK_ROOT/pulumi-$v"
  make_wrapper "$w" "$mod@v$v" "$sdk@v$v" || return 1
  (cd "$w" && GOFLAGS="$GOFLAGS -mod=mod" go build -trimpath -ldflags "-s -w -X $sdk/go/common/version.Version=v$v" \
     -o "$dest/pulumi" "$mod/cmd/pulumi")
}

# The proxy refuses the language host's own module: it is built as the package inside sdk/v3 (the
# tool's module) at its own release.
build_pulumi-language-nodejs() {
  local dest="$1" v="${FACT[pulumi-language-nodejs.version]}" mod="${FACT[pulumi-language-nodejs.module]}"
  local w="$WORK_ROOT/pulumi-language-nodejs-$v"
  rm -rf "$w"; mkdir -p "$w"
  (
    cd "$w"
    go mod init gitops-platform.invalid/toolchain >/dev/null 2>&1 || exit 1
    go mod edit -require "$mod@v$v" \
      -replace golang.org/x/text=golang.org/x/text@v0.3.6   # sdk 3.68's x/text pin does not build on Go 1.26
    GOFLAGS="$GOFLAGS -mod=mod" go build -trimpath \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$v" \
      -o "$dest/pulumi-language-nodejs" "$mod/nodejs/cmd/pulumi-language-nodejs"
  )
}

# The kubernetes provider embeds schema-embed.json written by its generate.go,
# so it is built in a writable copy of its module (its own replace lines then
# apply as the main module), after running that generator. The module has no
# tag of its own: it is pinned to the commit of the release tag (modVersion).
build_pulumi-resource-kubernetes() {
  local dest="$1" v="${FACT[pulumi-resource-kubernetes.version]}" mod="${FACT[pulumi-resource-kubernetes.module]}"
  local sdk=github.com/pulumi/pulumi-kubernetes/sdk/v4 src w="$WORK_ROOT/pulumi-resource-kubernetes-$v"
  src="$(go_mod_download "$mod@${FACT[pulumi-resource-kubernetes.modVersion]}")" || return 1
  rm -rf "$w"; cp -r "$src" "$w"; chmod -R u+w "$w"
  (
    cd "$w"
    # -trimpath for the generator too: the packages it compiles (the Pulumi SDK, codegen/schema) are
    # then the build's own cached ones, not a second compile of them.
    export GOFLAGS="$GOFLAGS -mod=mod -trimpath"
    # Upstream builds against the SDK in its own tree (`sdk/v4 => ../sdk`): the same release, served.
    go mod edit -dropreplace "$sdk" -require "$sdk@v$v" || exit 1
    VERSION="$v" go generate ./cmd/pulumi-resource-kubernetes || exit 1
    go build -ldflags "-s -w -X $mod/pkg/version.Version=$v" \
      -o "$dest/pulumi-resource-kubernetes" ./cmd/pulumi-resource-kubernetes
  )
}

build_etcd() {
  local v="${FACT[etcd.version]}" mod="${FACT[etcd.module]}"
  local w="$WORK_ROOT/etcd-$v"
  rm -rf "$w"; mkdir -p "$w"
  (
    cd "$w" && go mod init gitops-platform.invalid/toolchain >/dev/null 2>&1 &&
    go mod edit -require "$mod@v$v" &&
    GOFLAGS="$GOFLAGS -mod=mod" go build -trimpath -ldflags "-s -w" -o "$1/etcd" "$mod"
  )
}

# k8s.io/kubernetes points its staging modules (k8s.io/api, client-go, ...) at ./staging: the wrapper
# points each at its own published release, v0.<minor>.<patch> (or the newest patch the proxy serves).
build_kubernetes() {
  local dest="$1" v="${FACT[kubernetes.version]}" mod="${FACT[kubernetes.module]}"
  local w="$WORK_ROOT/kubernetes-$v" src minor="${v#*.}"
  minor="${minor%%.*}"
  src="$(go_mod_download "$mod@v$v")" || return 1
  rm -rf "$w"; mkdir -p "$w"
  (
    cd "$w"
    go mod init gitops-platform.invalid/toolchain >/dev/null 2>&1 || exit 1
    go mod edit -go=1.26.0 -require "$mod@v$v" || exit 1
    local m sv p patch="${v##*.}"
    for m in $(go mod edit -json "$src/go.mod" | jq -r '.Replace[] | select(.New.Version == null) | .Old.Path'); do
      sv=""
      for ((p = patch; p >= 0; p--)); do
        if go_mod_download "$m@v0.$minor.$p" >/dev/null 2>&1; then sv="v0.$minor.$p"; break; fi
      done
      [[ -n "$sv" ]] || { echo "no release of $m for Kubernetes 1.$minor on the proxy"; exit 1; }
      go mod edit -replace "$m=$m@$sv" -require "$m@$sv" || exit 1
    done
    printf '//go:build tools\n\npackage tools\n\nimport (\n' >tools.go
    for p in kube-apiserver kube-controller-manager kube-scheduler kubectl; do printf '\t_ "k8s.io/kubernetes/cmd/%s"\n' "$p" >>tools.go; done
    printf ')\n' >>tools.go
    export GOFLAGS="$GOFLAGS -mod=mod"
    go mod tidy >/dev/null 2>&1 || true
    local pkg="k8s.io/component-base/version"
    local ld="-s -w -X $pkg.gitVersion=v$v -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
    ld="$ld -X k8s.io/client-go/pkg/version.gitVersion=v$v -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor"
    # One go build for the four commands: their links run side by side.
    go build -trimpath -ldflags "$ld" -o "$dest/" k8s.io/kubernetes/cmd/{kube-apiserver,kube-controller-manager,kube-scheduler,kubectl}
  )
}

# kwok 0.8 has no built-in stages: the node and pod lifecycles that ship in its module go beside it.
build_kwok() {
  local dest="$1" v="${FACT[kwok.version]}" mod="${FACT[kwok.module]}" src f
  local w="$WORK_ROOT/kwok-$v"
  src="$(go_mod_download "$mod@v$v")" || return 1
  make_wrapper "$w" "$mod@v$v" "$mod@v$v" || return 1
  (cd "$w" && GOFLAGS="$GOFLAGS -mod=mod" go build -trimpath -ldflags "-s -w" -o "$dest/kwok" "$mod/cmd/kwok") || return 1
  : >"$dest/stages.yaml"
  for f in "$src"/kustomize/stage/node/fast/node-initialize.yaml \
           "$src"/kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
           "$src"/kustomize/stage/pod/fast/pod-ready.yaml "$src"/kustomize/stage/pod/fast/pod-complete.yaml \
           "$src"/kustomize/stage/pod/fast/pod-delete.yaml; do
    { echo "---"; cat "$f"; } >>"$dest/stages.yaml"
  done
}

# External Secrets Operator: a wrapper module (its replace line copied) that requires it at its
# release and replaces it with a writable copy in which the two register packages, which upstream
# fills with every provider and generator and their cloud SDKs, list only the providers
# toolchain.json names (and no generator): a small build, and Go's build info still names the release.
build_external-secrets-operator() {
  local dest="$1" v="${FACT[external-secrets-operator.version]}" mod="${FACT[external-secrets-operator.module]}"
  local w="$WORK_ROOT/external-secrets-operator-$v" src p
  src="$(go_mod_download "$mod@v$v")" || return 1
  make_wrapper "$w" "$mod@v$v" "$mod@v$v" || return 1
  (
    cd "$w"
    cp -r "$src" upstream && chmod -R u+w upstream || exit 1
    { printf 'package register\n\nimport (\n'
      for p in ${FACT[external-secrets-operator.providers]}; do printf '\t_ "%s/pkg/provider/%s"\n' "$mod" "$p"; done
      printf ')\n'; } >upstream/pkg/provider/register/register.go
    printf 'package register\n' >upstream/pkg/generator/register/register.go
    go mod edit -replace "$mod=./upstream" || exit 1
    GOFLAGS="$GOFLAGS -mod=mod" go build -trimpath -ldflags "-s -w" -o "$dest/external-secrets" "$mod"
  ) || return 1
  mkdir -p "$dest/crds"; cp "$src"/config/crds/bases/*.yaml "$dest/crds/"; rm -f "$dest/crds/kustomization.yaml"
  chmod -R u+w "$dest"
}

# Argo CD: a wrapper module holding argo-cd's own replace block (minus its one local line, the
# gitops-engine in its tree, which is served as the same tagged release) resolves exactly the
# module set of a build inside argo-cd. Go 1.27 from the proxy (toolchain.json's argocd.go).
build_argocd() {
  local dest="$1" v="${FACT[argocd.version]}" mod="${FACT[argocd.module]}" b
  local w="$WORK_ROOT/argocd-$v" engine=github.com/argoproj/argo-cd/gitops-engine/v3
  local -x GOTOOLCHAIN="go${FACT[argocd.go.version]}"
  make_wrapper "$w" "$mod@v$v" "$mod@v$v" "$engine@v$v" || return 1
  (
    cd "$w"
    export GOFLAGS="$GOFLAGS -mod=mod"
    go mod edit -go=1.27.0 && go get "$mod/cmd@v$v" || exit 1
    local p="$mod/common"
    go build -trimpath -ldflags "-s -w -X $p.version=$v -X $p.gitTag=v$v \
        -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z -X $p.kubectlVersion=v0.37.0" \
      -o "$dest/argocd" "$mod/cmd"
  ) || return 1
  local src; src="$(go_mod_download "$mod@v$v")" || return 1
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
  sed "s/@ARGOCD_VERSION@/${FACT[argocd.version]}/g" "$own/Chart.yaml.in" >"$chart/Chart.yaml"
  cp "$own/values.yaml" "$chart/values.yaml"; cp "$own"/templates/*.yaml "$chart/templates/"
  awk -v drop="argocd-cm argocd-cmd-params-cm argocd-rbac-cm argocd-notifications-cm argocd-notifications-secret argocd-gpg-keys-cm argocd-secret" '
    BEGIN { n = split(drop, d, " "); for (i = 1; i <= n; i++) skip[d[i]] = 1 }
    # A document is kept as an array of lines: growing one string made this quadratic (80 s on the
    # 2 MB manifests, on every warm install; now a fraction of a second).
    # The CRDs only with crds.install, as in the argo-cd chart (off when a stack of their own has them).
    function flush(  i, crd) {
      crd = kind == "CustomResourceDefinition"
      if (n_lines > 0 && !(name in skip && (kind == "ConfigMap" || kind == "Secret"))) {
        if (crd) print "{{- if .Values.crds.install }}"
        print "---"; for (i = 1; i <= n_lines; i++) print lines[i]
        if (crd) print "{{- end }}"
      }
      n_lines = 0; kind = ""; name = ""
    }
    /^---$/ { flush(); next }
    /^kind: / { kind = $2 }
    /^  name: / && name == "" && inmeta { name = $2 }
    /^metadata:/ { inmeta = 1 } /^[a-z]/ && !/^metadata:/ { inmeta = 0 }
    { lines[++n_lines] = $0 }
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
    # Its CRD files, for a local stack whose CRDs the argocd-crds stack installs (platform.argocd.crds.path).
    rm -rf "$REPO_ROOT/.tools/charts/argo-cd-crds"; cp -r "$dir/crds" "$REPO_ROOT/.tools/charts/argo-cd-crds"
  fi
  printf '%-28s %-8s %-9s %6.1fs\n' "$tool" "$ver" "$src" "$(since "$t0")"
}

# The engine's plugins where the CLI looks first, so it uses these and warns about nothing: the
# language host beside the pulumi binary (a bundled plugin), the provider installed into a
# PULUMI_HOME under the cache (schema look-ups ignore a provider that is only on PATH). Users and
# tests run the CLI with PULUMI_HOME=<cache>/pulumi-home and PULUMI_IGNORE_AMBIENT_PLUGINS=true.
PULUMI_HOME_DIR="$CACHE_ROOT/pulumi-home"
wire_engine() {
  local cli host provider v want="${FACT[pulumi-resource-kubernetes.version]}"
  cli="$(readlink -f "$BIN_DIR/pulumi")"; host="$(readlink -f "$BIN_DIR/pulumi-language-nodejs")"
  provider="$(readlink -f "$BIN_DIR/pulumi-resource-kubernetes")"
  [[ "$(dirname "$host")" == "$(dirname "$cli")" ]] || ln -sfn "$host" "$(dirname "$cli")/pulumi-language-nodejs"
  mkdir -p "$PULUMI_HOME_DIR"
  export PULUMI_HOME="$PULUMI_HOME_DIR" PULUMI_IGNORE_AMBIENT_PLUGINS=true
  if ! "$cli" plugin ls 2>/dev/null | grep -qE "^kubernetes +resource +$want "; then
    "$cli" plugin install resource kubernetes "$want" --file "$provider" >/dev/null || return 1
  fi
  # The schema check costs 3 s: done once per CLI and provider binary, remembered in the home.
  local wired="$cli $provider $want"
  if [[ "$(cat "$PULUMI_HOME_DIR/.wired" 2>/dev/null)" != "$wired" ]]; then
    v="$(timeout 120 "$cli" package get-schema "kubernetes@$want" 2>/dev/null | jq -r .version)" || true
    [[ "$v" == "$want" ]] || { log "pulumi sees kubernetes provider version '$v', want $want"; return 1; }
    echo "$wired" >"$PULUMI_HOME_DIR/.wired"
  fi
  echo "$PULUMI_HOME_DIR" >"$REPO_ROOT/.tools/pulumi-home"
}

# Debian packages run as they are: redis-server (Argo CD's cache), lighttpd (the loop's Git server
# over HTTPS; the package named is its TLS module, lighttpd-mod-openssl, which brings lighttpd),
# chromium (headless, for report tests) and, for actionlint, shellcheck.
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
  local eso="${FACT[external-secrets.version]}" cm="${FACT[cert-manager.version]}" gw="${FACT[gateway-api.version]}"
  local argocd="${FACT[argocd.version]}" t0 tmp src how=cache
  local dir="$CACHE_ROOT/addon-crds-eso$eso-cm$cm-gw$gw-argocd$argocd"
  t0="$(now)"
  if [[ ! -f "$dir/.verified" ]]; then
    how=modules
    tmp="$(mktemp -d "$CACHE_ROOT/.stage-addon-crds.XXXX")"
    mkdir -p "$tmp/external-secrets" "$tmp/cert-manager" "$tmp/gateway-api" "$tmp/argo-cd"
    { src="$(go_mod_download "${FACT[external-secrets.module]}@v$eso")" && cp "$src"/config/crds/bases/*.yaml "$tmp/external-secrets/" &&
      src="$(go_mod_download "${FACT[cert-manager.module]}@v$cm")" && cp "$src"/deploy/crds/*.yaml "$tmp/cert-manager/" &&
      src="$(go_mod_download "${FACT[gateway-api.module]}@v$gw")" && cp "$src"/config/crd/standard/*.yaml "$tmp/gateway-api/" &&
      src="$(GOTOOLCHAIN="go${FACT[argocd.go.version]}" go_mod_download "${FACT[argocd.module]}@v$argocd")" && cp "$src"/manifests/crds/*-crd.yaml "$tmp/argo-cd/"; } ||
      { rm -rf "$tmp"; printf '%-28s %-8s %-9s %6.1fs\n' addon-crds "$eso" FAILED "$(since "$t0")"; return 1; }
    rm -f "$tmp"/*/kustomization.yaml; chmod -R u+w "$tmp"; touch "$tmp/.verified"; rm -rf "$dir"; mv "$tmp" "$dir"
  fi
  rm -rf "$REPO_ROOT/.tools/crds"; mkdir -p "$REPO_ROOT/.tools/crds"
  cp -r "$dir"/external-secrets "$dir"/cert-manager "$dir"/gateway-api "$dir"/argo-cd "$REPO_ROOT/.tools/crds/"
  printf '%-28s %-8s %-9s %6.1fs\n' addon-crds "eso$eso" "$how" "$(since "$t0")"
}

# Builds run two at a time, in the queue's order (the longest first): a Go build's download, compile
# and link phases rarely fill both cores. Once a run takes longer than a warm one, a line per tool
# finished says how long it has been and what is left, on stderr (npm run up shows it).
main() {
  local tools=() failed=0 t names=() i started done_pid t0 left
  t0="$(now)"
  for t in "$@"; do if [[ "$t" == loop ]]; then tools+=("${LOOP_TOOLS[@]}"); else tools+=("$t"); fi; done
  [[ ${#tools[@]} -gt 0 ]] || tools=("${ALL_TOOLS[@]}" "${EXTRA_TOOLS[@]}")
  for t in "${tools[@]}"; do
    [[ " ${EXTRA_TOOLS[*]} " == *" $t "* ]] || tool_version "$t" >/dev/null ||
      die "unknown tool '$t' (known: ${ALL_TOOLS[*]} ${EXTRA_TOOLS[*]}, or loop)"
  done
  local queue=()
  for t in "${ALL_TOOLS[@]}"; do [[ " ${tools[*]} " == *" $t "* ]] && queue+=("$t"); done
  declare -A running=()
  finished() {   # waits for one install to end; reports progress when the run is not a warm one
    wait -n -p done_pid || failed=1
    [[ -n "${done_pid:-}" && -n "${running[$done_pid]:-}" ]] || return 0
    unset "running[$done_pid]"
    started="$(since "$t0")"
    left="$(printf '%s ' "${running[@]}" "${queue[@]:$1}")"; left="${left% }"
    if awk -v s="$started" 'BEGIN { exit !(s > 30) }'; then
      log "$(( ${#names[@]} - ${#running[@]} )) of ${#queue[@]} tools ready after ${started} s; left: ${left:-none}"
    fi
  }
  for i in "${!queue[@]}"; do
    t="${queue[$i]}"
    while [[ ${#running[@]} -ge ${GITOPS_TOOLS_JOBS:-2} ]]; do finished "$i"; done
    locked "$t" install_tool "$t" & names+=("$t"); running[$!]="$t"
  done
  while [[ ${#running[@]} -gt 0 ]]; do finished "${#queue[@]}"; done
  # apt-get takes dpkg's lock and fails if another installer holds it: one at a time.
  if [[ " ${tools[*]} " == *" argocd "* ]]; then locked apt install_debian_package redis-server redis-server || failed=1; fi
  if [[ " ${tools[*]} " == *" argocd "* ]]; then locked apt install_debian_package lighttpd lighttpd-mod-openssl || failed=1; fi
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
