#!/usr/bin/env bash
# tools/publish-charts.sh — package charts and push them to an OCI registry under <registry>/charts.
#
#   tools/publish-charts.sh --registry <host[:port]> [--commit <sha>] [--since <rev>] [--plain-http] [chart ...]
#
# Charts: the names given, else those with files changed between --since and HEAD, else every chart
# under charts/. For each chart that still exists:
#   - a version already in the registry is skipped, never overwritten (Applications pin versions);
#   - the commit (--commit, default HEAD) is stamped into a copy of Chart.yaml as the annotation
#     gitops.platform/git-commit, which the chart's audit label defaults to;
#   - `helm lint --strict`, `helm package`, `helm push oci://<registry>/charts`.
# The caller logs in first (`helm registry login`); --plain-http is for a local test registry only.
# Prints one line per chart ("published <ref>" / "skipped <ref>: already published"); exits 1 on failure.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HELM="${HELM:-$( [[ -x "$REPO_ROOT/.tools/bin/helm" ]] && echo "$REPO_ROOT/.tools/bin/helm" || command -v helm || true)}"
[[ -n "$HELM" ]] || { echo "publish-charts.sh: helm not found: run bash tools/install.sh helm" >&2; exit 1; }

registry="" commit="" since="" plain_http=()
charts=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --registry) registry="${2:?--registry needs a value}"; shift 2 ;;
    --commit) commit="${2:?--commit needs a value}"; shift 2 ;;
    --since) since="${2:?--since needs a value}"; shift 2 ;;
    --plain-http) plain_http=(--plain-http); shift ;;
    -*) echo "publish-charts.sh: unknown option $1" >&2; exit 2 ;;
    *) charts+=("$1"); shift ;;
  esac
done
[[ -n "$registry" ]] || { echo "publish-charts.sh: --registry <host[:port]> is required" >&2; exit 2; }
cd "$REPO_ROOT"
commit="${commit:-$(git rev-parse HEAD)}"
[[ "$commit" =~ ^[0-9a-f]{40}$ ]] || { echo "publish-charts.sh: --commit must be a full 40-hex commit, got '$commit'" >&2; exit 2; }

if [[ ${#charts[@]} -eq 0 ]]; then
  if [[ -n "$since" ]]; then
    mapfile -t charts < <(git diff --name-only "$since" HEAD -- charts/ | awk -F/ 'NF > 2 {print $2}' | sort -u)
  else
    mapfile -t charts < <(find charts -mindepth 2 -maxdepth 2 -name Chart.yaml | awk -F/ '{print $2}' | sort)
  fi
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failed=0
for chart in "${charts[@]}"; do
  dir="charts/$chart"
  if [[ ! -f "$dir/Chart.yaml" ]]; then
    echo "skipped $chart: no $dir/Chart.yaml (deleted?)"
    continue
  fi
  version="$("$HELM" show chart "$dir" | sed -n 's/^version: *//p')"
  ref="oci://$registry/charts/$chart"
  if "$HELM" show chart "$ref" --version "$version" "${plain_http[@]}" >/dev/null 2>&1; then
    echo "skipped $ref:$version: already published"
    continue
  fi
  cp -R "$dir" "$work/$chart"
  if grep -q '^annotations:[[:space:]]*$' "$work/$chart/Chart.yaml"; then
    sed -i "s|^annotations:[[:space:]]*$|annotations:\n  gitops.platform/git-commit: \"$commit\"|" "$work/$chart/Chart.yaml"
  else
    printf 'annotations:\n  gitops.platform/git-commit: "%s"\n' "$commit" >> "$work/$chart/Chart.yaml"
  fi
  if "$HELM" lint --strict "$work/$chart" >"$work/$chart.lint" 2>&1 &&
     "$HELM" package "$work/$chart" --destination "$work/packages" >/dev/null &&
     "$HELM" push "$work/packages/$chart-$version.tgz" "oci://$registry/charts" "${plain_http[@]}" >"$work/$chart.push" 2>&1; then
    echo "published $ref:$version"
  else
    cat "$work/$chart.lint" "$work/$chart.push" 2>/dev/null >&2 || true
    echo "FAILED $ref:$version" >&2
    failed=1
  fi
done
exit $failed
