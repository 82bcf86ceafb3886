#!/usr/bin/env bash
# The server binary's side doors: --health-listen answers --health-probe
# (exit 0 while SERVING, 1 once stopped), --metrics-listen serves Prometheus
# text whose counters move with real calls and carry no channel or secret.
# Usage: binary_endpoints_test.sh AGORA_TOKEN_SERVER AGORA_TOKEN_CLI KEYRING
set -euo pipefail
server=$1 cli=$2 keyring=$3
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$server" --keyring "$keyring" --listen 127.0.0.1:0 --health-listen 127.0.0.1:0 \
  --metrics-listen 127.0.0.1:0 2>"$work/server.log" &
pid=$!
field() { grep -o "\"$1\":\"[0-9]*\"" "$work/server.log" | head -1 | grep -o '[0-9]*' || true; }
for _ in $(seq 100); do port=$(field port); [ -n "$port" ] && break; sleep 0.1; done
[ -n "$port" ] || fail "server did not start: $(cat "$work/server.log")"
health_port=$(field health_port) metrics_port=$(field metrics_port)

"$server" --health-probe "127.0.0.1:$health_port" || fail "probe of a serving server exited $?"
"$server" --health-probe "127.0.0.1:$port" || fail "probe of the main port exited $?"

channel=metrics-secret-channel
"$cli" call --target "127.0.0.1:$port" BuildRtcTokenWithUid \
  "app_id: \"970CA35de60c44645bbae8a215061b33\" channel_name: \"$channel\" uid: 7 token_version: TOKEN_VERSION_006" >/dev/null
"$cli" call --target "127.0.0.1:$port" BuildRtcTokenWithUid \
  'app_id: "970CA35de60c44645bbae8a215061b33" channel_name: "bad*name" uid: 7' 2>/dev/null && fail "bad request succeeded"

/usr/bin/python3 -c "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:$metrics_port/metrics', timeout=5).read().decode())" >"$work/metrics.txt"
grep -q '^agora_token_rpc_requests_total{method="BuildRtcTokenWithUid",code="OK",transport="grpc"} 1$' "$work/metrics.txt" || fail "no OK call counted"
grep -q '^agora_token_rpc_requests_total{method="BuildRtcTokenWithUid",code="INVALID_ARGUMENT",transport="grpc"} 1$' "$work/metrics.txt" || fail "no failed call counted"
grep -q '^agora_token_tokens_issued_total{kind="rtc",version="006"} 1$' "$work/metrics.txt" || fail "issued token not counted"
grep -q '^agora_token_rpc_latency_seconds_count{method="BuildRtcTokenWithUid"} 2$' "$work/metrics.txt" || fail "latency not recorded"
grep -q '^agora_token_keyring_version 1$' "$work/metrics.txt" || fail "keyring version missing"
grep -q '^agora_token_build_info{' "$work/metrics.txt" || fail "build info missing"
if grep -q -e "$channel" -e 5CFd2fd1755d40ecb72977518be15d3b "$work/metrics.txt"; then fail "metrics leak a channel or certificate"; fi

kill -HUP "$pid"; sleep 0.3
/usr/bin/python3 -c "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:$metrics_port/metrics', timeout=5).read().decode())" >"$work/metrics.txt"
grep -q '^agora_token_keyring_reloads_total 1$' "$work/metrics.txt" || fail "reload not counted"

kill -TERM "$pid"; wait "$pid" || fail "server exited $? on SIGTERM"
if "$server" --health-probe "127.0.0.1:$health_port" 2>/dev/null; then fail "probe of a stopped server exited 0"; fi
echo "health probe, metrics and reload counters: all checks passed"
