# shellcheck shell=bash
# Sourced by the bench scripts: a temp dir and the background processes they
# start, cleaned up on exit, the wait for a server's port, and the
# production configuration. They set repo (the checkout) before sourcing.

tmp=$(mktemp -d)
pids=()
bench_cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap bench_cleanup EXIT

# wait_port LOG [KEY]: prints N once LOG has the server's
# {"msg":"serving",...,"KEY":"N"} line (KEY defaults to port; our server
# also names http_port). Ours, the floor and the Node peers all print one.
wait_port() {
  local log=$1 key=${2:-port} port=""
  for _ in $(seq 200); do
    port=$(grep -o '"msg":"serving".*' "$log" 2>/dev/null | grep -o "\"$key\":\"[1-9][0-9]*\"" |
      head -n1 | grep -o '[0-9]*' || true)
    [[ -n $port ]] && { echo "$port"; return; }
    sleep 0.05
  done
  echo "$(basename "$0"): no \"$key\" in the serving line of $log; its log:" >&2
  cat "$log" >&2
  exit 1
}

# production_setup DIR: what a production deployment has, made fresh in DIR:
# a CA (EC P-256, like tests/server/test_pki.cc's), the server's certificate
# for 127.0.0.1, an mTLS caller's certificate (SPIFFE id), a certificate for
# a client the config knows only by its API key (mutual TLS asks every client
# for one), that API key, and the config: both callers with policies (app,
# token kinds, lifetime, channel prefixes) and rate limits far above what the
# run can send, the audit log in a file.
production_setup() {
  local dir=$1
  local ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
  openssl req -x509 "${ec[@]}" -days 2 -subj "/CN=agora-token bench CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  local name san
  for name in server mtls-caller api-key-client; do
    case $name in
      server) san="IP:127.0.0.1,DNS:localhost" ;;
      mtls-caller) san="URI:spiffe://bench.test/ns/bench/sa/mtls-caller" ;;
      api-key-client) san="DNS:api-key-client.bench.test" ;;
    esac
    openssl req "${ec[@]}" -subj "/CN=$name" -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
    printf 'subjectAltName=%s\n' "$san" >"$dir/$name.ext"
    openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
      -days 2 -extfile "$dir/$name.ext" -out "$dir/$name.crt" 2>/dev/null
    chmod 600 "$dir/$name.key"
  done
  openssl rand -hex 24 >"$dir/api.key"
  chmod 600 "$dir/api.key"
  local key_sha256 policy
  key_sha256=$(tr -d '\n' <"$dir/api.key" | sha256sum | cut -d' ' -f1)
  # The channel prefixes are the shapes bench/loadgen/request_pool.cc uses.
  policy='policy {
    app_ids: "970CA35de60c44645bbae8a215061b33"
    token_kinds: [ TOKEN_KIND_RTC_006, TOKEN_KIND_RTC_007 ]
    max_token_lifetime_seconds: 86400
    channel_name_prefixes: [ "room-", "Team Standup (", "game:match#", "class_2024_physics_", "live.concert[" ]
    rate_limit { tokens_per_second: 1000000000 burst: 1000000 }
  }'
  cat >"$dir/config.textproto" <<EOF
keyring_path: "$repo/deploy/dev/keyring.textproto"
tls {
  certificate_chain_path: "server.crt"
  private_key_path: "server.key"
  client_ca_path: "ca.crt"
}
callers {
  name: "bench-mtls-caller"
  certificate_identities: "spiffe://bench.test/ns/bench/sa/mtls-caller"
  $policy
}
callers {
  name: "bench-api-key-caller"
  api_key_sha256: "$key_sha256"
  $policy
}
audit_log { path: "audit.log" }
EOF
}
