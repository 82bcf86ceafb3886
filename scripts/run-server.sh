#!/usr/bin/env bash
# Builds the server and runs it on 127.0.0.1:50051 with the development
# keyring (Agora's public sample app). Extra arguments go to the server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh --target agora-token-server
exec build/server/agora-token-server --keyring deploy/dev/keyring.textproto "$@"
