#!/usr/bin/env bash
# The service benchmark: starts agora-token-server (once with --compression
# compatible, once with fast), the bare gRPC floor (agora-token-floor-server:
# the same gRPC, service base and transport options, every call answered
# with an empty message) and the Node.js peer (bench/peers/
# node_token_server.js, Agora's npm builders behind grpc-js) on free loopback
# ports, drives them with agora-token-loadgen at several concurrencies and
# with h2load, and writes bench/results/latest.md (tables, and the issues'
# targets with met/missed), latest.jsonl (one JSON object per point, loadgen
# and h2load), latest.facts.tsv (RSS, audit log, metrics, host; with
# latest.jsonl, bench/report.py can redo the report) and PNG plots; then the
# HTTP transport against an Express peer (bench/http_bench.sh, wrk) into
# http.md.
# It prints numbers and never fails because of them.
#
# Measured: the health check and the bare floor, BuildRtcTokenWithUid 006,
# 007 compatible and 007 fast, BuildTokens batches of 100 006 tokens, the
# Node peer's 006 and 007; h2load against the floor and each scenario (in
# rounds, for the floor ratios) and against both servers' health and 007;
# the p99 at half of each scenario's peak QPS (open loop, --rate), the
# health check's too; the server's peak RSS (VmHWM), including a fresh
# server under 1,000 concurrent streams; a pinned variant (taskset: server
# on CPU 0, load generator on CPU 1) of a few points, with its own
# half-of-peak runs; production: TLS with mTLS callers and API-key callers,
# caller policies, rate limits too high to bind, the audit log in a file and
# metrics on (certificates, API key and config made at run time in a temp
# dir), against the health check over the same TLS; scaling: the server on 1
# and on 2 CPUs (taskset), single 007 calls and BuildTokens batches of 1, 10,
# 100 and 1000.
#
# Usage: bench/run.sh [--build] [--quick]
#   --build   first builds agora-token-server, agora-token-floor-server and
#             agora-token-loadgen with
#             BUILD_DIR=build-release BUILD_TYPE=Release scripts/build.sh
#   --quick   1 s points, fewer concurrencies, one round, into
#             bench/results/quick/: checks the script (every scenario), not
#             the server; about 2 minutes
# Environment:
#   BUILD_DIR      build directory holding the binaries (default build-release;
#                  must be a Release build unless AGORA_TOKEN_BENCH_ANY_BUILD_TYPE=1)
#   CONCURRENCIES  default "1 8 32 128 512"
#   POINT_SECONDS  seconds per point, including WARMUP_SECONDS (default 4, 1)
#   ROUNDS         rounds of the closed-loop sweep, the h2load floor points and
#                  the production points; the report takes each point's
#                  median (default 3)
#   CHANNELS, LOADGEN_THREADS   loadgen connections and threads (default 4, 1)
#   PINNED         0 skips the taskset variant (default 1 when 2+ CPUs)
#   PRODUCTION_CONCURRENCIES    default "32 128"
#   SCALE_CONCURRENCY           calls in flight of the scaling points (default 32)
# A full run takes about 17 minutes on 2 cores.
set -euo pipefail

usage() { sed -n '/^# Usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
build=0
quick=0
for arg in "$@"; do
  case $arg in
    --build) build=1 ;;
    --quick) quick=1 ;;
    *) usage ;;
  esac
done

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
build_dir=${BUILD_DIR:-build-release}
concurrencies=${CONCURRENCIES:-1 8 32 128 512}
point_seconds=${POINT_SECONDS:-4}
warmup_seconds=${WARMUP_SECONDS:-1}
rounds=${ROUNDS:-3}
channels=${CHANNELS:-4}
loadgen_threads=${LOADGEN_THREADS:-1}
pinned=${PINNED:-1}
production_concurrencies=${PRODUCTION_CONCURRENCIES:-32 128}
scale_concurrency=${SCALE_CONCURRENCY:-32}
if [[ $quick == 1 ]]; then
  concurrencies=${CONCURRENCIES:-1 32}
  production_concurrencies=${PRODUCTION_CONCURRENCIES:-32}
  point_seconds=1
  warmup_seconds=0.3
  rounds=1
