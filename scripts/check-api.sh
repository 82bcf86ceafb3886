#!/usr/bin/env bash
# Guards the public API in proto/: runs all three checks, then fails if any did.
#   1. buf lint (STANDARD rules, buf.yaml);
#   2. buf breaking (FILE rules) of the working tree against a baseline read
#      from the local .git, so it works offline:
#        - the newest tag v* reachable from HEAD, if there is one;
#        - else the merge base of HEAD with main, or with origin/main when
#          main is HEAD itself;
#        - else (HEAD is main, nothing unpublished to compare) HEAD~1;
#        - and HEAD when that baseline has no proto/ (the API is new), which
#          still catches uncommitted breaking edits.
#      AGORA_TOKEN_API_BASELINE=<git ref> overrides the choice.
#   3. docs/api.md is what scripts/gen-api-docs.js generates from the proto
#      comments, so the reference cannot go stale.
# Needs `npm ci` at the repo root (buf and protobufjs come from node_modules).
set -euo pipefail
cd "$(dirname "$0")/.."

failed=()
buf() { npx --no-install buf "$@"; }
commit_of() { git rev-parse --verify --quiet "$1^{commit}"; }
# The API exists at a commit when it has both buf.yaml and a .proto in proto/.
has_api() {
  git cat-file -e "$1:buf.yaml" 2>/dev/null &&
    git ls-tree -r --name-only "$1" -- proto | grep -q '\.proto$'
}

echo "== buf lint"
if buf lint; then echo "buf lint: clean"; else failed+=("buf lint"); fi

echo "== buf breaking"
head=$(commit_of HEAD) || { echo "no commit yet: nothing to compare against"; head=""; }
baseline="" why=""
if [[ -n "${AGORA_TOKEN_API_BASELINE:-}" ]]; then
  baseline=$(commit_of "$AGORA_TOKEN_API_BASELINE") ||
    { echo "AGORA_TOKEN_API_BASELINE=$AGORA_TOKEN_API_BASELINE is not a commit" >&2; exit 2; }
  why="AGORA_TOKEN_API_BASELINE=$AGORA_TOKEN_API_BASELINE"
elif [[ -n "$head" ]] && tag=$(git describe --tags --abbrev=0 --match 'v*' HEAD 2>/dev/null); then
  baseline=$(commit_of "$tag") why="last release tag $tag"
elif [[ -n "$head" ]]; then
  # On main itself, origin/main (when it differs) still gives the published
  # state as the baseline.
  main="" main_name=""
  for candidate in main origin/main; do
    if commit=$(commit_of "$candidate") && [[ "$commit" != "$head" ]]; then
      main=$commit main_name=$candidate
      break
    fi
  done
  if [[ -n "$main" ]] && base=$(git merge-base HEAD "$main"); then
    baseline=$base why="merge base of HEAD with $main_name"
  elif parent=$(commit_of HEAD~1); then
    baseline=$parent why="HEAD~1 (HEAD is main)"
  fi
  if [[ -z "$baseline" ]] || ! has_api "$baseline"; then
    baseline=$head why="HEAD (no earlier commit has the API)"
  fi
fi

if [[ -z "$baseline" ]] || ! has_api "$baseline"; then
  echo "buf breaking: skipped, no commit has proto/ and buf.yaml yet"
else
  git_dir=.git
  [[ -d .git ]] || git_dir=$(git rev-parse --git-common-dir)  # worktrees
  echo "against ${baseline:0:12}: $why"
  if buf breaking --against "$git_dir#ref=$baseline"; then
    echo "buf breaking: compatible"
  else
    failed+=("buf breaking against ${baseline:0:12} ($why)")
  fi
fi

echo "== docs/api.md"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
node scripts/gen-api-docs.js "$tmp/api.md"
if [[ ! -f docs/api.md ]]; then
  echo "docs/api.md is missing: run node scripts/gen-api-docs.js" >&2
  failed+=("docs/api.md missing")
elif diff -u docs/api.md "$tmp/api.md"; then
  echo "docs/api.md: up to date"
else
  echo "docs/api.md is stale: run node scripts/gen-api-docs.js and commit the result" >&2
  failed+=("docs/api.md stale")
fi

if ((${#failed[@]})); then
  printf 'FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "API checks passed"
