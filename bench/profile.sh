#!/usr/bin/env bash
# Profiles agora-token-server under load: starts it on a free port, drives
# one RPC with agora-token-loadgen, samples the server with `perf record`
# meanwhile, and prints the top of `perf report` (by shared object, then by
# symbol). Without a working perf it falls back to valgrind's callgrind on a
# shorter run. Prints numbers only.
#
# Usage: bench/profile.sh [RPC] [VERSION] [COMPRESSION]
#   RPC: a loadgen --rpc (default rtc_uid); VERSION 006 or 007 (default 007);
#   COMPRESSION: compatible (default) or fast.
# Environment: BUILD_DIR (default build-release), SECONDS_TO_SAMPLE (8),
#   CONCURRENCY (64), TOP (15 lines), OUT (where perf.data goes; a temp dir).
set -euo pipefail

rpc=${1:-rtc_uid}
version=${2:-007}
compression=${3:-compatible}
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
build_dir=${BUILD_DIR:-build-release}
sample_seconds=${SECONDS_TO_SAMPLE:-8}
concurrency=${CONCURRENCY:-64}
top=${TOP:-15}
server_bin=$build_dir/server/agora-token-server
loadgen=$build_dir/bench/agora-token-loadgen
for binary in "$server_bin" "$loadgen"; do
  [[ -x $binary ]] || { echo "profile.sh: $binary not found (BUILD_DIR=$build_dir)" >&2; exit 2; }
done

tmp=$(mktemp -d)
out=${OUT:-$tmp}
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

start_server() {
  "$@" "$server_bin" --listen 127.0.0.1:0 --keyring deploy/dev/keyring.textproto \
    --compression "$compression" 2>"$tmp/server.log" &
  server_pid=$!
  for _ in $(seq 100); do
    port=$(grep -o '"msg":"serving".*"port":"[0-9]*"' "$tmp/server.log" | grep -o '"port":"[0-9]*"' | grep -o '[0-9]*' || true)
    [[ -n $port ]] && return
    sleep 0.1
  done
  echo "profile.sh: the server did not start" >&2
  cat "$tmp/server.log" >&2
  exit 1
}

if perf record -o "$tmp/probe.data" -- true >/dev/null 2>&1; then
  start_server
  "$loadgen" --target "127.0.0.1:$port" --rpc "$rpc" --version "$version" \
    --concurrency "$concurrency" --duration_s "$((sample_seconds + 3))" --warmup_s 1 \
    >"$tmp/loadgen.txt" &
  loadgen_pid=$!
  sleep 2
  perf record -F 1999 -p "$server_pid" -o "$out/perf.data" -- sleep "$sample_seconds" \
    >/dev/null 2>&1
  wait "$loadgen_pid"
  echo "== load: $rpc $version ($compression), concurrency $concurrency"
  sed -n '2,3p' "$tmp/loadgen.txt"
  echo "== perf report: server CPU by shared object"
  perf report -i "$out/perf.data" --no-children --sort dso --stdio 2>/dev/null |
    grep '%' | head -n "$top" | sed 's/ *$//'
  echo "== perf report: top $top symbols"
  perf report -i "$out/perf.data" --no-children --sort dso,sym --stdio 2>/dev/null |
    grep '%' | head -n "$top" | sed 's/  */ /g' | cut -c1-180
else
  echo "== perf is not usable here; valgrind --tool=callgrind on 3,000 calls instead"
  command -v valgrind >/dev/null || apt-get install -y -qq valgrind >/dev/null
  start_server valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out"
  "$loadgen" --target "127.0.0.1:$port" --rpc "$rpc" --version "$version" \
    --concurrency 8 --requests 3000 --deadline_ms 60000 | sed -n '2,3p'
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  callgrind_annotate "$out/callgrind.out" 2>/dev/null | head -n "$((top + 25))"
fi