fi
results=$repo/bench/results
# A quick run checks the script; it must not replace the real results.
[[ $quick == 1 ]] && results=$results/quick
[[ $(nproc) -ge 2 ]] || pinned=0
keyring=$repo/deploy/dev/keyring.textproto
mkdir -p "$results"

if [[ $build == 1 ]]; then
  BUILD_DIR=$build_dir BUILD_TYPE=Release scripts/build.sh \
    --target agora-token-server agora-token-floor-server agora-token-loadgen
fi
server_bin=$build_dir/server/agora-token-server
floor_bin=$build_dir/bench/agora-token-floor-server
loadgen=$build_dir/bench/agora-token-loadgen
for binary in "$server_bin" "$floor_bin" "$loadgen"; do
  if [[ ! -x $binary ]]; then
    echo "run.sh: $binary not found; run with --build or build it in $build_dir" >&2
    exit 2
  fi
done
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build_dir/CMakeCache.txt" 2>/dev/null || true)
if [[ $build_type != Release && ${AGORA_TOKEN_BENCH_ANY_BUILD_TYPE:-} != 1 ]]; then
  echo "run.sh: $build_dir is a '${build_type:-unknown}' build; numbers need -DCMAKE_BUILD_TYPE=Release" >&2
  exit 2
fi
if [[ ! -f node_modules/agora-token/package.json || ! -f node_modules/@grpc/grpc-js/package.json ]]; then
  echo "run.sh: the Node peer needs \`npm ci\` at the repo root" >&2
  exit 2
fi
for tool in gnuplot:gnuplot-nox h2load:nghttp2-client wrk:wrk openssl:openssl curl:curl; do
  if ! command -v "${tool%%:*}" >/dev/null; then
    echo "run.sh: installing ${tool#*:}" >&2
    apt-get install -y -qq "${tool#*:}" >/dev/null || echo "run.sh: could not install ${tool#*:}" >&2
  fi
done

source bench/lib.sh

jsonl=$tmp/points.jsonl
: >"$jsonl"
# Facts for the report: key<TAB>value lines.
facts=$tmp/facts.tsv
: >"$facts"
fact() { printf '%s\t%s\n' "$1" "$2" >>"$facts"; }

# launch NAME COMMAND...: starts a server in the background (its output in
# $tmp/NAME.log) and sets pid_NAME and port_NAME once it serves. COMMAND may
# start with a taskset prefix.
launch() {
  local name=$1
  shift
  "$@" >"$tmp/$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  printf -v "pid_$name" '%s' "$pid"
  local port
  port=$(wait_port "$tmp/$name.log")
  printf -v "port_$name" '%s' "$port"
}

# start_ours NAME COMPRESSION [taskset prefix...] (development mode).
start_ours() {
  local name=$1 compression=$2
  shift 2
  launch "$name" "$@" "$server_bin" --listen 127.0.0.1:0 --keyring "$keyring" \
    --compression "$compression"
}

# start_node NAME [taskset prefix...]
start_node() {
  local name=$1
  shift
  launch "$name" "$@" node bench/peers/node_token_server.js 0 "$keyring"
}

stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

vm_kib() { sed -n "s/^$2:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$1/status"; }

# CPU time (user + system, in clock ticks) a process has used so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
clock_ticks=$(getconf CLK_TCK)

