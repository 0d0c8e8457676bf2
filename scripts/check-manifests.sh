#!/usr/bin/env bash
# Builds every kustomization under apps-repo/, flux/ and clusters/ with
# `kubectl kustomize` (the kustomize built into kubectl) and checks that each
# object in the output has apiVersion, kind and metadata.name. One line per
# folder with its build time; exits non-zero if any folder fails.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if ! command -v kubectl >/dev/null 2>&1; then
  echo "check-manifests: kubectl is not installed" >&2
  exit 127
fi

# Every name kustomize accepts for its file; folders sorted for stable output.
dirs=()
while IFS= read -r dir; do dirs+=("$dir"); done < <(
  find apps-repo flux clusters \( -name kustomization.yaml -o -name kustomization.yml -o -name Kustomization \) -type f -print \
    | sed 's|/[^/]*$||' | sort -u
)
if [ "${#dirs[@]}" -eq 0 ]; then
  echo "check-manifests: no kustomization found under apps-repo/, flux/ or clusters/" >&2
  exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

failed=0
for dir in "${dirs[@]}"; do
  start=$(date +%s%N)
  if kubectl kustomize "$dir" >"$tmp/out.yaml" 2>"$tmp/err.txt"; then
    seconds=$(awk -v s="$start" -v e="$(date +%s%N)" 'BEGIN { printf "%.2f", (e - s) / 1e9 }')
    if summary=$(node scripts/check-manifest-docs.mjs <"$tmp/out.yaml" 2>"$tmp/err.txt"); then
      printf 'ok    %-28s %6ss  %s\n' "$dir" "$seconds" "$summary"
      continue
    fi
  else
    seconds=$(awk -v s="$start" -v e="$(date +%s%N)" 'BEGIN { printf "%.2f", (e - s) / 1e9 }')
  fi
  printf 'FAIL  %-28s %6ss\n' "$dir" "$seconds"
  sed 's/^/      /' "$tmp/err.txt"
  failed=1
done

exit "$failed"
