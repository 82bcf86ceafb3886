#!/usr/bin/env bash
# `agora-token call` against the real server: a token comes back as JSON and
# verifies offline with the same CLI; an invalid field exits 1 naming it.
# Usage: call_test.sh AGORA_TOKEN_CLI AGORA_TOKEN_SERVER KEYRING
set -euo pipefail
cli=$1 server=$2 keyring=$3
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

"$server" --keyring "$keyring" --listen 127.0.0.1:0 2>"$work/server.log" &
pid=$!
port=
for _ in $(seq 100); do
  port=$(grep -o '"msg":"serving".*"port":"[0-9]*"' "$work/server.log" | grep -o '[0-9]*"$' | tr -d '"' || true)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "server did not start"; cat "$work/server.log"; exit 1; }

app_id=970CA35de60c44645bbae8a215061b33
"$cli" call --target "127.0.0.1:$port" BuildRtcTokenWithUid \
  "app_id: \"$app_id\" channel_name: \"demo\" uid: 42 token_version: TOKEN_VERSION_006" >"$work/out.json"
token=$(grep -o '"token": "[^"]*"' "$work/out.json" | cut -d'"' -f4)
[[ $token == 006* ]] || { echo "no 006 token in: $(cat "$work/out.json")"; exit 1; }
AGORA_APP_CERTIFICATE=5CFd2fd1755d40ecb72977518be15d3b \
  "$cli" decode "$token" --channel demo --uid 42 | grep -q '"signature": "valid"' \
  || { echo "the returned token does not verify"; exit 1; }

# A new kind through its own RPC, checked the same way.
"$cli" call --target "127.0.0.1:$port" BuildFpaToken "app_id: \"$app_id\"" >"$work/fpa.json"
token=$(grep -o '"token": "[^"]*"' "$work/fpa.json" | cut -d'"' -f4)
AGORA_APP_CERTIFICATE=5CFd2fd1755d40ecb72977518be15d3b \
  "$cli" decode "$token" | grep -q '"signature": "valid"' \
  || { echo "the BuildFpaToken token does not verify: $(cat "$work/fpa.json")"; exit 1; }

set +e
"$cli" call --target "127.0.0.1:$port" BuildRtcTokenWithUid \
  "app_id: \"$app_id\" channel_name: \"bad*name\" uid: 42" 2>"$work/err.txt"
code=$?
set -e
[ "$code" -eq 1 ] || { echo "invalid request exited $code, want 1"; exit 1; }
grep -q "field channel_name:" "$work/err.txt" || { echo "no field violation: $(cat "$work/err.txt")"; exit 1; }
echo "call: tokens returned and verified (RTC, FPA); invalid field reported"