# measure SCENARIO PID PORT RPC VERSION CONCURRENCY [loadgen flags...]: one
# point. Adds the server's CPU time per call (from /proc/PID/stat, warmup
# included) to the loadgen's JSON: unlike QPS it hardly depends on who else
# uses the CPUs.
loadgen_prefix=()
measure() {
  local scenario=$1 pid=$2 port=$3 rpc=$4 version=$5 concurrency=$6
  shift 6
  local connections=$((concurrency < channels ? concurrency : channels))
  printf '  %-30s c=%-5s ' "$scenario" "$concurrency" >&2
  local line before after
  before=$(cpu_ticks "$pid")
  if line=$("${loadgen_prefix[@]}" "$loadgen" --target "127.0.0.1:$port" --rpc "$rpc" \
      --version "$version" --concurrency "$concurrency" --channels "$connections" \
      --threads "$loadgen_threads" --duration_s "$point_seconds" --warmup_s "$warmup_seconds" \
      --json --label "$scenario" "$@" 2>"$tmp/loadgen.err"); then
    after=$(cpu_ticks "$pid")
    /usr/bin/python3 -c 'import json, sys
p = json.loads(sys.argv[1])
n = p["all_calls"]
p["server_cpu_us_per_call"] = round(int(sys.argv[2]) / int(sys.argv[3]) * 1e6 / n, 1) if n else None
print(json.dumps(p))' "$line" "$((after - before))" "$clock_ticks" >>"$jsonl"
    tail -1 "$jsonl" | /usr/bin/python3 -c 'import json, sys
r = json.loads(sys.stdin.read())
print("%8.0f QPS  p50 %7.0f us  p99 %7.0f us  errors %d  CPU/call: server %s us, loadgen %s us" % (
    r["qps"], r["latency_us"]["p50"], r["latency_us"]["p99"], r["errors"] + r["bad_responses"],
    r["server_cpu_us_per_call"], r["client_cpu_us_per_call"]))' >&2
  else
    echo "loadgen failed: $(tail -1 "$tmp/loadgen.err")" >&2
  fi
}

