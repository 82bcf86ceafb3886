#!/usr/bin/env bash
# Cross-checks the core library against Agora's official npm package: builds
# random valid tokens with crosscheck_gen into a temporary file, then has
# verify_with_agora_token.js decode, verify and rebuild each one with
# agora-token. With --corrupt-one it first damages one token and passes only
# if the verifier reports exactly that token as the single failure, which
# shows the check can fail.
#
# Usage: run.sh CROSSCHECK_GEN NODE REPO_ROOT [--corrupt-one]
# Set AGORA_TOKEN_CROSSCHECK_SEED to replay the seed a failing run printed.
set -euo pipefail

if [[ $# -lt 3 ]]; then
  echo "usage: $0 CROSSCHECK_GEN NODE REPO_ROOT [--corrupt-one]" >&2
  exit 2
fi
gen=$1
node=$2
repo=$3
mode=${4:-}

# A missing toolchain is a failure, not a skip: the cross-check is the only
# test that compares us with Agora's own code.
if [[ -z "$node" || "$node" == *-NOTFOUND || ! -x "$node" ]]; then
  echo "crosscheck: node (Node.js 20) was not found; install it, run \`npm ci\` at the repo root ($repo) and re-run cmake" >&2
  exit 1
fi
if [[ ! -f "$repo/node_modules/agora-token/package.json" ]]; then
  echo "crosscheck: $repo/node_modules/agora-token is missing; run \`npm ci\` at the repo root ($repo)" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tokens=$tmp/tokens.jsonl

gen_args=(--out="$tokens")
if [[ -n "${AGORA_TOKEN_CROSSCHECK_SEED:-}" ]]; then
  gen_args+=(--seed="$AGORA_TOKEN_CROSSCHECK_SEED")
fi
"$gen" "${gen_args[@]}"

verifier=$repo/tests/crosscheck/verify_with_agora_token.js
if [[ "$mode" != "--corrupt-one" ]]; then
  "$node" "$verifier" "$tokens"
  exit $?
fi

# Replace one base64 character in the middle of one random token (away from
# the padding, so every bit of it is significant).
corrupted_case=$("$node" -e '
  const fs = require("fs")
  const file = process.argv[1]
  const lines = fs.readFileSync(file, "utf8").trim().split("\n").map(l => JSON.parse(l))
  const victim = lines[Math.floor(Math.random() * lines.length)]
  const t = victim.token
  const start = t.startsWith("006") ? 35 : 3
  const at = Math.floor((start + t.length) / 2)
  victim.token = t.substring(0, at) + (t[at] === "A" ? "B" : "A") + t.substring(at + 1)
  fs.writeFileSync(file, lines.map(l => JSON.stringify(l)).join("\n") + "\n")
  process.stdout.write(String(victim.case))
' "$tokens")
total=$(grep -c . "$tokens")
echo "crosscheck: corrupted case $corrupted_case of $total"

status=0
output=$("$node" "$verifier" "$tokens") || status=$?
echo "$output"
if [[ $status -eq 0 ]]; then
  echo "crosscheck: the verifier passed a corrupted token" >&2
  exit 1
fi
summary=$(tail -n 1 <<<"$output")
if [[ "$summary" != "$((total - 1)) passed, 1 failed" ]]; then
  echo "crosscheck: expected '$((total - 1)) passed, 1 failed', got '$summary'" >&2
  exit 1
fi
if [[ $(grep -c "^FAIL .* case=$corrupted_case " <<<"$output") -ne 1 ]]; then
  echo "crosscheck: the failure reported is not the corrupted case $corrupted_case" >&2
  exit 1
fi
echo "crosscheck: the corrupted token was the only failure, as expected"
