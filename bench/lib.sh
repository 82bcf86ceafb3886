# shellcheck shell=bash
# Sourced by the bench scripts: a temp dir and the background processes they
# start, cleaned up on exit, and the wait for a server's port.

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