# peak_qps SCENARIO: SCENARIO's peak QPS as the report sees it: the best
# concurrency's median round.
peak_qps() {
  /usr/bin/python3 -c '
import json, sys
rounds = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["label"] == sys.argv[2] and r["rate"] == 0:
        rounds.setdefault(r["concurrency"], []).append(r["qps"])
medians = [sorted(q)[(len(q) - 1) // 2] for q in rounds.values()]
print(int(max(medians, default=0)))' "$jsonl" "$1"
}

# h2load_point LABEL PID PORT METHOD BODY: h2load at 128 streams over
# CHANNELS connections, one repeated body; appends a point labelled
# "h2load LABEL" to the JSON lines.
h2load_point() {
  local label="h2load $1" pid=$2 port=$3 method=$4 body=$5
  local streams=$((128 / channels))
  printf '  %-30s c=%-5s ' "$label" "$((channels * streams))" >&2
  # h2load wants whole units: give it milliseconds.
  local duration_ms warmup_ms before after out=$tmp/h2load.txt
  duration_ms=$(awk -v s="$point_seconds" -v w="$warmup_seconds" 'BEGIN { printf "%d", (s - w) * 1000 }')
  warmup_ms=$(awk -v w="$warmup_seconds" 'BEGIN { printf "%d", w * 1000 }')
  before=$(cpu_ticks "$pid")
  "${loadgen_prefix[@]}" h2load -D "${duration_ms}ms" --warm-up-time "${warmup_ms}ms" \
    -c "$channels" -m "$streams" -H 'content-type: application/grpc' -H 'te: trailers' \
    -d "$body" "http://127.0.0.1:$port$method" >"$out" 2>&1 || true
  after=$(cpu_ticks "$pid")
  # Requests h2load started, warm-up included, are what the server's CPU
  # served.
  /usr/bin/python3 - "$out" "$label" "$((channels * streams))" "$((after - before))" "$clock_ticks" \
    >>"$jsonl" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
def number(pattern, kind=int):
    m = re.search(pattern, text, re.M)
    return kind(m.group(1)) if m else None
started = number(r"^requests: \d+ total, (\d+) started")
ticks, hz = int(sys.argv[4]), int(sys.argv[5])
print(json.dumps({
    "tool": "h2load", "label": sys.argv[2], "concurrency": int(sys.argv[3]), "rate": 0,
    "qps": number(r"^finished in .*, ([0-9.]+) req/s", float) or 0,
    "http_2xx": number(r"^status codes: (\d+) 2xx"),
    "failed": number(r"^requests: .* (\d+) failed"),
    "server_cpu_us_per_call": round(ticks / hz * 1e6 / started, 1) if started else None,
}))
PY
  tail -1 "$jsonl" | /usr/bin/python3 -c 'import json, sys
r = json.loads(sys.stdin.read())
print("%8.0f req/s (%s HTTP 2xx, %s failed)  server CPU/call %s us" % (
    r["qps"], r["http_2xx"], r["failed"], r["server_cpu_us_per_call"]))' >&2
}

started=$(date +%s)
fact started "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
fact host "$(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
fact load_before "$(cut -d' ' -f1-3 /proc/loadavg)"
fact build "$build_dir ($build_type)"
fact node "$(node --version), agora-token $(node -p 'require("./node_modules/agora-token/package.json").version'), grpc-js $(node -p 'require("./node_modules/@grpc/grpc-js/package.json").version')"
fact setup "point ${point_seconds} s (first ${warmup_seconds} s not counted), sweep, h2load floor and production points the median of ${rounds} interleaved rounds; loadgen: ${loadgen_threads} thread(s), up to ${channels} connections; concurrencies: ${concurrencies} (production: ${production_concurrencies}; scaling: ${scale_concurrency})"

echo "== sweep: server and loadgen share both CPUs" >&2
start_ours compatible compatible
start_ours fast fast
start_node node
launch floor "$floor_bin" --listen 127.0.0.1:0
# Rounds of the whole sweep, interleaved, so a noisy moment on the shared
# CPUs hits one round of every scenario rather than all of one; the report
# takes each point's median round.
for round in $(seq "$rounds"); do
  echo "-- round $round of $rounds" >&2
  for c in $concurrencies; do
    measure health "$pid_compatible" "$port_compatible" health 007 "$c"
    # The floor answers with empty messages: nothing to check.
    measure floor "$pid_floor" "$port_floor" rtc_uid 007 "$c" --check_every 0
    measure "rtc_uid 006" "$pid_compatible" "$port_compatible" rtc_uid 006 "$c"
    measure "rtc_uid 007 compatible" "$pid_compatible" "$port_compatible" rtc_uid 007 "$c"
    measure "rtc_uid 007 fast" "$pid_fast" "$port_fast" rtc_uid 007 "$c"
    measure "batch 100x006" "$pid_compatible" "$port_compatible" batch 006 "$c" --batch_size 100
    measure "node rtc_uid 006" "$pid_node" "$port_node" rtc_uid 006 "$c"
    measure "node rtc_uid 007" "$pid_node" "$port_node" rtc_uid 007 "$c"
  done
done

# half_peak SCENARIO PID PORT RPC VERSION: open loop at half of SCENARIO's
# best closed-loop QPS so far.
half_peak() {
  local peak
  peak=$(peak_qps "$1")
  if [[ $peak -gt 1 ]]; then
    measure "$1" "$2" "$3" "$4" "$5" 512 --rate "$((peak / 2))"
  fi
}

# The health check too: the floor's own tail at half of its peak. Rounds
# as in the sweep; the report takes each scenario's median p99.
echo "== p99 at half of peak load (open loop, --rate)" >&2
for round in $(seq "$rounds"); do
  half_peak health "$pid_compatible" "$port_compatible" health 007
  half_peak "rtc_uid 006" "$pid_compatible" "$port_compatible" rtc_uid 006
  half_peak "rtc_uid 007 compatible" "$pid_compatible" "$port_compatible" rtc_uid 007
  half_peak "rtc_uid 007 fast" "$pid_fast" "$port_fast" rtc_uid 007
done

echo "== h2load (one repeated body): the floor and each scenario in rounds, then the health checks" >&2
node bench/h2load_body.js "$tmp/body007.bin" --version=007 >/dev/null
node bench/h2load_body.js "$tmp/body006.bin" --version=006 >/dev/null
# An empty HealthCheckRequest: just the 5-byte frame header with length 0.
printf '\0\0\0\0\0' >"$tmp/health.bin"
health_method=/grpc.health.v1.Health/Check
token_method=/agora.token.v1.TokenService/BuildRtcTokenWithUid
for round in $(seq "$rounds"); do
  h2load_point floor "$pid_floor" "$port_floor" "$token_method" "$tmp/body007.bin"
  h2load_point "rtc_uid 006" "$pid_compatible" "$port_compatible" "$token_method" "$tmp/body006.bin"
  h2load_point "rtc_uid 007 compatible" "$pid_compatible" "$port_compatible" "$token_method" "$tmp/body007.bin"
  h2load_point "rtc_uid 007 fast" "$pid_fast" "$port_fast" "$token_method" "$tmp/body007.bin"
done
h2load_point health "$pid_compatible" "$port_compatible" "$health_method" "$tmp/health.bin"
h2load_point "node health" "$pid_node" "$port_node" "$health_method" "$tmp/health.bin"
h2load_point "node rtc_uid 007" "$pid_node" "$port_node" "$token_method" "$tmp/body007.bin"

fact rss_compatible_hwm_kib "$(vm_kib "$pid_compatible" VmHWM)"
fact rss_fast_hwm_kib "$(vm_kib "$pid_fast" VmHWM)"
fact rss_node_hwm_kib "$(vm_kib "$pid_node" VmHWM)"
stop "$pid_compatible"
stop "$pid_fast"
stop "$pid_node"
stop "$pid_floor"

echo "== 1,000 concurrent streams on a fresh server" >&2
start_ours streams compatible
fact rss_fresh_idle_kib "$(vm_kib "$pid_streams" VmRSS)"
measure "1000 streams 007 compatible" "$pid_streams" "$port_streams" rtc_uid 007 1000
fact rss_1000_streams_hwm_kib "$(vm_kib "$pid_streams" VmHWM)"
fact threads_1000_streams "$(sed -n 's/^Threads:[[:space:]]*//p' "/proc/$pid_streams/status")"
stop "$pid_streams"

if [[ $pinned == 1 ]]; then
  echo "== pinned: server on CPU 0, loadgen on CPU 1" >&2
  start_ours pinned compatible taskset -c 0
  start_node pinned_node taskset -c 0
  loadgen_prefix=(taskset -c 1)
  for c in 32 128; do
    measure "pinned health" "$pid_pinned" "$port_pinned" health 007 "$c"
    measure "pinned rtc_uid 006" "$pid_pinned" "$port_pinned" rtc_uid 006 "$c"
    measure "pinned rtc_uid 007 compatible" "$pid_pinned" "$port_pinned" rtc_uid 007 "$c"
    measure "pinned node rtc_uid 007" "$pid_pinned_node" "$port_pinned_node" rtc_uid 007 "$c"
  done
  for round in $(seq "$rounds"); do
    half_peak "pinned health" "$pid_pinned" "$port_pinned" health 007
    half_peak "pinned rtc_uid 006" "$pid_pinned" "$port_pinned" rtc_uid 006
    half_peak "pinned rtc_uid 007 compatible" "$pid_pinned" "$port_pinned" rtc_uid 007
  done
  loadgen_prefix=()
  stop "$pid_pinned"
  stop "$pid_pinned_node"
fi

echo "== production: TLS, mTLS and API-key callers, policies, rate limits, audit log file, metrics" >&2
prod=$tmp/production
mkdir -p "$prod"
production_setup "$prod"
launch production "$server_bin" --config "$prod/config.textproto" --listen 127.0.0.1:0 \
  --metrics_listen 127.0.0.1:0 --compression compatible
prod_metrics_port=$(grep -o '"metrics_port":"[0-9]*"' "$tmp/production.log" | grep -o '[0-9]*')
mtls=(--tls_ca "$prod/ca.crt" --tls_cert "$prod/mtls-caller.crt" --tls_key "$prod/mtls-caller.key")
api_key=(--tls_ca "$prod/ca.crt" --tls_cert "$prod/api-key-client.crt"
  --tls_key "$prod/api-key-client.key" --api_key_file "$prod/api.key")
for round in $(seq "$rounds"); do
  for c in $production_concurrencies; do
    measure "prod health" "$pid_production" "$port_production" health 007 "$c" "${mtls[@]}"
    measure "prod rtc_uid 007 compatible mTLS" "$pid_production" "$port_production" rtc_uid 007 "$c" "${mtls[@]}"
    measure "prod rtc_uid 007 compatible API key" "$pid_production" "$port_production" rtc_uid 007 "$c" "${api_key[@]}"
    measure "prod rtc_uid 006 mTLS" "$pid_production" "$port_production" rtc_uid 006 "$c" "${mtls[@]}"
  done
done
# What the metrics endpoint and the audit file saw: proof both were on.
metrics=$(curl -sf "http://127.0.0.1:$prod_metrics_port/metrics" || true)
fact prod_metrics_rpc_requests "$(awk '/^agora_token_rpc_requests_total/ { n += $NF } END { printf "%d", n }' <<<"$metrics")"
fact prod_metrics_tokens_issued "$(awk '/^agora_token_tokens_issued_total/ { n += $NF } END { printf "%d", n }' <<<"$metrics")"
fact prod_audit_dropped_lines "$(awk '/^agora_token_audit_log_dropped_lines_total/ { print $NF }' <<<"$metrics")"
fact prod_audit_lines "$(wc -l <"$prod/audit.log")"
fact prod_audit_bytes "$(stat -c %s "$prod/audit.log")"
fact rss_production_hwm_kib "$(vm_kib "$pid_production" VmHWM)"
stop "$pid_production"

# The server on the first N CPUs; the loadgen on the CPUs left, or sharing
# them all when none are left (N = 2 on a 2-CPU machine).
echo "== scaling: server on 1 and 2 CPUs (taskset), single calls and BuildTokens batches" >&2
for cpus in 1 2; do
  [[ $cpus -le $(nproc) ]] || continue
  loadgen_prefix=()
  [[ $cpus -lt $(nproc) ]] && loadgen_prefix=(taskset -c "$cpus-$(($(nproc) - 1))")
  start_ours "scale$cpus" compatible taskset -c "0-$((cpus - 1))"
  pid_var=pid_scale$cpus port_var=port_scale$cpus
  measure "scale $cpus CPU rtc_uid 007 compatible" "${!pid_var}" "${!port_var}" rtc_uid 007 "$scale_concurrency"
  for batch in 1 10 100 1000; do
    measure "scale $cpus CPU batch ${batch}x007" "${!pid_var}" "${!port_var}" batch 007 \
      "$scale_concurrency" --batch_size "$batch"
  done
  stop "${!pid_var}"
done
loadgen_prefix=()

fact load_after "$(cut -d' ' -f1-3 /proc/loadavg)"
fact elapsed_s "$(($(date +%s) - started))"

# The HTTP transport against the Express peer (issue 16), its own table.
echo "== HTTP: ours vs Express, BuildRtcTokenWithUid vs GET /ping" >&2
if [[ $quick == 1 ]]; then
  CONCURRENCIES="1 32" SECONDS_PER_POINT=1 bench/http_bench.sh "$server_bin" | tee "$results/http.md" || true
else
  CONCURRENCIES="1 8 32 128" bench/http_bench.sh "$server_bin" | tee "$results/http.md" || true
fi

cp "$jsonl" "$results/latest.jsonl"
cp "$facts" "$results/latest.facts.tsv"
/usr/bin/python3 "$repo/bench/report.py" "$results/latest.jsonl" "$results/latest.facts.tsv" "$results"
echo "wrote $results/latest.md, latest.jsonl and the plots" >&2
