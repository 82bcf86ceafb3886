#!/usr/bin/env bash
# Runs every test: installs dependencies, builds, runs CTest (core, CLI,
# server, cross-checks against Agora's npm builders, end-to-end clients),
# buf lint, and the core tests again on the BoringSSL backend.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

echo "== build (OpenSSL backend, everything)"
scripts/build.sh
echo "== ctest"
(cd build && ctest -j"$(nproc)" --output-on-failure --timeout 300)

echo "== API checks (buf lint, buf breaking, docs/api.md up to date)"
scripts/check-api.sh

echo "== core tests on the BoringSSL backend"
BUILD_DIR=build-boringssl CMAKE_ARGS="-DAGORA_TOKEN_CRYPTO=boringssl -DAGORA_TOKEN_BUILD_SERVER=OFF -DAGORA_TOKEN_BUILD_BENCH=OFF" \
  scripts/build.sh
(cd build-boringssl && ctest -j"$(nproc)" --output-on-failure --timeout 300)
