#!/usr/bin/env bash
# Compares the core library with Agora's official npm builders, single
# thread, in CPU time per operation (steadier than wall time on a shared
# machine): runs core_bench (Google Benchmark, JSON output) and
# node_core_bench.js on the same inputs, and prints a Markdown table of ns/op
# with the speed-up and each operation's ratio to the floor (BM_Floor007: the
# HMACs, packing and base64 every 007 token needs), then the performance
# targets of issue 19 with met/missed. Builds nothing.
#
# Usage: bench/core_bench.sh BUILD_DIR
#   BUILD_DIR must be a Release build with core_bench built, e.g.
#     cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DAGORA_TOKEN_BUILD_SERVER=OFF
#     cmake --build build-bench --target core_bench -j2
#     bench/core_bench.sh build-bench
#   Other build types give meaningless numbers and are refused unless
#   AGORA_TOKEN_BENCH_ANY_BUILD_TYPE=1. Needs node and `npm ci` at the repo root.
#   CORE_BENCH_ARGS adds flags to core_bench (e.g. --benchmark_min_time=1).
set -euo pipefail

usage() { sed -n '/^# Usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
[[ $# -eq 1 ]] || usage
build_dir=$1
repo=$(cd "$(dirname "$0")/.." && pwd)
core_bench=$build_dir/bench/core_bench

if [[ ! -x "$core_bench" ]]; then
  echo "core_bench.sh: $core_bench not found; build the core_bench target first" >&2
  usage
fi
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build_dir/CMakeCache.txt" 2>/dev/null || true)
if [[ "$build_type" != "Release" && "${AGORA_TOKEN_BENCH_ANY_BUILD_TYPE:-}" != "1" ]]; then
  echo "core_bench.sh: $build_dir is a '${build_type:-unknown}' build; configure it with -DCMAKE_BUILD_TYPE=Release" >&2
  exit 2
fi
node=$(command -v node || true)
if [[ -z "$node" || ! -f "$repo/node_modules/agora-token/package.json" ]]; then
  echo "core_bench.sh: needs node and agora-token; run \`npm ci\` at the repo root ($repo)" >&2
  exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Medians of 5 repetitions: the machine may be shared, and the median shrugs
# off a disturbed repetition.
# The load before and after is printed with the table: on a shared machine
# the absolute figures move with it, the ratios to the floor much less.
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# shellcheck disable=SC2086
"$core_bench" --benchmark_format=json --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true ${CORE_BENCH_ARGS:-} >"$tmp/core.json"
"$node" "$repo/bench/node_core_bench.js" >"$tmp/npm.json"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

"$node" - "$tmp/core.json" "$tmp/npm.json" "$build_type" "$load_before" "$load_after" <<'EOF'
const fs = require('fs')
const [coreFile, npmFile, buildType, loadBefore, loadAfter] = process.argv.slice(2)
const core = JSON.parse(fs.readFileSync(coreFile, 'utf8'))
const npm = JSON.parse(fs.readFileSync(npmFile, 'utf8'))

const toNs = { ns: 1, us: 1e3, ms: 1e6, s: 1e9 }
const ours = {}
for (const b of core.benchmarks) {
  if (b.aggregate_name === 'median' && !b.error_occurred) ours[b.run_name] = b.cpu_time * toNs[b.time_unit]
}

// operation, core_bench name, node_core_bench name, note
const rows = [
  ['build 006 RTC (uid, publisher)', 'BM_Build006RtcUidPublisher', 'build006', ''],
  ['build 007 RTC compatible', 'BM_Build007Compatible', 'build007', ''],
  ['build 007 RTC fast', 'BM_Build007Fast', 'build007', 'npm has one mode (default deflate)'],
  ['decode 006', 'BM_Decode006', 'decode006', ''],
  ['decode 007', 'BM_Decode007', 'decode007', ''],
  ['decode 007 fast', 'BM_Decode007Fast', 'decode007fast', 'npm decodes the same stored-block token'],
  ['verify 006 signature', 'BM_Verify006', 'verify006', 'npm: re-sign and compare (no 006 verifier)'],
  ['verify 007 signature', 'BM_Verify007', 'verify007', 'npm: verifySignature on a parsed token'],
  ['decode + verify 007', 'BM_DecodeAndVerify007', '', ''],
  ['floor: 007 HMACs + packing + base64', 'BM_Floor007', '', 'no validation, deflate or bookkeeping'],
  ['NewIssuance (clock + salt)', 'BM_NewIssuance', 'new_issuance', 'npm: Date.now + Math.random, not a CSPRNG'],
]
const fmt = ns => (ns === undefined ? 'n/a' : ns >= 1000 ? `${(ns / 1000).toFixed(2)} us` : `${ns.toFixed(1)} ns`)
const num = ns => (ns === undefined ? 'n/a' : ns.toFixed(1))

const ctx = core.context || {}
console.log(`Single thread, ${buildType} build, CPU time per operation; core_bench medians of 5 repetitions, npm medians of 5 runs.`)
console.log(`Host: ${ctx.num_cpus} CPUs at ${ctx.mhz_per_cpu} MHz, load (1/5/15 min) ${loadBefore} before, ${loadAfter} after; ` +
  `Node ${npm.node}, agora-token ${npm.agora_token}.`)
console.log('')
const floor = ours.BM_Floor007
const ratio = ns => (ns === undefined || floor === undefined ? 'n/a' : `${(ns / floor).toFixed(2)}x`)
console.log('| operation | ours ns/op | npm ns/op | speed-up (ours vs npm) | ours / floor | note |')
console.log('|---|---:|---:|---:|---:|---|')
for (const [label, coreName, npmName, note] of rows) {
  const o = ours[coreName]
  const n = npmName ? npm.results[npmName] : undefined
  const speedup = o && n ? `${(n / o).toFixed(1)}x` : 'n/a'
  console.log(`| ${label} | ${num(o)} | ${num(n)} | ${speedup} | ${ratio(o)} | ${note} |`)
}

// Issue 19's targets, for the operations alone (an Issuance costs
// BM_NewIssuance on top of a build).
const targets = [
  ['006 build', 'BM_Build006RtcUidPublisher', 300],
  ['007 build (compatible)', 'BM_Build007Compatible', 3000],
  ['007-fast build', 'BM_Build007Fast', 1000],
  ['007 decode + verify', 'BM_DecodeAndVerify007', 1000],
]
console.log('')
console.log('| target | limit | measured | ours / floor | with NewIssuance | result |')
console.log('|---|---:|---:|---:|---:|---|')
for (const [label, name, limit] of targets) {
  const o = ours[name]
  const withIssuance = o !== undefined && ours.BM_NewIssuance !== undefined && name.startsWith('BM_Build') ? o + ours.BM_NewIssuance : undefined
  const result = o === undefined ? 'not measured' : o <= limit ? 'met' : 'missed'
  console.log(`| ${label} | <= ${fmt(limit)} | ${fmt(o)} | ${ratio(o)} | ${fmt(withIssuance)} | ${result} |`)
}
EOF
