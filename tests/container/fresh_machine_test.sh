#!/usr/bin/env bash
# The README's first command on a fresh Debian 12: a container of the bare
# debootstrap base (debian:bookworm from docker_env.sh, nothing installed),
# host network, the source tree copied in as a clean clone would have it.
# Inside, `bash scripts/run-server.sh` runs as the README says (plus
# --listen=127.0.0.1:0: the host's 50051 may be taken, the server logs the
# port it got). Once it serves, the README's "Calling the service" examples
# run against it as written, with only the address replaced: the Python
# snippet and the `agora-token call` line (their tokens are checked for
# shape, never printed). Prints how long the first command took from nothing
# to serving. CTest: container_fresh_machine.
#
# With AGORA_TOKEN_CCACHE_TAR naming the compiler cache that
# image_build.sh took from the image's build stage (CTest sets it and runs
# this test after container_image_build), that cache is put where ccache
# looks for it (/root/.cache/ccache) before the command runs, and the source
# is at /src as in the Dockerfile: run-server.sh installs ccache with the
# rest, and the server's objects, already compiled from the same sources by
# the same compiler with the same flags in the image build, are cache hits,
# as the ccache statistics printed at the end show. Everything else (apt,
# CMake, the CLI, the Python stubs, linking) happens as on a bare machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${DOCKER_HOST:?run under tests/container/docker_env.sh}"
docker=/usr/bin/docker
name=agora-token-fresh-$$
trap '"$docker" rm -f "$name" >/dev/null 2>&1 || true' EXIT

# The examples exactly as the README shows them.
python_example=$(awk '/^## Calling the service/ { s = 1 } s && /^```python/ { p = 1; next }
                      p && /^```/ { exit } p' README.md)
cli_example=$(grep -o "^Shell: \`build/cli/agora-token call [^\`]*\`" README.md | sed 's/^Shell: `//; s/`$//')
[ -n "$python_example" ] && [ -n "$cli_example" ] || { echo "README examples not found" >&2; exit 1; }
grep -q 127.0.0.1:50051 <<<"$python_example" || { echo "the Python example no longer dials 127.0.0.1:50051" >&2; exit 1; }

"$docker" create --name "$name" --network host -i debian:bookworm bash -s >/dev/null
tar -C . --exclude=./build --exclude='./build-*' --exclude=./node_modules --exclude=./.git \
  --transform='s,^\.,src,' -c . | "$docker" cp - "$name:/"
if [ -n "${AGORA_TOKEN_CCACHE_TAR:-}" ]; then
  [ -s "$AGORA_TOKEN_CCACHE_TAR" ] || { echo "no compiler cache at $AGORA_TOKEN_CCACHE_TAR" >&2; exit 1; }
  "$docker" cp - "$name:/" <"$AGORA_TOKEN_CCACHE_TAR"
fi
"$docker" start -i "$name" <<SCRIPT
set -euo pipefail
cd /src
started=\$(date +%s)
bash scripts/run-server.sh --listen=127.0.0.1:0 >/tmp/run-server.out 2>/tmp/run-server.log &
for _ in \$(seq 3600); do
  grep -q '"msg":"serving"' /tmp/run-server.log 2>/dev/null && break
  kill -0 \$! 2>/dev/null || { tail -40 /tmp/run-server.log; echo "run-server.sh exited"; exit 1; }
  sleep 1
done
grep -q '"msg":"serving"' /tmp/run-server.log || { tail -40 /tmp/run-server.log; exit 1; }
echo "fresh machine: bash scripts/run-server.sh served after \$((\$(date +%s) - started)) s"
port=\$(grep '"msg":"serving"' /tmp/run-server.log | sed 's/.*"port":"\([0-9]*\)".*/\1/')
cat >/tmp/example.py <<'PY'
$python_example
PY
sed -i "s/127.0.0.1:50051/127.0.0.1:\$port/" /tmp/example.py
/usr/bin/python3 /tmp/example.py >/tmp/example.out
# Prints "<007 token> <expire_ts>": the token is for the dev app.
grep -Eq '^007[A-Za-z0-9+/=]{100,} [0-9]{10}$' /tmp/example.out || { cat /tmp/example.out; exit 1; }
$cli_example --target 127.0.0.1:\$port >/tmp/cli.out
grep -q '"token": *"007' /tmp/cli.out || { cat /tmp/cli.out; exit 1; }
echo "fresh machine: the README's Python and CLI examples work"
if command -v ccache >/dev/null; then
  ccache --print-stats | awk -F'\t' '{ n[\$1] = \$2 }
    END { printf "fresh machine: ccache: %d hits (%d direct), %d misses\n",
                 n["direct_cache_hit"] + n["preprocessed_cache_hit"], n["direct_cache_hit"], n["cache_miss"] }'
fi
SCRIPT
