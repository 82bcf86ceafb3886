#!/usr/bin/env bash
# The HTTP benchmark (issue 16): JSON over HTTP/1.1 keep-alive, our server's
# Connect route against the Express peer (bench/peers/express_token_server.js,
# npm agora-token, what Agora-Node-TokenServer users run), both driven by wrk
# with the same Lua script; and our BuildRtcTokenWithUid against our own
# GET /ping (the floor of the HTTP stack). Prints a Markdown table and the
# ratios against the targets (>= 5x Express at every concurrency;
# BuildRtcTokenWithUid >= 0.75 of /ping). Numbers only: it never fails
# because of them. Our server runs in development mode (no authentication,
# like the peer), 007 compatible.
#
# Usage: bench/http_bench.sh [SERVER_BINARY]   (default build-release/..., else build/...)
# Environment: CONCURRENCIES (default "1 8 32 128"), SECONDS_PER_POINT (default 4),
#   PIN=1: both servers on CPU 0 and wrk on CPU 1 (taskset), so each side
#   has a CPU of its own (other work on the machine still shares them).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
server_bin=${1:-}
if [[ -z $server_bin ]]; then
  server_bin=build-release/server/agora-token-server
  [[ -x $server_bin ]] || server_bin=build/server/agora-token-server
fi
concurrencies=${CONCURRENCIES:-1 8 32 128}
seconds=${SECONDS_PER_POINT:-4}
keyring=$repo/deploy/dev/keyring.textproto
server_cpu=()
load_cpu=()
if [[ ${PIN:-0} == 1 ]]; then
  server_cpu=(taskset -c 0)
  load_cpu=(taskset -c 1)
fi
command -v wrk >/dev/null || { echo "http_bench.sh: needs wrk (scripts/install-deps.sh)" >&2; exit 2; }

source bench/lib.sh

"${server_cpu[@]}" "$server_bin" --keyring "$keyring" --listen 127.0.0.1:0 \
  --http_listen 127.0.0.1:0 --compression compatible 2>"$tmp/ours.log" &
pids+=($!)
"${server_cpu[@]}" node bench/peers/express_token_server.js 0 "$keyring" >"$tmp/express.log" 2>&1 &
pids+=($!)
ours=$(wait_port "$tmp/ours.log" http_port)
express=$(wait_port "$tmp/express.log" port)

# Each point prints its own line: requests, errors, p99 (µs).
cat >"$tmp/get.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d\n", summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, latency:percentile(99)))
end
LUA
cat bench/http_rtc.lua "$tmp/get.lua" >"$tmp/rtc.lua"

# point URL SCRIPT CONCURRENCY: prints "QPS P99_US ERRORS".
point() {
  local threads=$(( $3 < 2 ? 1 : 2 ))
  local out
  out=$("${load_cpu[@]}" wrk -t"$threads" -c"$3" -d"${seconds}s" -s "$2" "$1" 2>&1)
  local result
  result=$(grep '^RESULT' <<<"$out" | tail -n1)
  read -r _ requests errors p99 <<<"$result"
  echo "$(( requests / seconds )) $p99 $errors"
}

# Warm up both (JIT, caches).
wrk -t1 -c4 -d1s -s "$tmp/rtc.lua" "http://127.0.0.1:$express/agora.token.v1.TokenService/BuildRtcTokenWithUid" >/dev/null
wrk -t1 -c4 -d1s -s "$tmp/rtc.lua" "http://127.0.0.1:$ours/agora.token.v1.TokenService/BuildRtcTokenWithUid" >/dev/null

cpus="$(nproc) CPUs shared by server and wrk"
[[ ${PIN:-0} == 1 ]] && cpus="servers on CPU 0, wrk on CPU 1"
echo "### HTTP/1.1 keep-alive, JSON (wrk, ${seconds} s per point, $cpus, load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "| concurrency | ours BuildRtcTokenWithUid QPS (p99 µs) | Express + agora-token QPS (p99 µs) | ours / Express (target ≥ 5) | ours GET /ping QPS | BuildRtc / ping (target ≥ 0.75) |"
echo "|---|---|---|---|---|---|"
for c in $concurrencies; do
  read -r ours_qps ours_p99 ours_err < <(point "http://127.0.0.1:$ours/agora.token.v1.TokenService/BuildRtcTokenWithUid" "$tmp/rtc.lua" "$c")
  read -r peer_qps peer_p99 peer_err < <(point "http://127.0.0.1:$express/agora.token.v1.TokenService/BuildRtcTokenWithUid" "$tmp/rtc.lua" "$c")
  read -r ping_qps _ ping_err < <(point "http://127.0.0.1:$ours/ping" "$tmp/get.lua" "$c")
  ratio=$(awk -v a="$ours_qps" -v b="$peer_qps" 'BEGIN { printf (b > 0 ? "%.1fx" : "n/a"), a / b }')
  floor=$(awk -v a="$ours_qps" -v b="$ping_qps" 'BEGIN { printf (b > 0 ? "%.2f" : "n/a"), a / b }')
  errors=""
  (( ours_err + peer_err + ping_err > 0 )) && errors=" (errors: ours $ours_err, peer $peer_err, ping $ping_err)"
  echo "| $c | $ours_qps ($ours_p99) | $peer_qps ($peer_p99) | $ratio | $ping_qps | $floor |$errors"
done
