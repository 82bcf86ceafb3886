#!/usr/bin/env bash
# Installs what the server needs (scripts/install-deps.sh server), builds the
# server, the CLI and the Python stubs (what the README's "Calling the
# service" examples use), and runs the server on 127.0.0.1:50051 with the
# development keyring (Agora's public sample app). Extra arguments go to the
# server and come after the defaults, so `--listen=127.0.0.1:0` (any free
# port, logged) or another address overrides the port.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh server
# A new tree is Release (no debug info: a quicker first build) and leaves
# out the tests and benchmarks, whose libraries the server profile does not
# install; an existing tree keeps its options (the test command turns them
# on).
if [ ! -f "${BUILD_DIR:-build}/build.ninja" ]; then
  export BUILD_TYPE=${BUILD_TYPE:-Release}
  export CMAKE_ARGS="-DAGORA_TOKEN_BUILD_TESTS=OFF -DAGORA_TOKEN_BUILD_BENCH=OFF"
fi
scripts/build.sh --target agora-token-server agora-token agora_token_python_stubs
exec "${BUILD_DIR:-build}/server/agora-token-server" --keyring deploy/dev/keyring.textproto \
  --listen=127.0.0.1:50051 "$@"
