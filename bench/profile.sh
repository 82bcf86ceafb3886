#!/usr/bin/env bash
# Profiles agora-token-server under load: starts it on a free port, drives
# one RPC with agora-token-loadgen (gRPC) or one route with wrk (HTTP, as
# bench/http_bench.sh does), samples the server with `perf record`
# meanwhile, and prints the top of `perf report` (by shared object, then by
# symbol). Without a working perf it falls back to valgrind's callgrind on a
# shorter run (gRPC only). Prints numbers only.
#
# Usage: bench/profile.sh [RPC] [VERSION] [COMPRESSION]
#        bench/profile.sh http [rtc|ping] [COMPRESSION]
#   RPC: a loadgen --rpc (default rtc_uid); VERSION 006 or 007 (default 007);
#   COMPRESSION: compatible (default) or fast. `http rtc` is the JSON Connect
#   BuildRtcTokenWithUid of bench/http_bench.sh (007), `http ping` GET /ping.
# Environment: BUILD_DIR (default build-release), SECONDS_TO_SAMPLE (8),
#   CONCURRENCY (64), TOP (15 lines), OUT (where perf.data goes; a temp dir),
#   CALL_GRAPH (say `dwarf` for perf's call graphs, to read with perf report
#   --children from OUT), PRODUCTION (gRPC only: `mtls` or `api_key` runs the
#   server with bench/run.sh's production configuration, TLS, callers with
#   policies, the audit log file and metrics, and calls it as that caller).
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
http=false
if [[ $rpc == http ]]; then
  http=true
  route=${2:-rtc}
  command -v wrk >/dev/null || { echo "profile.sh: needs wrk (scripts/install-deps.sh)" >&2; exit 2; }
  loadgen=$server_bin
fi
for binary in "$server_bin" "$loadgen"; do
  [[ -x $binary ]] || { echo "profile.sh: $binary not found (BUILD_DIR=$build_dir)" >&2; exit 2; }
done

source bench/lib.sh
out=${OUT:-$tmp}

# The production mode's server flags and the caller's loadgen flags.
config=(--keyring deploy/dev/keyring.textproto)
caller=()
case ${PRODUCTION:-} in
  "") ;;
  mtls | api_key)
    production_setup "$tmp"
    config=(--config "$tmp/config.textproto" --metrics_listen 127.0.0.1:0)
    caller=(--tls_ca "$tmp/ca.crt")
    if [[ $PRODUCTION == mtls ]]; then
      caller+=(--tls_cert "$tmp/mtls-caller.crt" --tls_key "$tmp/mtls-caller.key")
    else
      caller+=(--tls_cert "$tmp/api-key-client.crt" --tls_key "$tmp/api-key-client.key"
        --api_key_file "$tmp/api.key")
    fi
    ;;
  *) echo "profile.sh: PRODUCTION is mtls or api_key, not '$PRODUCTION'" >&2; exit 2 ;;
esac

start_server() {
  local key=port listen=()
  $http && key=http_port listen=(--http_listen 127.0.0.1:0)
  "$@" "$server_bin" --listen 127.0.0.1:0 "${config[@]}" \
    --compression "$compression" "${listen[@]}" 2>"$tmp/server.log" &
  server_pid=$!
  pids+=("$server_pid")
  port=$(wait_port "$tmp/server.log" "$key")
}

call_graph=()
[[ -n ${CALL_GRAPH:-} ]] && call_graph=(--call-graph "$CALL_GRAPH")
if perf record -o "$tmp/probe.data" -- true >/dev/null 2>&1; then
  start_server
  if $http; then
    url=http://127.0.0.1:$port/ping
    script=()
    if [[ $route == rtc ]]; then
      url=http://127.0.0.1:$port/agora.token.v1.TokenService/BuildRtcTokenWithUid
      script=(-s bench/http_rtc.lua)
    fi
    wrk -t2 -c"$concurrency" -d"$((sample_seconds + 3))s" "${script[@]}" "$url" \
      >"$tmp/loadgen.txt" 2>&1 &
  else
    "$loadgen" --target "127.0.0.1:$port" --rpc "$rpc" --version "$version" \
      --concurrency "$concurrency" --duration_s "$((sample_seconds + 3))" --warmup_s 1 \
      "${caller[@]}" >"$tmp/loadgen.txt" &
  fi
  loadgen_pid=$!
  sleep 2
  perf record -F 1999 "${call_graph[@]}" -p "$server_pid" -o "$out/perf.data" -- \
    sleep "$sample_seconds" >/dev/null 2>&1
  wait "$loadgen_pid"
  if $http; then
    echo "== load: HTTP $route ($compression), concurrency $concurrency, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    grep -E 'Requests/sec|Latency ' "$tmp/loadgen.txt"
  else
    echo "== load: $rpc $version ($compression), concurrency $concurrency${PRODUCTION:+, production caller $PRODUCTION}"
    sed -n '2,3p' "$tmp/loadgen.txt"
  fi
  echo "== perf report: server CPU by shared object"
  perf report -i "$out/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null |
    grep '%' | head -n "$top" | sed 's/ *$//'
  echo "== perf report: top $top symbols"
  perf report -i "$out/perf.data" --no-children --sort dso,sym --stdio -g none 2>/dev/null |
    grep '%' | head -n "$top" | sed 's/  */ /g' | cut -c1-180
elif $http; then
  echo "profile.sh: perf is not usable here" >&2
  exit 2
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
